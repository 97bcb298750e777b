"""Browsing villages and enterprises: filtered lists and county counts (profiles: profiles.py).

Lists are public and plain SQL: one page query and one count.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.models import County, Enterprise, PairingAgreement, Township, Village, VillageNeed
from app.models.enums import (
    INDUSTRY_SECTIONS,
    CountyCategory,
    EnterpriseKind,
    HelpKind,
    NeedStatus,
    RegistrationStatus,
)
from app.models.flags import from_mask, has_any, to_mask
from app.services.overview import CountyFigures, has_active_agreement, home_figures
from app.services.pairing.facts import need_mask_subquery, open_agreements_subquery
from app.services.pairing.listing import PAGE_SIZE, Page, clamp
from app.services.pairing.periods import local_today

PA = PairingAgreement
EXTERNAL = "external"  # the county filter value for enterprises outside the city


def _enum_or_none(enum, value):
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def _flag(value) -> bool:
    return str(value).lower() in ("1", "true", "on", "yes")


@dataclass(frozen=True, slots=True)
class VillageFilters:
    county_code: str = ""
    county_category: CountyCategory | None = None
    key_only: bool = False
    unpaired_only: bool = False
    need_kind: HelpKind | None = None
    industry: str = ""
    q: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> "VillageFilters":
        """Filters from a query string; unknown values are ignored rather than refused."""
        return cls(
            county_code=str(values.get("county", "")).strip()[:6],
            county_category=_enum_or_none(CountyCategory, values.get("category")),
            key_only=_flag(values.get("key", "")),
            unpaired_only=_flag(values.get("unpaired", "")),
            need_kind=_enum_or_none(HelpKind, values.get("need")),
            industry=str(values.get("industry", "")).strip()[:20],
            q=str(values.get("q", "")).strip()[:40],
        )


@dataclass(frozen=True, slots=True)
class VillageRow:
    id: int
    name: str
    county_code: str
    county_name: str
    county_category: CountyCategory
    township_name: str
    key_village: bool
    lifted_village: bool
    main_industries: str
    paired: bool
    need_kinds: list[HelpKind]


def list_villages(
    *,
    session: Session,
    actor: Actor,
    filters: VillageFilters = VillageFilters(),
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page[VillageRow]:
    """Villages matching ``filters``, in code order (township by township); public."""
    conditions = []
    if filters.county_code:
        conditions.append(Village.county_code == filters.county_code)
    if filters.county_category is not None:
        conditions.append(County.category == filters.county_category)
    if filters.key_only:
        conditions.append(Village.key_village.is_(True))
    if filters.unpaired_only:
        conditions.append(~has_active_agreement(Village.id))
    if filters.need_kind is not None:
        open_need = sa.select(VillageNeed.id).where(
            VillageNeed.village_id == Village.id,
            VillageNeed.status == NeedStatus.open,
            VillageNeed.kind == filters.need_kind,
        )
        conditions.append(open_need.exists())
    if filters.industry:
        conditions.append(Village.main_industries.contains(filters.industry, autoescape=True))
    if filters.q:
        conditions.append(Village.name.contains(filters.q, autoescape=True))
    counted = sa.select(Village.id).join(County, County.code == Village.county_code)
    total = session.execute(
        sa.select(sa.func.count()).select_from(counted.where(*conditions).subquery())
    ).scalar_one()
    number = clamp(page, total, size)
    needs = need_mask_subquery()
    query = (
        sa.select(
            Village,
            County.name.label("county_name"),
            County.category.label("county_category"),
            Township.name.label("township_name"),
            needs.c.mask,
            has_active_agreement(Village.id).label("paired"),
        )
        .join(County, County.code == Village.county_code)
        .join(Township, Township.code == Village.township_code)
        .outerjoin(needs, needs.c.village_id == Village.id)
        .where(*conditions)
        .order_by(Village.code)
        .limit(size)
        .offset((number - 1) * size)
    )
    rows = [
        VillageRow(
            id=row.Village.id,
            name=row.Village.name,
            county_code=row.Village.county_code,
            county_name=row.county_name,
            county_category=CountyCategory(row.county_category),
            township_name=row.township_name,
            key_village=row.Village.key_village,
            lifted_village=row.Village.lifted_village,
            main_industries=row.Village.main_industries,
            paired=bool(row.paired),
            need_kinds=from_mask(int(row.mask or 0), HelpKind),
        )
        for row in session.execute(query)
    ]
    return Page(rows, total, number, size)


def county_overview(*, session: Session) -> tuple[CountyFigures, ...]:
    """Per county: villages, key villages, paired villages and unpaired key villages."""
    return home_figures(session=session).counties


def counties(*, session: Session) -> list[County]:
    return list(session.exec(select(County).order_by(County.code)).all())


@dataclass(frozen=True, slots=True)
class EnterpriseFilters:
    county_code: str = ""  # a county code, or EXTERNAL for organisations outside the city
    kind: EnterpriseKind | None = None
    offer: HelpKind | None = None
    industry: str = ""
    q: str = ""
    spare_only: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> "EnterpriseFilters":
        industry = str(values.get("industry", "")).strip().upper()[:1]
        return cls(
            county_code=str(values.get("county", "")).strip()[:8],
            kind=_enum_or_none(EnterpriseKind, values.get("kind")),
            offer=_enum_or_none(HelpKind, values.get("offer")),
            industry=industry if industry and industry in INDUSTRY_SECTIONS else "",
            q=str(values.get("q", "")).strip()[:40],
            spare_only=_flag(values.get("spare", "")),
        )


@dataclass(frozen=True, slots=True)
class EnterpriseRow:
    id: int
    name: str
    kind: EnterpriseKind
    industry: str
    region_name: str
    offers: list[HelpKind]
    open_agreements: int
    spare: int


def list_enterprises(
    *,
    session: Session,
    actor: Actor,
    filters: EnterpriseFilters = EnterpriseFilters(),
    page: int = 1,
    size: int = PAGE_SIZE,
    today: date | None = None,
) -> Page[EnterpriseRow]:
    """Approved enterprises matching ``filters``, by name; public."""
    agreements = open_agreements_subquery(today or local_today())
    open_count = sa.func.coalesce(agreements.c.open_count, 0)
    conditions = [Enterprise.status == RegistrationStatus.approved]
    if filters.county_code == EXTERNAL:
        conditions.append(Enterprise.county_code.is_(None))
    elif filters.county_code:
        conditions.append(Enterprise.county_code == filters.county_code)
    if filters.kind is not None:
        conditions.append(Enterprise.kind == filters.kind)
    if filters.offer is not None:
        conditions.append(has_any(Enterprise.offers, to_mask([filters.offer], HelpKind)))
    if filters.industry:
        conditions.append(Enterprise.industry == filters.industry)
    if filters.q:
        conditions.append(Enterprise.name.contains(filters.q, autoescape=True))
    if filters.spare_only:
        conditions.append(Enterprise.max_villages > open_count)
    base = sa.select(Enterprise.id).outerjoin(
        agreements, agreements.c.enterprise_id == Enterprise.id
    )
    total = session.execute(
        sa.select(sa.func.count()).select_from(base.where(*conditions).subquery())
    ).scalar_one()
    number = clamp(page, total, size)
    query = (
        sa.select(Enterprise, County.name.label("county_name"), open_count.label("open_count"))
        .outerjoin(County, County.code == Enterprise.county_code)
        .outerjoin(agreements, agreements.c.enterprise_id == Enterprise.id)
        .where(*conditions)
        .order_by(Enterprise.name, Enterprise.id)
        .limit(size)
        .offset((number - 1) * size)
    )
    rows = [
        EnterpriseRow(
            id=row.Enterprise.id,
            name=row.Enterprise.name,
            kind=row.Enterprise.kind,
            industry=row.Enterprise.industry,
            region_name=row.county_name or row.Enterprise.external_region,
            offers=from_mask(row.Enterprise.offers, HelpKind),
            open_agreements=row.open_count,
            spare=max(0, row.Enterprise.max_villages - row.open_count),
        )
        for row in session.execute(query)
    ]
    return Page(rows, total, number, size)
