"""Counties, villages and village needs for lists: filters, orderings and batch loads."""

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session

from app.models import County, PairingAgreement, Township, Village, VillageNeed
from app.models.enums import AgreementStatus, CountyCategory, HelpKind, NeedStatus
from app.services.queries.batches import by_keys


class VillageOrder(StrEnum):
    code = "code"
    name = "name"
    population_desc = "population_desc"
    updated_desc = "updated_desc"


@dataclass(frozen=True, slots=True)
class VillageFilter:
    """Every field narrows the list; None leaves it open."""

    county_code: str | None = None
    county_category: CountyCategory | None = None
    key_village: bool | None = None
    # Paired: the village has an active (履行中) agreement, as on the home page's figures.
    paired: bool | None = None
    # The village has an open need (待对接) of this kind.
    need_kind: HelpKind | None = None


_VILLAGE_ORDER = {
    VillageOrder.code: (Village.code,),
    VillageOrder.name: (Village.name, Village.id),
    VillageOrder.population_desc: (Village.population.desc(), Village.id),
    VillageOrder.updated_desc: (Village.updated_at.desc(), Village.id.desc()),
}


def select_villages(
    filters: VillageFilter = VillageFilter(), order: VillageOrder = VillageOrder.code
) -> sa.Select:
    """Villages matching ``filters``; every village's public profile is visible to everyone."""
    query = sa.select(Village)
    if filters.county_code is not None:
        query = query.where(Village.county_code == filters.county_code)
    if filters.county_category is not None:
        in_category = sa.select(County.code).where(County.category == filters.county_category)
        query = query.where(Village.county_code.in_(in_category))
    if filters.key_village is not None:
        query = query.where(Village.key_village.is_(filters.key_village))
    if filters.paired is not None:
        active = sa.exists().where(
            PairingAgreement.village_id == Village.id,
            PairingAgreement.status == AgreementStatus.active,
        )
        query = query.where(active if filters.paired else ~active)
    if filters.need_kind is not None:
        query = query.where(
            sa.exists().where(
                VillageNeed.village_id == Village.id,
                VillageNeed.kind == filters.need_kind,
                VillageNeed.status == NeedStatus.open,
            )
        )
    return query.order_by(*_VILLAGE_ORDER[order])


def all_counties(session: Session) -> list[County]:
    return list(session.execute(sa.select(County).order_by(County.code)).scalars())


def counties_by_code(session: Session, codes) -> dict[str, County]:
    return by_keys(session, County.code, codes)


def townships_by_code(session: Session, codes) -> dict[str, Township]:
    return by_keys(session, Township.code, codes)


def villages_by_id(session: Session, ids) -> dict[int, Village]:
    return by_keys(session, Village.id, ids)


def village_by_code(session: Session, code: str) -> Village | None:
    # A village code is 12 digits: anything else names no village, and never reaches the
    # database (PostgreSQL refuses text holding a NUL byte with an error, not an empty result).
    if not (len(code) == 12 and code.isascii() and code.isdigit()):
        return None
    return session.execute(sa.select(Village).where(Village.code == code)).scalar_one_or_none()


def county_codes_of_villages(session: Session, ids) -> dict[int, str]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.execute(sa.select(Village.id, Village.county_code).where(Village.id.in_(wanted)))
    return dict(rows.all())


def needs_by_id(session: Session, ids) -> dict[int, VillageNeed]:
    return by_keys(session, VillageNeed.id, ids)


def select_needs(*, status: NeedStatus | None = None, kind: HelpKind | None = None) -> sa.Select:
    """Village needs (public, like the village profile), newest first."""
    query = sa.select(VillageNeed)
    if status is not None:
        query = query.where(VillageNeed.status == status)
    if kind is not None:
        query = query.where(VillageNeed.kind == kind)
    return query.order_by(*NEED_ORDER)


NEED_ORDER = (VillageNeed.created_at.desc(), VillageNeed.id.desc())
