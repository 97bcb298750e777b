"""The bureau's 劳务协作 figures by county and month: postings published, workers hired, the share
hired into 帮扶车间 and nearby jobs, and the stable-at-6-months rate (decision 0038).

A posting counts in the month it was published, a hire in the month of its hire date. The
stable-at-6-months rate of a county and month is the workers confirmed still employed at six
months over the workers hired that month whose 6-month check has fallen due (confirmed or not:
a check the village has not confirmed counts as nobody confirmed). Rows are the officer's region.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import County
from app.models.labour import HIRED_STATUSES, JobPosting, LabourApplication, PostingKind
from app.permissions import REGION_ROWS
from app.services.sales_summary import local_month

A = LabourApplication
NEARBY_KINDS = (PostingKind.workshop, PostingKind.nearby)


@dataclass(slots=True)
class LabourMonth:
    county_code: str
    county_name: str
    month: str  # YYYY-MM
    postings: int = 0
    hires: int = 0
    nearby_hires: int = 0
    due_at_six: int = 0  # hired workers whose 6-month check has fallen due
    stable_at_six: int = 0

    @property
    def nearby_share(self) -> float | None:
        return self.nearby_hires / self.hires if self.hires else None

    @property
    def stable_rate(self) -> float | None:
        return self.stable_at_six / self.due_at_six if self.due_at_six else None


def labour_by_county_month(
    session: Session, actor: Actor, today: date, county: str | None = None
) -> list[LabourMonth]:
    """Every county and month with a posting or a hire, in the actor's region, newest first."""
    names = dict(session.execute(sa.select(County.code, County.name)).all())
    rows: dict[tuple[str, str], LabourMonth] = {}

    def row(code: str, month: str) -> LabourMonth:
        key = (code, month)
        if key not in rows:
            rows[key] = LabourMonth(code, names.get(code, code), month)
        return rows[key]

    month = local_month(session, JobPosting.created_at)
    postings = (
        sa.select(JobPosting.county_code, month, sa.func.count())
        .where(*_scope(actor, county, JobPosting.county_code))
        .group_by(JobPosting.county_code, month)
    )
    for code, when, count in session.execute(postings):
        row(code, when).postings += count
    hired_month = sa.func.substr(sa.cast(A.hired_on, sa.String), 1, 7)
    nearby = sa.case((JobPosting.kind.in_(NEARBY_KINDS), A.hired_count), else_=0)
    due = sa.case((A.check_6_due <= today, A.hired_count), else_=0)
    stable = sa.case((A.check_6_due <= today, A.stable_count), else_=0)
    hires = (
        sa.select(
            A.county_code,
            hired_month,
            sa.func.sum(A.hired_count),
            sa.func.sum(nearby),
            sa.func.sum(due),
            sa.func.sum(stable),
        )
        .join(JobPosting, JobPosting.id == A.posting_id)
        .where(
            A.status.in_(HIRED_STATUSES),
            A.hired_on.is_not(None),
            *_scope(actor, county, A.county_code),
        )
        .group_by(A.county_code, hired_month)
    )
    for code, when, hired, near, due_six, stable_six in session.execute(hires):
        item = row(code, when)
        item.hires += int(hired or 0)
        item.nearby_hires += int(near or 0)
        item.due_at_six += int(due_six or 0)
        item.stable_at_six += int(stable_six or 0)
    return sorted(rows.values(), key=lambda r: (r.month, r.county_code), reverse=True)


def _scope(actor: Actor, county: str | None, column) -> list:
    conditions = [REGION_ROWS.where(actor, county_code=column)]
    if county:
        conditions.append(column == county)
    return conditions
