"""Villages and approved enterprises → documents of the pairing index (结对帮扶 pages).

Contacts and household figures are private: they are never indexed.
"""

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app import labels
from app.models import County, Enterprise, PairingAgreement, Township, Village, VillageNeed
from app.models.enums import OPEN_AGREEMENT_STATUSES, HelpKind, NeedStatus, RegistrationStatus
from app.models.flags import from_mask
from app.search.attributes import PAIRING_ATTRIBUTES
from app.search.documents import (
    BATCH,
    ENTERPRISE,
    VILLAGE,
    Batch,
    micros,
    stamp,
)


def doc_id(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def parse_doc_id(value: str) -> tuple[str, int]:
    kind, _, number = value.partition(":")
    return kind, int(number)


def _quality(first: bool, created) -> int:
    """Key villages first, then the most recently registered."""
    return int(first) << 40 | micros(created) // 1_000_000


# Villages -------------------------------------------------------------------------------------


def _village_select() -> sa.Select:
    # Plain columns, not ORM entities: nothing accumulates in the session during a rebuild.
    return (
        sa.select(
            Village.id,
            Village.name,
            Village.county_code,
            Village.key_village,
            Village.lifted_village,
            Village.relocation_site,
            Village.tourism_demo,
            Village.main_industries,
            Village.introduction,
            Village.resources,
            Village.created_at,
            Village.updated_at,
            Township.name.label("township_name"),
            County.name.label("county_name"),
            County.category.label("county_category"),
        )
        .join(Township, Township.code == Village.township_code)
        .join(County, County.code == Village.county_code)
    )


def _village_extras(session: Session, ids: list[int]) -> tuple[dict, dict]:
    """Per village: (newest agreement change, has an open agreement) and open needs' kinds."""
    is_open = sa.case((PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES), 1), else_=0)
    agreements = session.execute(
        sa.select(
            PairingAgreement.village_id,
            sa.func.max(PairingAgreement.updated_at),
            sa.func.max(is_open),
        )
        .where(PairingAgreement.village_id.in_(ids))
        .group_by(PairingAgreement.village_id)
    )
    partner = {vid: (newest, bool(open_)) for vid, newest, open_ in agreements}
    needs: dict[int, tuple[Any, set[str]]] = {}
    rows = session.execute(
        sa.select(
            VillageNeed.village_id, VillageNeed.kind, VillageNeed.status, VillageNeed.updated_at
        ).where(VillageNeed.village_id.in_(ids))
    )
    for vid, kind, status, updated in rows:
        newest, kinds = needs.get(vid, (updated, set()))
        if status == NeedStatus.open:
            kinds.add(str(kind))
        needs[vid] = (max(newest, updated), kinds)
    return partner, needs


def _village_document(row, partner, needs) -> dict[str, Any]:
    v = row
    agreement_updated, has_partner = partner.get(v.id, (None, False))
    needs_updated, need_kinds = needs.get(v.id, (None, set()))
    flags = [
        label
        for flag, label in (
            (v.key_village, "重点帮扶村"),
            (v.lifted_village, "脱贫村"),
            (v.relocation_site, "易地搬迁安置区"),
            (v.tourism_demo, "旅游示范村"),
        )
        if flag
    ]
    help_kinds = [k.value for k in HelpKind if k.value in need_kinds]
    summary = "。".join(p for p in (v.main_industries, v.introduction, v.resources) if p)
    context = [
        row.county_name,
        row.township_name,
        labels.COUNTY_CATEGORY[row.county_category],
        *flags,
        *(labels.HELP_KIND[HelpKind(k)] for k in help_kinds),
    ]
    attrs = PAIRING_ATTRIBUTES.encode(
        kind=VILLAGE,
        county_category=str(row.county_category),
        key_village=["1"] if v.key_village else [],
        has_partner=["1"] if has_partner else [],
        help=help_kinds,
    )
    return {
        "id": doc_id(VILLAGE, v.id),
        "key": v.id,
        "name": v.name,
        "text": f"{summary} {' '.join(context)}",
        "county": int(v.county_code),
        "attrs": attrs,
        "created": micros(v.created_at),
        "quality": _quality(v.key_village, v.created_at),
        "stamp": stamp(v.updated_at, agreement_updated, needs_updated),
    }


def _village_documents(session: Session, query: sa.Select) -> list[dict[str, Any]]:
    rows = session.execute(query).all()
    if not rows:
        return []
    partner, needs = _village_extras(session, [r.id for r in rows])
    return [_village_document(r, partner, needs) for r in rows]


# Enterprises ----------------------------------------------------------------------------------


def _enterprise_select() -> sa.Select:
    return (
        sa.select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.kind,
            Enterprise.industry,
            Enterprise.county_code,
            Enterprise.external_region,
            Enterprise.offers,
            Enterprise.introduction,
            Enterprise.created_at,
            Enterprise.updated_at,
            County.name.label("county_name"),
            County.category.label("county_category"),
        )
        .outerjoin(County, County.code == Enterprise.county_code)
        .where(Enterprise.status == RegistrationStatus.approved)
    )


def _enterprise_document(row) -> dict[str, Any]:
    e = row
    offers = from_mask(e.offers, HelpKind)
    region = row.county_name or e.external_region
    context = [
        labels.ENTERPRISE_KIND[e.kind],
        labels.INDUSTRY_SECTION.get(e.industry, ""),
        region,
        *(labels.HELP_KIND[k] for k in offers),
    ]
    attrs = PAIRING_ATTRIBUTES.encode(
        kind=ENTERPRISE,
        county_category=str(row.county_category) if row.county_category else None,
        help=[k.value for k in offers],
        enterprise_kind=str(e.kind),
        industry=e.industry,
    )
    return {
        "id": doc_id(ENTERPRISE, e.id),
        "key": e.id,
        "name": e.name,
        "text": f"{e.introduction} {' '.join(c for c in context if c)}",
        "county": int(e.county_code) if e.county_code else 0,
        "attrs": attrs,
        "created": micros(e.created_at),
        "quality": _quality(False, e.created_at),
        "stamp": micros(e.updated_at),
    }


# Batches, streams and stamps ------------------------------------------------------------------


def pairing_batch(session: Session, village_ids: Iterable[int], enterprise_ids: Iterable[int]):
    """Documents of the requested villages and approved enterprises; the rest are missing."""
    documents: dict[str, dict[str, Any]] = {}
    requested: list[str] = []
    villages, enterprises = sorted(set(village_ids)), sorted(set(enterprise_ids))
    requested += [doc_id(VILLAGE, i) for i in villages]
    requested += [doc_id(ENTERPRISE, i) for i in enterprises]
    for start in range(0, len(villages), BATCH):
        chunk = villages[start : start + BATCH]
        for doc in _village_documents(session, _village_select().where(Village.id.in_(chunk))):
            documents[doc["id"]] = doc
    for start in range(0, len(enterprises), BATCH):
        chunk = enterprises[start : start + BATCH]
        for row in session.execute(_enterprise_select().where(Enterprise.id.in_(chunk))):
            doc = _enterprise_document(row)
            documents[doc["id"]] = doc
    return Batch(documents, [i for i in requested if i not in documents])


def all_pairing_documents(session: Session) -> Iterator[dict[str, Any]]:
    """Every village and approved enterprise, in keyset-paginated batches."""
    after = 0
    while docs := _village_documents(
        session, _village_select().where(Village.id > after).order_by(Village.id).limit(BATCH)
    ):
        yield from docs
        after = parse_doc_id(docs[-1]["id"])[1]
    after = 0
    while True:
        query = _enterprise_select().where(Enterprise.id > after).order_by(Enterprise.id)
        rows = session.execute(query.limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            yield _enterprise_document(row)
        after = rows[-1].id


def pairing_stamps(session: Session) -> dict[str, int]:
    """Document id → stamp of every village and approved enterprise."""
    stamps: dict[str, int] = {}
    agreements = sa.select(
        PairingAgreement.village_id.label("vid"),
        sa.func.max(PairingAgreement.updated_at).label("newest"),
    ).group_by(PairingAgreement.village_id)
    needs = sa.select(
        VillageNeed.village_id.label("vid"), sa.func.max(VillageNeed.updated_at).label("newest")
    ).group_by(VillageNeed.village_id)
    a, n = agreements.subquery(), needs.subquery()
    query = (
        sa.select(Village.id, Village.updated_at, a.c.newest, n.c.newest)
        .outerjoin(a, a.c.vid == Village.id)
        .outerjoin(n, n.c.vid == Village.id)
    )
    for vid, *moments in session.execute(query):
        stamps[doc_id(VILLAGE, vid)] = stamp(*moments)
    query = sa.select(Enterprise.id, Enterprise.updated_at).where(
        Enterprise.status == RegistrationStatus.approved
    )
    for eid, updated in session.execute(query):
        stamps[doc_id(ENTERPRISE, eid)] = micros(updated)
    return stamps


def count_pairing(session: Session) -> int:
    villages = session.execute(sa.select(sa.func.count()).select_from(Village)).scalar_one()
    enterprises = session.execute(
        sa.select(sa.func.count())
        .select_from(Enterprise)
        .where(Enterprise.status == RegistrationStatus.approved)
    ).scalar_one()
    return villages + enterprises
