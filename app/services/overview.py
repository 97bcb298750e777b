"""Public headline figures for the home page, computed with a few aggregate queries."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from app.models import (
    Cooperative,
    County,
    Enterprise,
    PairingAgreement,
    Product,
    Township,
    Village,
)
from app.models.enums import AgreementStatus, CountyCategory, ProductStatus, RegistrationStatus


@dataclass(frozen=True, slots=True)
class CountyFigures:
    """One county's villages and how many of them are paired."""

    code: str
    name: str
    category: CountyCategory
    villages: int
    key_villages: int
    paired_villages: int
    unpaired_key_villages: int


@dataclass(frozen=True, slots=True)
class CategoryFigures:
    """The counties of one category (先行示范县, 整体推进县, 重点帮扶县) and their subtotals."""

    category: CountyCategory
    counties: tuple[CountyFigures, ...]

    @property
    def villages(self) -> int:
        return sum(c.villages for c in self.counties)

    @property
    def key_villages(self) -> int:
        return sum(c.key_villages for c in self.counties)

    @property
    def paired_villages(self) -> int:
        return sum(c.paired_villages for c in self.counties)

    @property
    def unpaired_key_villages(self) -> int:
        return sum(c.unpaired_key_villages for c in self.counties)


@dataclass(frozen=True, slots=True)
class HomeFigures:
    """What the home page shows.

    A village is paired when it has an active (履行中) agreement; enterprises and cooperatives count
    once the bureau has approved their registration; products count while listed (在售).
    """

    categories: tuple[CategoryFigures, ...]
    agreements_by_status: tuple[tuple[AgreementStatus, int], ...]
    enterprises: int
    cooperatives: int
    listed_products: int

    @property
    def is_empty(self) -> bool:
        return not self.categories

    @property
    def counties(self) -> tuple[CountyFigures, ...]:
        return tuple(c for group in self.categories for c in group.counties)

    @property
    def villages(self) -> int:
        return sum(g.villages for g in self.categories)

    @property
    def key_villages(self) -> int:
        return sum(g.key_villages for g in self.categories)

    @property
    def paired_villages(self) -> int:
        return sum(g.paired_villages for g in self.categories)

    @property
    def unpaired_key_villages(self) -> int:
        return sum(g.unpaired_key_villages for g in self.categories)

    @property
    def agreements(self) -> int:
        return sum(count for _, count in self.agreements_by_status)


def home_figures(*, session: Session) -> HomeFigures:
    """Count counties' villages, pairings, agreements, organisations and listed products."""
    return HomeFigures(
        categories=county_figures(session),
        agreements_by_status=_agreements_by_status(session),
        **_organisation_counts(session),
    )


def paired_villages() -> sa.Subquery:
    """Villages with an active (履行中) agreement, each once."""
    return (
        sa.select(PairingAgreement.village_id)
        .where(PairingAgreement.status == AgreementStatus.active)
        .distinct()
        .subquery("paired")
    )


def has_active_agreement(village_id) -> sa.Exists:
    """The village (a column or a value) is paired: it has an active (履行中) agreement."""
    return (
        sa.select(PairingAgreement.id)
        .where(
            PairingAgreement.village_id == village_id,
            PairingAgreement.status == AgreementStatus.active,
        )
        .exists()
    )


def is_unpaired_key_village(village=Village) -> sa.ColumnElement[bool]:
    """未结对重点帮扶村: a key village (重点帮扶村) without an active agreement. Every page, sheet
    and field that shows this label counts with this rule (``county_figures`` counts it per county
    with the same outer join over ``paired_villages``; tests/services/test_figures_consistency.py
    holds them equal)."""
    return sa.and_(village.key_village.is_(True), ~has_active_agreement(village.id))


def county_figures(
    session: Session, scope: sa.ColumnElement[bool] | None = None
) -> tuple[CategoryFigures, ...]:
    """One row per county (``scope``: a condition on ``County.code``), grouped by category;
    counties without villages still appear with zeros. The dashboard's coverage shares it."""
    paired = paired_villages()
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
        .where(sa.true() if scope is None else scope)
        .group_by(County.code, County.name, County.category)
        .order_by(County.code)
    ).all()
    by_category: dict[CountyCategory, list[CountyFigures]] = {c: [] for c in CountyCategory}
    for row in rows:
        county = CountyFigures(**{**row._mapping, "category": CountyCategory(row.category)})
        by_category[county.category].append(county)
    return tuple(
        CategoryFigures(category=category, counties=tuple(counties))
        for category, counties in by_category.items()
        if counties
    )


@dataclass(frozen=True, slots=True)
class TownshipFigures:
    """One township's key villages (重点帮扶村) and how many of them are paired."""

    code: str
    name: str
    villages: int
    key_villages: int
    paired_key_villages: int


def township_figures(session: Session, county_code: str) -> tuple[TownshipFigures, ...]:
    """One row per township of the county, by code (townships without villages with zeros);
    paired as in ``county_figures``, so a county's townships add up to its row there."""
    paired = paired_villages()
    is_key = Village.key_village.is_(True)
    rows = session.execute(
        sa.select(
            Township.code,
            Township.name,
            sa.func.count(Village.id).label("villages"),
            sa.func.count(Village.id).filter(is_key).label("key_villages"),
            sa.func.count(paired.c.village_id).filter(is_key).label("paired_key_villages"),
        )
        .select_from(Township)
        .outerjoin(Village, Village.township_code == Township.code)
        .outerjoin(paired, paired.c.village_id == Village.id)
        .where(Township.county_code == county_code)
        .group_by(Township.code, Township.name)
        .order_by(Township.code)
    ).all()
    return tuple(TownshipFigures(**row._mapping) for row in rows)


def _agreements_by_status(session: Session) -> tuple[tuple[AgreementStatus, int], ...]:
    counts: dict[str, int] = dict(
        session.execute(
            sa.select(PairingAgreement.status, sa.func.count()).group_by(PairingAgreement.status)
        ).all()
    )
    return tuple((status, counts.get(status.value, 0)) for status in AgreementStatus)


def _organisation_counts(session: Session) -> dict[str, int]:
    def count(model, condition) -> sa.ScalarSelect:
        return sa.select(sa.func.count()).select_from(model).where(condition).scalar_subquery()

    row = session.execute(
        sa.select(
            count(Enterprise, Enterprise.status == RegistrationStatus.approved).label(
                "enterprises"
            ),
            count(Cooperative, Cooperative.status == RegistrationStatus.approved).label(
                "cooperatives"
            ),
            count(Product, Product.status == ProductStatus.listed).label("listed_products"),
        )
    ).one()
    return dict(row._mapping)
