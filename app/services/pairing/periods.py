"""Quarters of the reporting calendar and which agreements are overdue.

Days are counted in Asia/Shanghai: at 00:30 on 1 January in 运城 it is still 31 December in UTC, and
the quarter that just closed is already the fourth. Pure functions take ``today`` (a local date) so
the boundaries can be tested; ``overdue_condition`` turns the same rule into SQL.
"""

from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.models import OutcomeReport, PairingAgreement
from app.models.enums import AgreementStatus
from app.services import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Quarter(NamedTuple):
    year: int
    quarter: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        if self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @property
    def period(self) -> str:
        """``2026Q3``, the form value and the OutcomeReport.period spelling."""
        return f"{self.year}Q{self.quarter}"

    def previous(self) -> "Quarter":
        return (
            Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)
        )

    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)
        )

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """``"2026Q3"`` → Quarter(2026, 3); ValueError for anything else."""
        year, sep, number = str(text).strip().upper().partition("Q")
        # Four-digit years only: a quarter is within the dates every input is bounded to.
        if not sep or not (len(year) == 4 and year.isdigit()) or number not in ("1", "2", "3", "4"):
            raise ValueError(f"not a quarter like 2026Q3: {text!r}")
        return cls(int(year), int(number))


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Shanghai (of ``now``, an aware instant, when given; else the clock's
    today, which ``CUNQI_FAKE_TODAY`` moves in development)."""
    if now is None:
        return clock.today()
    moment = now
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; pass an aware instant")
    return moment.astimezone(SHANGHAI).date()


def last_closed_quarter(today: date) -> Quarter:
    """The most recent quarter that has fully ended before ``today`` (a local date)."""
    return Quarter.of(today).previous()


def term_quarters(start_on: date, end_on: date) -> list[Quarter]:
    """Every quarter that overlaps the term [start_on, end_on], in order."""
    quarters, current = [], Quarter.of(start_on)
    last = Quarter.of(end_on)
    while current <= last:
        quarters.append(current)
        current = current.next()
    return quarters


def reportable_quarters(start_on: date, end_on: date, today: date) -> list[Quarter]:
    """Quarters of the term that have ended before ``today``: a report may be filed for each."""
    return [q for q in term_quarters(start_on, end_on) if q.end < today]


def final_quarter(end_on: date) -> Quarter:
    """The quarter whose report is the agreement's final report."""
    return Quarter.of(end_on)


def is_overdue(
    *, status: AgreementStatus, start_on: date, end_on: date, reported: set[Quarter], today: date
) -> bool:
    """An active agreement whose term covers the last closed quarter and has no report for it."""
    quarter = last_closed_quarter(today)
    return (
        status == AgreementStatus.active
        and start_on <= quarter.end
        and end_on >= quarter.start
        and quarter not in reported
    )


def overdue_condition(today: date, agreement=PairingAgreement) -> sa.ColumnElement[bool]:
    """SQL twin of ``is_overdue`` for rows of ``agreement`` (the table or an alias of it)."""
    quarter = last_closed_quarter(today)
    report = sa.select(OutcomeReport.id).where(
        OutcomeReport.agreement_id == agreement.id,
        OutcomeReport.year == quarter.year,
        OutcomeReport.quarter == quarter.quarter,
    )
    return sa.and_(
        agreement.status == AgreementStatus.active,
        agreement.start_on <= quarter.end,
        agreement.end_on >= quarter.start,
        ~report.exists(),
    )
