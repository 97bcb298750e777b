"""The facts recommendation scores read, for any number of villages or enterprises in one query.

Per village: its county's category, whether it has a partner (an active agreement) and whether
one of those is overdue, and the kinds of its open needs as a bit mask (``SUM(DISTINCT bit)`` works
on SQLite and PostgreSQL alike). Per enterprise: its open agreements against its capacity and
whether any of its agreements is overdue. No per-row queries: the statement count is fixed.
The numeric columns of all villages and enterprises, which recommendations score, are cached under
the pairing change stamp (app/services/stamps.py).
"""

from collections.abc import Iterable
from dataclasses import fields
from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session

from app.models import County, Enterprise, PairingAgreement, Township, Village, VillageNeed
from app.models.enums import (
    OPEN_AGREEMENT_STATUSES,
    AgreementStatus,
    CountyCategory,
    HelpKind,
    NeedStatus,
    RegistrationStatus,
)
from app.services.pairing.periods import last_closed_quarter, overdue_condition
from app.services.pairing.scoring import (
    NO_COUNTY,
    SECTION_TRAITS,
    TRAITS,
    EnterpriseColumns,
    EnterpriseFacts,
    VillageColumns,
    VillageFacts,
    int_table,
    trait_mask,
    wanted_traits,
)
from app.services.stamps import PAIRING, StampedCache

# The numeric facts of all villages and all approved enterprises, two entries per stamp and
# quarter; a few megabytes at province scale.
_columns_cache = StampedCache(PAIRING, size=8)


def need_mask_subquery(ids: list[int] | None = None) -> sa.Subquery:
    """village_id → mask of the kinds of its open needs (of the villages ``ids`` only, if given)."""
    bit = sa.case({kind.value: 1 << i for i, kind in enumerate(HelpKind)}, value=VillageNeed.kind)
    return (
        sa.select(
            VillageNeed.village_id.label("village_id"),
            sa.cast(sa.func.sum(sa.distinct(bit)), sa.Integer).label("mask"),
        )
        .where(VillageNeed.status == NeedStatus.open, *_among(VillageNeed.village_id, ids))
        .group_by(VillageNeed.village_id)
        .subquery("open_needs")
    )


def partner_subquery(today: date, ids: list[int] | None = None) -> sa.Subquery:
    """village_id → 1 if one of its active agreements is overdue, else 0; only paired villages."""
    overdue = sa.case((overdue_condition(today), 1), else_=0)
    return (
        sa.select(
            PairingAgreement.village_id.label("village_id"),
            sa.func.max(overdue).label("overdue"),
        )
        .where(
            PairingAgreement.status == AgreementStatus.active,
            *_among(PairingAgreement.village_id, ids),
        )
        .group_by(PairingAgreement.village_id)
        .subquery("partners")
    )


def _among(column, ids: list[int] | None) -> list[sa.ColumnElement[bool]]:
    return [] if ids is None else [column.in_(ids)]


def village_facts(
    session: Session,
    *,
    where: Iterable[sa.ColumnElement[bool]] = (),
    ids: list[int] | None = None,
    today: date,
) -> list[VillageFacts]:
    """Facts of the villages matching ``where`` (conditions on Village, County) and, if given,
    with one of ``ids``, in id order."""
    needs, partners = need_mask_subquery(ids), partner_subquery(today, ids)
    where = [*where, *_among(Village.id, ids)]
    query = (
        sa.select(
            Village.id,
            Village.name,
            Village.county_code,
            County.name.label("county_name"),
            County.category,
            Township.name.label("township_name"),
            Village.key_village,
            Village.main_industries,
            Village.tourism_demo,
            Village.pv_station,
            Village.relocation_site,
            needs.c.mask,
            partners.c.village_id.label("partner"),
            partners.c.overdue,
        )
        .join(County, County.code == Village.county_code)
        .join(Township, Township.code == Village.township_code)
        .outerjoin(needs, needs.c.village_id == Village.id)
        .outerjoin(partners, partners.c.village_id == Village.id)
        .where(*where)
        .order_by(Village.id)
    )
    return [
        VillageFacts(
            id=row.id,
            name=row.name,
            county_code=row.county_code,
            county_name=row.county_name,
            township_name=row.township_name,
            key_county=row.category == CountyCategory.key,
            key_village=bool(row.key_village),
            has_partner=row.partner is not None,
            partner_overdue=bool(row.overdue),
            needs=int(row.mask or 0),
            traits=trait_mask(
                main_industries=row.main_industries or "",
                tourism_demo=bool(row.tourism_demo),
                pv_station=bool(row.pv_station),
                relocation_site=bool(row.relocation_site),
            ),
            main_industries=row.main_industries or "",
        )
        for row in session.execute(query)
    ]


def _flag(condition) -> sa.Case:
    return sa.case((condition, 1), else_=0)


def village_columns(session: Session, *, today: date) -> VillageColumns:
    """The numeric facts of every village, as numpy columns in id order (read-only arrays).

    Cached under the pairing change stamp (app/services/stamps.py) and the last closed quarter
    (which decides "overdue"): while no village, need, enterprise, agreement or report changes,
    a request reads one stamp instead of scanning them. Callers filter with ``select``.
    """
    quarter = last_closed_quarter(today)
    return _columns_cache.get(
        session, ("villages", quarter), lambda: _village_columns(session, today)
    )


def clear_columns_cache() -> None:
    """Forget the cached columns (tests that count the statements of a computation)."""
    _columns_cache.clear()


def _village_columns(session: Session, today: date) -> VillageColumns:
    """Three plain queries (the villages, the open needs, the active agreements) merged with
    numpy: joining the aggregates to 20,000 villages in SQL costs SQLite more than the three
    scans, and reading plain integers from the cursor builds no Python object per village."""
    traits = (
        _flag(Village.main_industries != "") * (1 << TRAITS.index("agriculture"))
        + _flag(Village.tourism_demo.is_(True)) * (1 << TRAITS.index("tourism"))
        + _flag(Village.pv_station.is_(True)) * (1 << TRAITS.index("solar"))
        + _flag(Village.relocation_site.is_(True)) * (1 << TRAITS.index("relocation"))
    )
    villages = _integers(
        session,
        sa.select(
            Village.id,
            sa.cast(Village.county_code, sa.Integer),
            _flag(County.category == CountyCategory.key),
            _flag(Village.key_village.is_(True)),
            traits,
        )
        .join(County, County.code == Village.county_code)
        .order_by(Village.id),
        5,
    )
    needs = need_mask_subquery()
    masks = _integers(session, sa.select(needs.c.village_id, needs.c.mask), 2)
    active = _active_agreements(session, today)
    ids = villages[:, 0]
    need_mask = _lookup(ids, masks)
    has_partner = np.isin(ids, active[:, 0]).astype(np.int64)
    partner_overdue = np.isin(ids, active[active[:, 2] == 1, 0]).astype(np.int64)
    return _read_only(
        VillageColumns(
            ids=np.ascontiguousarray(ids),
            county=np.ascontiguousarray(villages[:, 1]),
            key_county=np.ascontiguousarray(villages[:, 2]),
            key_village=np.ascontiguousarray(villages[:, 3]),
            has_partner=has_partner,
            partner_overdue=partner_overdue,
            needs=need_mask,
            traits=np.ascontiguousarray(villages[:, 4]),
        )
    )


def _read_only(columns):
    """The same columns, frozen: a cached array must not be changed by one caller for the next."""
    for field in fields(columns):
        getattr(columns, field.name).flags.writeable = False
    return columns


def _integers(session: Session, query: sa.Select, width: int) -> np.ndarray:
    """A query of integer columns as a 2-D array, read straight from the DB-API cursor."""
    result = session.connection().execute(query)
    try:
        return int_table(result.cursor.fetchall(), width)
    finally:
        result.close()


def _lookup(ids: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """For each of ``ids``, the value of ``pairs`` (rows of key, value) with that key, else 0."""
    values = np.zeros(len(ids), dtype=np.int64)
    if len(pairs) == 0 or len(ids) == 0:
        return values
    order = np.argsort(pairs[:, 0])
    keys, found = pairs[order, 0], pairs[order, 1]
    at = np.minimum(np.searchsorted(keys, ids), len(keys) - 1)
    hit = keys[at] == ids
    values[hit] = found[at[hit]]
    return values


def enterprise_columns(session: Session, *, today: date) -> EnterpriseColumns:
    """The numeric facts of every approved enterprise, in id order (read-only arrays), cached
    like ``village_columns``."""
    quarter = last_closed_quarter(today)
    return _columns_cache.get(
        session, ("enterprises", quarter), lambda: _enterprise_columns(session, today)
    )


def _open_statuses_literal() -> sa.ColumnElement[bool]:
    """``status IN ('proposed', …)`` written out, not bound: SQLite then recognises the partial
    index of open pairs (uq_pairing_agreements_open_pair) and counts from it alone."""
    statuses = sa.bindparam("open_statuses", [s.value for s in OPEN_AGREEMENT_STATUSES])
    return PairingAgreement.status.in_(statuses.render_literal_execute())


def _enterprise_columns(session: Session, today: date) -> EnterpriseColumns:
    """Three plain scans merged with numpy, as for villages: the approved enterprises, their open
    agreements (an index-only count) and the active agreements with their overdue flag. One
    statement joining the aggregate took SQLite twice as long at province scale."""
    wanted = sa.case(
        {section: wanted_traits(section) for section in SECTION_TRAITS},
        value=Enterprise.industry,
        else_=0,
    )
    table = _integers(
        session,
        sa.select(
            Enterprise.id,
            sa.func.coalesce(sa.cast(Enterprise.county_code, sa.Integer), NO_COUNTY),
            Enterprise.offers,
            wanted,
            Enterprise.max_villages,
        )
        .where(Enterprise.status == RegistrationStatus.approved)
        .order_by(Enterprise.id),
        5,
    )
    open_count = _integers(
        session,
        sa.select(PairingAgreement.enterprise_id, sa.func.count())
        .where(_open_statuses_literal())
        .group_by(PairingAgreement.enterprise_id),
        2,
    )
    active = _active_agreements(session, today)
    ids, county, offers, wanted_mask, capacity = (
        np.ascontiguousarray(table[:, i]) for i in range(5)
    )
    spare = np.maximum(capacity - _lookup(ids, open_count), 0)
    overdue = np.isin(ids, active[active[:, 2] == 1, 1]).astype(np.int64)
    return _read_only(EnterpriseColumns(ids, county, offers, wanted_mask, overdue, spare))


def _active_agreements(session: Session, today: date) -> np.ndarray:
    """Rows of (village_id, enterprise_id, overdue 0/1), one per active agreement: read from the
    covering index of agreements with one report look-up each, and grouped by numpy either way
    (a GROUP BY makes SQLite read the agreements through another index, row by row)."""
    overdue = sa.case((overdue_condition(today), 1), else_=0)
    return _integers(
        session,
        sa.select(PairingAgreement.village_id, PairingAgreement.enterprise_id, overdue).where(
            PairingAgreement.status == AgreementStatus.active
        ),
        3,
    )


def open_agreements_subquery(today: date, ids: list[int] | None = None) -> sa.Subquery:
    """enterprise_id → number of open agreements and whether any of them is overdue."""
    overdue = sa.case((overdue_condition(today), 1), else_=0)
    return (
        sa.select(
            PairingAgreement.enterprise_id.label("enterprise_id"),
            sa.func.count().label("open_count"),
            sa.func.max(overdue).label("overdue"),
        )
        .where(
            PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES),
            *_among(PairingAgreement.enterprise_id, ids),
        )
        .group_by(PairingAgreement.enterprise_id)
        .subquery("open_agreements")
    )


def enterprise_facts(
    session: Session,
    *,
    where: Iterable[sa.ColumnElement[bool]] = (),
    ids: list[int] | None = None,
    today: date,
) -> list[EnterpriseFacts]:
    """Facts of the approved enterprises matching ``where`` and, if given, with one of ``ids``,
    in id order."""
    agreements = open_agreements_subquery(today, ids)
    where = [*where, *_among(Enterprise.id, ids)]
    open_count = sa.func.coalesce(agreements.c.open_count, 0)
    query = (
        sa.select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.kind,
            Enterprise.industry,
            Enterprise.county_code,
            Enterprise.external_region,
            County.name.label("county_name"),
            Enterprise.offers,
            Enterprise.max_villages,
            open_count.label("open_count"),
            agreements.c.overdue,
        )
        .outerjoin(County, County.code == Enterprise.county_code)
        .outerjoin(agreements, agreements.c.enterprise_id == Enterprise.id)
        .where(Enterprise.status == RegistrationStatus.approved, *where)
        .order_by(Enterprise.id)
    )
    return [
        EnterpriseFacts(
            id=row.id,
            name=row.name,
            kind=row.kind,
            industry=row.industry,
            county_code=row.county_code,
            region_name=row.county_name or row.external_region,
            offers=row.offers,
            overdue=bool(row.overdue),
            spare=max(0, row.max_villages - row.open_count),
        )
        for row in session.execute(query)
    ]


def spare_capacity_condition() -> sa.ColumnElement[bool]:
    """SQL: the enterprise may still take on a village (max_villages above its open agreements)."""
    agreements = (
        sa.select(sa.func.count())
        .where(
            PairingAgreement.enterprise_id == Enterprise.id,
            PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES),
        )
        .scalar_subquery()
    )
    return Enterprise.max_villages > agreements
