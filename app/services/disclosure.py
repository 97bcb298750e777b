"""Public disclosure (公示): what the programmes announce to everyone, without signing in.

Only public facts leave this module: organisation and village names, help kinds, terms, product
names and certification dates, and sums of *verified* outcome figures. Never a person's name,
phone or ID number, never a contact, never a figure the bureau has not verified. Each query
selects the columns it shows, so a private column cannot slip onto the page by accident.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from app.models import (
    CertificationApplication,
    Cooperative,
    County,
    Enterprise,
    OutcomeReport,
    PairingAgreement,
    Product,
    Township,
    Village,
)
from app.models.base import utcnow
from app.models.enums import (
    AgreementStatus,
    CertificationStatus,
    HelpKind,
    ProductStatus,
    RegistrationStatus,
    ReportStatus,
)
from app.models.flags import from_mask
from app.services import clock
from app.services.overview import CountyFigures, TownshipFigures, county_figures, township_figures
from app.services.paging import Page

PA = PairingAgreement
OR = OutcomeReport


@dataclass(frozen=True, slots=True)
class CountyCount:
    code: str
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class PublicPairing:
    number: str
    enterprise: str
    village: str
    township: str
    help_kinds: list[HelpKind]
    start_on: date
    end_on: date


@dataclass(frozen=True, slots=True)
class PublicProduct:
    application_id: int
    product_id: int
    product: str
    cooperative: str
    village: str
    county: str
    expires_on: date
    notice_ends_at: datetime | None


@dataclass(frozen=True, slots=True)
class OutcomeTotal:
    county_code: str
    county: str
    year: int
    quarter: int
    reports: int
    funding_fen: int
    jobs: int
    trainees: int
    purchase_fen: int
    beneficiaries: int


def _page(session: Session, query: sa.Select, build, *, page: int, size: int) -> Page:
    """One page of ``query``'s rows, each turned into a value by ``build``."""
    total = session.execute(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    number = min(max(1, page), max(1, -(-total // size)))
    rows = session.execute(query.limit(size).offset((number - 1) * size))
    return Page([build(*row) for row in rows], total, number, size)


def _public_pairing():
    """Active agreements of approved enterprises: the ones that are in force and public."""
    return sa.and_(
        PA.status == AgreementStatus.active, Enterprise.status == RegistrationStatus.approved
    )


def pairing_counts(*, session: Session) -> list[CountyCount]:
    """Active pairings per county, every county listed (zero included)."""
    counted = (
        sa.select(Village.county_code, sa.func.count(PA.id).label("n"))
        .join(PA, PA.village_id == Village.id)
        .join(Enterprise, Enterprise.id == PA.enterprise_id)
        .where(_public_pairing())
        .group_by(Village.county_code)
        .subquery()
    )
    rows = session.execute(
        sa.select(County.code, County.name, sa.func.coalesce(counted.c.n, 0))
        .outerjoin(counted, counted.c.county_code == County.code)
        .order_by(County.code)
    )
    return [CountyCount(code, name, n) for code, name, n in rows]


def active_pairings(
    *, session: Session, county_code: str, page: int = 1, size: int = 50
) -> Page[PublicPairing]:
    """Active pairings in one county, by township and village."""
    query = (
        sa.select(
            PA.number,
            Enterprise.name,
            Village.name,
            Township.name,
            PA.help_kinds,
            PA.start_on,
            PA.end_on,
        )
        .join(Village, Village.id == PA.village_id)
        .join(Township, Township.code == Village.township_code)
        .join(Enterprise, Enterprise.id == PA.enterprise_id)
        .where(_public_pairing(), Village.county_code == county_code)
        .order_by(Township.code, Village.code, PA.number)
    )

    def build(number, enterprise, village, township, kinds, start_on, end_on):
        kinds = from_mask(kinds, HelpKind)
        return PublicPairing(number, enterprise, village, township, kinds, start_on, end_on)

    return _page(session, query, build, page=page, size=size)


def _products(*conditions) -> sa.Select:
    return (
        sa.select(
            CertificationApplication.id,
            Product.id,
            Product.name,
            Cooperative.name,
            Village.name,
            County.name,
            CertificationApplication.expires_on,
            CertificationApplication.notice_ends_at,
        )
        .join(Product, Product.id == CertificationApplication.product_id)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .join(Village, Village.id == Product.village_id)
        .join(County, County.code == Village.county_code)
        .where(*conditions)
    )


def certified_products(
    *, session: Session, today: date | None = None, page: int = 1, size: int = 50
) -> Page[PublicProduct]:
    """Listed products whose certification is in force, soonest expiry first."""
    today = today or clock.today()
    query = _products(
        CertificationApplication.status == CertificationStatus.approved,
        Product.status == ProductStatus.listed,
        Product.assistance_certified_until >= today,
        CertificationApplication.expires_on == Product.assistance_certified_until,
    ).order_by(CertificationApplication.expires_on, Product.id)
    return _page(session, query, PublicProduct, page=page, size=size)


def products_on_notice(*, session: Session, now: datetime | None = None) -> list[PublicProduct]:
    """Certifications in their notice period, open to objection, ending soonest first."""
    query = _products(
        CertificationApplication.status == CertificationStatus.publicised,
        CertificationApplication.notice_ends_at > (now or utcnow()),
    ).order_by(CertificationApplication.notice_ends_at, CertificationApplication.id)
    return [PublicProduct(*row) for row in session.execute(query)]


def verified_outcomes(*, session: Session, county_code: str | None = None) -> list[OutcomeTotal]:
    """Sums of verified outcome reports by county and quarter, newest quarter first."""
    conditions = [OR.status == ReportStatus.verified]
    if county_code:
        conditions.append(Village.county_code == county_code)
    rows = session.execute(
        sa.select(
            County.code,
            County.name,
            OR.year,
            OR.quarter,
            sa.func.count(OR.id),
            sa.func.sum(OR.actual_funding_business_fen + OR.actual_funding_welfare_fen),
            sa.func.sum(OR.actual_jobs),
            sa.func.sum(OR.actual_trainees),
            sa.func.sum(OR.actual_purchase_fen),
            sa.func.sum(OR.actual_beneficiaries),
        )
        .join(PA, PA.id == OR.agreement_id)
        .join(Village, Village.id == PA.village_id)
        .join(County, County.code == Village.county_code)
        .where(*conditions)
        .group_by(County.code, County.name, OR.year, OR.quarter)
        .order_by(OR.year.desc(), OR.quarter.desc(), County.code)
    )
    # PostgreSQL sums BIGINT as NUMERIC: back to exact integers.
    return [
        OutcomeTotal(code, name, year, quarter, *(int(v or 0) for v in sums))
        for code, name, year, quarter, *sums in rows
    ]


def county_coverage(*, session: Session) -> tuple[CountyFigures, ...]:
    """Key villages and paired key villages per county of the city, for the public map: the
    dashboard's own figures (``county_figures``), counts only, no village named."""
    return tuple(c for group in county_figures(session) for c in group.counties)


def township_coverage(*, session: Session, county_code: str) -> tuple[TownshipFigures, ...]:
    """The same figures per township of one county (empty for an unknown county)."""
    return township_figures(session, county_code)
