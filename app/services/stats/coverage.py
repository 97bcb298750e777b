"""Coverage (覆盖): villages with an active agreement among all villages, by county and category.

A village counts as paired while it has an active (履行中) agreement, as on the home page
(app/services/overview.py, whose figure types are reused here); the bureau sees its region only.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import County, PairingAgreement, Village
from app.models.enums import AgreementStatus, CountyCategory
from app.services.overview import CategoryFigures, CountyFigures
from app.services.stats.scope import in_region

UNPAIRED_LIST_LIMIT = 50


@dataclass(frozen=True, slots=True)
class UnpairedVillage:
    id: int
    code: str
    name: str
    county_name: str
    households: int
    lifted_households: int


@dataclass(frozen=True, slots=True)
class Coverage:
    categories: tuple[CategoryFigures, ...]
    unpaired_key: tuple[UnpairedVillage, ...]  # the first UNPAIRED_LIST_LIMIT, by county and code

    @property
    def counties(self) -> tuple[CountyFigures, ...]:
        return tuple(c for group in self.categories for c in group.counties)

    @property
    def total(self) -> CategoryFigures:
        """The region's totals, summed like a category's subtotals."""
        return CategoryFigures(category=None, counties=self.counties)


def _paired() -> sa.Subquery:
    return (
        sa.select(PairingAgreement.village_id)
        .where(PairingAgreement.status == AgreementStatus.active)
        .distinct()
        .subquery("paired")
    )


def coverage(session: Session, actor: Actor) -> Coverage:
    """Villages, key villages and paired villages per county in the region (two statements)."""
    paired = _paired()
    is_key = Village.key_village.is_(True)
    rows = session.execute(
        sa.select(
            County.code,
            County.name,
            County.category,
            sa.func.count(Village.id).label("villages"),
            sa.func.count(Village.id).filter(is_key).label("key_villages"),
            sa.func.count(paired.c.village_id).label("paired_villages"),
            sa.func.count(Village.id)
            .filter(is_key, paired.c.village_id.is_(None))
            .label("unpaired_key_villages"),
        )
        .select_from(County)
        .outerjoin(Village, Village.county_code == County.code)
        .outerjoin(paired, paired.c.village_id == Village.id)
        .where(in_region(actor, County.code))
        .group_by(County.code, County.name, County.category)
        .order_by(County.code)
    ).all()
    by_category: dict[CountyCategory, list[CountyFigures]] = {c: [] for c in CountyCategory}
    for row in rows:
        county = CountyFigures(**{**row._mapping, "category": CountyCategory(row.category)})
        by_category[county.category].append(county)
    categories = tuple(
        CategoryFigures(category=category, counties=tuple(counties))
        for category, counties in by_category.items()
        if counties
    )
    return Coverage(categories=categories, unpaired_key=_unpaired_key(session, actor, paired))


def _unpaired_key(session: Session, actor: Actor, paired: sa.Subquery) -> tuple:
    rows = session.execute(
        sa.select(
            Village.id,
            Village.code,
            Village.name,
            County.name,
            Village.households,
            Village.lifted_households,
        )
        .join(County, County.code == Village.county_code)
        .outerjoin(paired, paired.c.village_id == Village.id)
        .where(
            Village.key_village.is_(True),
            paired.c.village_id.is_(None),
            in_region(actor, Village.county_code),
        )
        .order_by(Village.county_code, Village.code)
        .limit(UNPAIRED_LIST_LIMIT)
    ).all()
    return tuple(UnpairedVillage(*row) for row in rows)
