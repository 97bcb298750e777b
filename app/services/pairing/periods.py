"""Quarters of the reporting calendar and which agreements are overdue.

Days are counted in Asia/Shanghai: at 00:30 on 1 January in 运城 it is still 31 December in UTC, and
the quarter that just closed is already the fourth. Pure functions take ``today`` (a local date) so
the boundaries can be tested; ``overdue_condition`` turns the same rule into SQL.

Every quarter of an active agreement's term counts: a quarter's report is overdue once the
reporting window (报送期, ``reporting_window_days`` after the quarter's end) has passed without a
report or a bureau waiver (免报). ``is_overdue``/``missing_quarters`` and their SQL twins
``overdue_condition``/``missing_quarters_query`` are the only definition of overdue: the to-dos,
lists, dashboard, ledger and GraphQL all read it from here.
"""

from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.config import get_settings
from app.models import OutcomeReport, PairingAgreement, ReportWaiver
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


def reporting_window_days() -> int:
    """The 报送期: days after a quarter's end before its missing report is overdue."""
    return get_settings().reporting_window_days


def last_due_quarter(today: date, window: int | None = None) -> Quarter:
    """The most recent quarter whose reporting window has passed by ``today``: it, and every
    quarter before it, is overdue when its report is missing. On the first days of a quarter
    (within the window) this is the quarter before the one that just closed."""
    window = reporting_window_days() if window is None else window
    quarter = last_closed_quarter(today)
    while today <= quarter.end + timedelta(days=window):
        quarter = quarter.previous()
    return quarter


def due_quarters(start_on: date, end_on: date, today: date, window: int | None = None):
    """The quarters of the term [start_on, end_on] whose report is due by ``today``."""
    last = last_due_quarter(today, window)
    return [q for q in term_quarters(start_on, end_on) if q <= last]


def missing_quarters(
    *, start_on: date, end_on: date, covered: set[Quarter], today: date, window: int | None = None
) -> list[Quarter]:
    """The due quarters of a term with neither a report nor a waiver (``covered``), in order."""
    return [q for q in due_quarters(start_on, end_on, today, window) if q not in covered]


def is_overdue(
    *,
    status: AgreementStatus,
    start_on: date,
    end_on: date,
    reported: set[Quarter],
    today: date,
    window: int | None = None,
) -> bool:
    """An active agreement with a due quarter (see ``last_due_quarter``) that has neither a
    report nor a waiver (``reported`` holds both)."""
    return status == AgreementStatus.active and bool(
        missing_quarters(
            start_on=start_on, end_on=end_on, covered=reported, today=today, window=window
        )
    )


def quarter_index(quarter: Quarter) -> int:
    """year × 4 + quarter − 1: consecutive quarters are consecutive numbers."""
    return quarter.year * 4 + quarter.quarter - 1


def from_index(index: int) -> Quarter:
    return Quarter(index // 4, index % 4 + 1)


def quarter_of_day(day) -> sa.ColumnElement[int]:
    """``quarter_index`` of the quarter of a date column, in SQL (integer division on both
    backends)."""
    year = sa.cast(sa.extract("year", day), sa.Integer)
    month = sa.cast(sa.extract("month", day), sa.Integer)
    return year * 4 + (month - 1) // 3


def _stored_index(table) -> sa.ColumnElement[int]:
    return table.year * 4 + table.quarter - 1


def due_span(today: date, agreement=PairingAgreement, window: int | None = None):
    """The first and last ``quarter_index`` of the agreement's quarters due by ``today``
    (last < first when none is due yet), as SQL expressions."""
    last_due = quarter_index(last_due_quarter(today, window))
    end = quarter_of_day(agreement.end_on)
    last = sa.case((end < last_due, end), else_=last_due)
    return quarter_of_day(agreement.start_on), last


def covered_count(first, last, agreement=PairingAgreement) -> sa.ScalarSelect:
    """How many quarters in [first, last] of the agreement have a report (of any status) or,
    without one, a waiver: each quarter counts once."""
    reports = (
        sa.select(sa.func.count())
        .select_from(OutcomeReport)
        .where(
            OutcomeReport.agreement_id == agreement.id,
            _stored_index(OutcomeReport).between(first, last),
        )
    )
    reported = sa.select(OutcomeReport.id).where(
        OutcomeReport.agreement_id == ReportWaiver.agreement_id,
        OutcomeReport.year == ReportWaiver.year,
        OutcomeReport.quarter == ReportWaiver.quarter,
    )
    waivers = (
        sa.select(sa.func.count())
        .select_from(ReportWaiver)
        .where(
            ReportWaiver.agreement_id == agreement.id,
            _stored_index(ReportWaiver).between(first, last),
            ~reported.exists(),
        )
    )
    return reports.scalar_subquery() + waivers.scalar_subquery()


def overdue_condition(
    today: date, agreement=PairingAgreement, window: int | None = None
) -> sa.ColumnElement[bool]:
    """SQL twin of ``is_overdue`` for rows of ``agreement`` (the table or an alias of it): an
    active agreement with fewer covered quarters than due ones."""
    first, last = due_span(today, agreement, window)
    return sa.and_(
        agreement.status == AgreementStatus.active,
        agreement.start_on <= last_due_quarter(today, window).end,
        covered_count(first, last, agreement) < last - first + 1,
    )


def missing_quarters_query(
    today: date, *conditions, agreement=PairingAgreement, window: int | None = None
) -> sa.Select:
    """One row (``agreement_id``, ``quarter_index``) per missing quarter of the active agreements
    matching ``conditions``: the same rule as ``missing_quarters``, listed in SQL. The quarters
    are counted by a recursive calendar that starts with each matching agreement's first one."""
    first, last = due_span(today, agreement, window)
    seeds = (
        sa.select(agreement.id.label("agreement_id"), first.label("idx"), last.label("last"))
        .where(
            agreement.status == AgreementStatus.active,
            agreement.start_on <= last_due_quarter(today, window).end,
            *conditions,
        )
        .cte("due_calendar", recursive=True)
    )
    calendar = seeds.union_all(
        sa.select(seeds.c.agreement_id, seeds.c.idx + 1, seeds.c.last).where(
            seeds.c.idx < seeds.c.last
        )
    )
    report = sa.select(OutcomeReport.id).where(
        OutcomeReport.agreement_id == calendar.c.agreement_id,
        _stored_index(OutcomeReport) == calendar.c.idx,
    )
    waiver = sa.select(ReportWaiver.id).where(
        ReportWaiver.agreement_id == calendar.c.agreement_id,
        _stored_index(ReportWaiver) == calendar.c.idx,
    )
    return sa.select(
        calendar.c.agreement_id.label("agreement_id"), calendar.c.idx.label("quarter_index")
    ).where(~report.exists(), ~waiver.exists())
