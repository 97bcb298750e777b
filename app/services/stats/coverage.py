"""Coverage (覆盖): villages with an active agreement among all villages, by county and category.

A village counts as paired while it has an active (履行中) agreement, as on the home page
(app/services/overview.py, whose figure types are reused here); the bureau sees its region only.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import County, Village
from app.services.overview import (
    CategoryFigures,
    CountyFigures,
    TownshipFigures,
    county_figures,
    is_unpaired_key_village,
    township_figures,
)
from app.services.stats.scope import in_region, require_statistics

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


def coverage(session: Session, actor: Actor) -> Coverage:
    """Villages, key villages and paired villages per county in the region (two statements)."""
    return Coverage(
        categories=county_figures(session, in_region(actor, County.code)),
        unpaired_key=_unpaired_key(session, actor),
    )


def _unpaired_key(session: Session, actor: Actor) -> tuple:
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
        .where(is_unpaired_key_village(), in_region(actor, Village.county_code))
        .order_by(Village.county_code, Village.code)
        .limit(UNPAIRED_LIST_LIMIT)
    ).all()
    return tuple(UnpairedVillage(*row) for row in rows)


def township_coverage(
    session: Session, actor: Actor, county_code: str
) -> tuple[County, tuple[TownshipFigures, ...]] | None:
    """A county's townships for the coverage map; None for a county outside the region."""
    require_statistics(actor)
    county = session.execute(
        sa.select(County).where(County.code == county_code, in_region(actor, County.code))
    ).scalar_one_or_none()
    if county is None:
        return None
    return county, township_figures(session, county.code)
