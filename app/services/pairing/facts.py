"""The facts recommendation scores read, for any number of villages or enterprises in one query.

Per village: its county's category, whether it has a partner (an active agreement) and whether
one of those is overdue, and the kinds of its open needs as a bit mask (``SUM(DISTINCT bit)`` works
on SQLite and PostgreSQL alike). Per enterprise: its open agreements against its capacity and
whether any of its agreements is overdue. No per-row queries: the statement count is fixed.
"""

from collections.abc import Iterable
from datetime import date

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
from app.services.pairing.periods import overdue_condition
from app.services.pairing.scoring import EnterpriseFacts, VillageFacts, trait_mask


def need_mask_subquery() -> sa.Subquery:
    """village_id → mask of the kinds of its open needs."""
    bit = sa.case({kind.value: 1 << i for i, kind in enumerate(HelpKind)}, value=VillageNeed.kind)
    return (
        sa.select(
            VillageNeed.village_id.label("village_id"),
            sa.func.sum(sa.distinct(bit)).label("mask"),
        )
        .where(VillageNeed.status == NeedStatus.open)
        .group_by(VillageNeed.village_id)
        .subquery("open_needs")
    )


def partner_subquery(today: date) -> sa.Subquery:
    """village_id → 1 if one of its active agreements is overdue, else 0; only paired villages."""
    overdue = sa.case((overdue_condition(today), 1), else_=0)
    return (
        sa.select(
            PairingAgreement.village_id.label("village_id"),
            sa.func.max(overdue).label("overdue"),
        )
        .where(PairingAgreement.status == AgreementStatus.active)
        .group_by(PairingAgreement.village_id)
        .subquery("partners")
    )


def village_facts(
    session: Session, *, where: Iterable[sa.ColumnElement[bool]] = (), today: date
) -> list[VillageFacts]:
    """Facts of the villages matching ``where`` (conditions on Village, County), in id order."""
    needs, partners = need_mask_subquery(), partner_subquery(today)
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


def open_agreements_subquery(today: date) -> sa.Subquery:
    """enterprise_id → number of open agreements and whether any of them is overdue."""
    overdue = sa.case((overdue_condition(today), 1), else_=0)
    return (
        sa.select(
            PairingAgreement.enterprise_id.label("enterprise_id"),
            sa.func.count().label("open_count"),
            sa.func.max(overdue).label("overdue"),
        )
        .where(PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES))
        .group_by(PairingAgreement.enterprise_id)
        .subquery("open_agreements")
    )


def enterprise_facts(
    session: Session, *, where: Iterable[sa.ColumnElement[bool]] = (), today: date
) -> list[EnterpriseFacts]:
    """Facts of the approved enterprises matching ``where``, in id order."""
    agreements = open_agreements_subquery(today)
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
