"""Listing agreements and reports scoped to the actor, and the bureau's queues (details.py: one
agreement or report in full).

An enterprise sees its own agreements, a village the agreements made with it, a bureau officer
those of villages in the officer's region, an admin all of them. Lists are one query per page plus
a count.
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session

from app.actors import Actor
from app.models import (
    County,
    Enterprise,
    OutcomeReport,
    PairingAgreement,
    Village,
)
from app.models.enums import AgreementStatus, HelpKind, ReportStatus
from app.models.flags import from_mask
from app.permissions import (
    AGREEMENTS,
    can_list_agreements,
    can_review_pairing,
    require,
)
from app.services.pairing.listing import PAGE_SIZE, Page, clamp
from app.services.pairing.periods import (
    local_today,
    overdue_condition,
)

PA = PairingAgreement


@dataclass(frozen=True, slots=True)
class AgreementRow:
    id: int
    number: str
    status: AgreementStatus
    version: int
    enterprise_id: int
    enterprise_name: str
    village_id: int
    village_name: str
    county_name: str
    help_kinds: list[HelpKind]
    start_on: date
    end_on: date
    proposed_at: datetime
    overdue: bool
    late_start: bool = False  # 补录 (decision 0030)
    review_flags: str = ""  # 待核查 reason codes (migration 0017)


@dataclass(frozen=True, slots=True)
class ReportRow:
    id: int
    agreement_id: int
    number: str
    enterprise_name: str
    village_name: str
    county_name: str
    year: int
    quarter: int
    status: ReportStatus
    version: int
    submitted_at: datetime

    @property
    def period(self) -> str:
        return f"{self.year}Q{self.quarter}"


@dataclass(frozen=True, slots=True)
class ReviewQueues:
    pending_filings: Page[AgreementRow]
    reports_to_verify: Page[ReportRow]
    overdue: Page[AgreementRow]


def agreement_scope(actor: Actor) -> sa.ColumnElement[bool]:
    """SQL: the agreements ``actor`` may see (joined with Village for the bureau's region)."""
    return AGREEMENTS.where(
        actor,
        enterprise_id=PA.enterprise_id,
        village_id=PA.village_id,
        county_code=Village.county_code,
    )


def list_agreements(
    *,
    session: Session,
    actor: Actor,
    status: AgreementStatus | None = None,
    overdue: bool = False,
    county_code: str | None = None,
    q: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
    today: date | None = None,
    needs_review: bool = False,
) -> Page[AgreementRow]:
    """The agreements the actor may see, newest first, filtered (``needs_review``: 待核查, a
    late start or a rule an older row broke)."""
    require(can_list_agreements(actor))
    today = today or local_today()
    late = overdue_condition(today)
    conditions = [agreement_scope(actor)]
    if status is not None:
        conditions.append(PA.status == status)
    if overdue:
        conditions.append(late)
    if needs_review:
        conditions.append(sa.or_(PA.late_start.is_(True), PA.review_flags != ""))
    if county_code:
        conditions.append(Village.county_code == county_code)
    if q.strip():
        pattern = f"%{q.strip()}%"
        conditions.append(
            sa.or_(
                PA.number.like(pattern), Enterprise.name.like(pattern), Village.name.like(pattern)
            )
        )
    total = session.execute(_joined_for(sa.select(sa.func.count()).select_from(PA), conditions))
    total = total.scalar_one()
    number = clamp(page, total, size)
    # Limit before join: the page's ids come from the (proposed_at, id) index alone, and only
    # those rows are joined to their names and checked for an overdue report.
    ids = (
        _joined_for(sa.select(PA.id), conditions)
        .order_by(PA.proposed_at.desc(), PA.id.desc())
        .limit(size)
        .offset((number - 1) * size)
        .subquery()
    )
    query = (
        sa.select(
            PA,
            Enterprise.name.label("enterprise_name"),
            Village.name.label("village_name"),
            County.name.label("county_name"),
            sa.case((late, 1), else_=0).label("overdue"),
        )
        .join(ids, ids.c.id == PA.id)
        .join(Village, Village.id == PA.village_id)
        .join(County, County.code == Village.county_code)
        .join(Enterprise, Enterprise.id == PA.enterprise_id)
        .order_by(PA.proposed_at.desc(), PA.id.desc())
    )
    rows = [_agreement_row(row) for row in session.execute(query)]
    return Page(rows, total, number, size)


def _joined_for(query: sa.Select, conditions: list) -> sa.Select:
    """``query`` over agreements, joined to villages and enterprises only if a condition reads
    them (a city officer's list without filters counts the agreements' own index)."""
    tables = {t for condition in conditions for t in find_tables(condition, check_columns=True)}
    if Village.__table__ in tables:
        query = query.join(Village, Village.id == PA.village_id)
    if Enterprise.__table__ in tables:
        query = query.join(Enterprise, Enterprise.id == PA.enterprise_id)
    return query.where(*conditions)


def _agreement_row(row) -> AgreementRow:
    a: PairingAgreement = row.PairingAgreement
    return AgreementRow(
        id=a.id,
        number=a.number,
        status=a.status,
        version=a.version,
        enterprise_id=a.enterprise_id,
        enterprise_name=row.enterprise_name,
        village_id=a.village_id,
        village_name=row.village_name,
        county_name=row.county_name,
        help_kinds=from_mask(a.help_kinds, HelpKind),
        start_on=a.start_on,
        end_on=a.end_on,
        proposed_at=a.proposed_at,
        overdue=bool(row.overdue),
        late_start=a.late_start,
        review_flags=a.review_flags,
    )


def list_reports(
    *,
    session: Session,
    actor: Actor,
    status: ReportStatus | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page[ReportRow]:
    """The outcome reports of the agreements the actor may see, most recently submitted first."""
    require(can_list_agreements(actor))
    conditions = [agreement_scope(actor)]
    if status is not None:
        conditions.append(OutcomeReport.status == status)
    joined = (
        sa.select(OutcomeReport.id)
        .join(PA, PA.id == OutcomeReport.agreement_id)
        .join(Village, Village.id == PA.village_id)
        .where(*conditions)
    )
    total = session.execute(sa.select(sa.func.count()).select_from(joined.subquery())).scalar_one()
    number = clamp(page, total, size)
    query = (
        sa.select(
            OutcomeReport,
            PA.number,
            Enterprise.name.label("enterprise_name"),
            Village.name.label("village_name"),
            County.name.label("county_name"),
        )
        .join(PA, PA.id == OutcomeReport.agreement_id)
        .join(Village, Village.id == PA.village_id)
        .join(County, County.code == Village.county_code)
        .join(Enterprise, Enterprise.id == PA.enterprise_id)
        .where(*conditions)
        .order_by(OutcomeReport.submitted_at.desc(), OutcomeReport.id.desc())
        .limit(size)
        .offset((number - 1) * size)
    )
    rows = []
    for row in session.execute(query):
        r: OutcomeReport = row.OutcomeReport
        rows.append(
            ReportRow(
                id=r.id,
                agreement_id=r.agreement_id,
                number=row.number,
                enterprise_name=row.enterprise_name,
                village_name=row.village_name,
                county_name=row.county_name,
                year=r.year,
                quarter=r.quarter,
                status=r.status,
                version=r.version,
                submitted_at=r.submitted_at,
            )
        )
    return Page(rows, total, number, size)


def review_queues(
    *, session: Session, actor: Actor, size: int = 10, today: date | None = None
) -> ReviewQueues:
    """The bureau's three queues: agreements to file, reports to verify, overdue agreements."""
    require(can_review_pairing(actor))
    return ReviewQueues(
        pending_filings=list_agreements(
            session=session, actor=actor, status=AgreementStatus.signed, size=size, today=today
        ),
        reports_to_verify=list_reports(
            session=session, actor=actor, status=ReportStatus.confirmed, size=size
        ),
        overdue=list_agreements(session=session, actor=actor, overdue=True, size=size, today=today),
    )
