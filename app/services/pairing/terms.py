"""When an agreement's term may start, and which quarters a report may be filed for.

Days are Asia/Shanghai and "today" is the clock's (``app.services.clock``), so a test or the demo
can move it (``CUNQI_FAKE_TODAY`` in development).

- A term starts no earlier than the first day of the current quarter. A paper agreement signed
  earlier and entered late may start up to ``CUNQI_AGREEMENT_LATE_START_GRACE_DAYS`` days before
  that day; it is stored with ``late_start`` (补录) so the bureau sees it when filing.
- A term starts no later than ``CUNQI_AGREEMENT_MAX_LEAD_MONTHS`` months after today.
- A report is for a quarter of the term that has ended (its last day is before today).

Existing rows that break these rules are not changed but flagged for the bureau's review
(``review_flags``, migration 0017): ``REVIEW_REASONS`` names each reason.
"""

import calendar
from datetime import date, timedelta

from app.config import get_settings
from app.errors import ValidationError
from app.services import clock
from app.services.pairing.periods import Quarter, term_quarters

# Reason codes of ``review_flags`` (space-separated on agreements and reports) and their labels.
REVIEW_REASONS = {
    "start_before_quarter": "开始日期早于提出时所在季度（超出补录宽限）",
    "start_too_far_ahead": "开始日期超出提出时允许的提前期",
    "report_quarter_not_ended": "报送时该季度尚未结束",
    "report_outside_term": "报告季度不在协议期内",
}


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def quarter_text(quarter: Quarter) -> str:
    return f"{quarter.year}年第{quarter.quarter}季度"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def start_window(today: date) -> tuple[date, date, date]:
    """(earliest start with the grace, first day of the current quarter, latest start)."""
    settings = get_settings()
    quarter_start = Quarter.of(today).start
    earliest = quarter_start - timedelta(days=settings.agreement_late_start_grace_days)
    return earliest, quarter_start, add_months(today, settings.agreement_max_lead_months)


def check_start(start_on: date, *, today: date | None = None) -> bool:
    """Whether a term starting on ``start_on`` is a late start (补录); a Chinese error on
    ``start_on`` when it may not start then at all."""
    today = today or clock.today()
    earliest, quarter_start, latest = start_window(today)
    if start_on < earliest:
        quarter = Quarter.of(today)
        message = (
            f"开始日期不能早于本季度（{quarter_text(quarter)}）第一天 {day_text(quarter_start)}"
        )
        if earliest < quarter_start:
            message += f"；补录已签订的纸质协议，最早可从 {day_text(earliest)} 开始"
        raise ValidationError(message, code="start_too_early", field="start_on")
    if start_on > latest:
        months = get_settings().agreement_max_lead_months
        raise ValidationError(
            f"开始日期不能晚于 {day_text(latest)}（最多提前 {months} 个月）",
            code="start_too_far",
            field="start_on",
        )
    return start_on < quarter_start


def check_report_quarter(quarter: Quarter, start_on: date, end_on: date, today: date) -> None:
    """A Chinese error on ``period`` unless ``quarter`` is an ended quarter of the term."""
    if quarter not in term_quarters(start_on, end_on):
        raise ValidationError(
            f"{quarter_text(quarter)}不在协议期（{day_text(start_on)} 至 {day_text(end_on)}）内",
            code="period_invalid",
            field="period",
        )
    if quarter.end >= today:
        raise ValidationError(
            f"{quarter_text(quarter)}尚未结束（{day_text(quarter.end)} 结束），"
            "季度结束后才能报送成效",
            code="period_not_ended",
            field="period",
        )


def review_labels(flags: str) -> list[str]:
    """The labels of a row's ``review_flags``."""
    return [REVIEW_REASONS.get(code, code) for code in flags.split()]
