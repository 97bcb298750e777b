"""Quarters and overdue agreements, across quarter and year boundaries in Asia/Shanghai."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.models import PairingAgreement
from app.models.enums import AgreementStatus, ReportStatus
from app.services.pairing.periods import (
    Quarter,
    is_overdue,
    last_closed_quarter,
    local_today,
    overdue_condition,
    reportable_quarters,
    term_quarters,
)
from tests.pairing_factories import make_active, make_report


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 1), Quarter(2025, 4)),
        (date(2025, 12, 31), Quarter(2025, 3)),
        (date(2026, 3, 31), Quarter(2025, 4)),
        (date(2026, 4, 1), Quarter(2026, 1)),
        (date(2026, 6, 30), Quarter(2026, 1)),
        (date(2026, 7, 1), Quarter(2026, 2)),
        (date(2026, 10, 1), Quarter(2026, 3)),
        (date(2026, 12, 31), Quarter(2026, 3)),
    ],
)
def test_last_closed_quarter(today, expected):
    assert last_closed_quarter(today) == expected


@pytest.mark.parametrize(
    ("instant", "local_day", "closed"),
    [
        # 00:30 on 1 January in 运城 is still 31 December in UTC: 2025Q4 has just closed.
        (datetime(2025, 12, 31, 16, 30, tzinfo=UTC), date(2026, 1, 1), Quarter(2025, 4)),
        (datetime(2025, 12, 31, 15, 59, tzinfo=UTC), date(2025, 12, 31), Quarter(2025, 3)),
        # 00:00 on 1 April in 运城 (16:00 UTC on 31 March): 2026Q1 has closed.
        (datetime(2026, 3, 31, 16, 0, tzinfo=UTC), date(2026, 4, 1), Quarter(2026, 1)),
        (datetime(2026, 3, 31, 15, 59, 59, tzinfo=UTC), date(2026, 3, 31), Quarter(2025, 4)),
    ],
)
def test_the_local_day_decides_the_quarter(instant, local_day, closed):
    assert local_today(instant) == local_day
    assert last_closed_quarter(local_today(instant)) == closed


def test_local_today_refuses_a_naive_time():
    with pytest.raises(ValueError):
        local_today(datetime(2026, 1, 1, 0, 0))


def test_quarter_bounds_parse_and_neighbours():
    assert (Quarter(2026, 1).start, Quarter(2026, 1).end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert Quarter(2024, 1).end == date(2024, 3, 31)
    assert (Quarter(2026, 4).start, Quarter(2026, 4).end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2025, 4).next() == Quarter(2026, 1)
    assert Quarter.parse("2026q3") == Quarter(2026, 3)
    assert Quarter(2026, 3).period == "2026Q3"
    for bad in ("2026Q5", "2026", "Q3", "abcdQ1"):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def test_term_and_reportable_quarters():
    assert term_quarters(date(2025, 11, 15), date(2026, 4, 30)) == [
        Quarter(2025, 4),
        Quarter(2026, 1),
        Quarter(2026, 2),
    ]
    # Only quarters that have ended: on the last day of 2026Q1 it is not yet reportable ...
    assert reportable_quarters(date(2025, 11, 15), date(2026, 4, 30), date(2026, 3, 31)) == [
        Quarter(2025, 4),
    ]
    # ... on the first day of the next quarter it is.
    assert reportable_quarters(date(2025, 11, 15), date(2026, 4, 30), date(2026, 4, 1)) == [
        Quarter(2025, 4),
        Quarter(2026, 1),
    ]


def _overdue(start, end, reported, today, status=AgreementStatus.active) -> bool:
    """Overdue with no reporting window, so the quarter boundaries themselves are tested (the
    window's edges: tests/services/test_overdue_quarters.py)."""
    return is_overdue(
        status=status, start_on=start, end_on=end, reported=reported, today=today, window=0
    )


def _year(year: int, *quarters: int) -> set[Quarter]:
    return {Quarter(year, q) for q in quarters or (1, 2, 3, 4)}


@pytest.mark.parametrize(
    ("start", "end", "reported", "today", "expected"),
    [
        # New year's day: the previous year's fourth quarter is due, with all before it.
        (date(2025, 1, 1), date(2027, 12, 31), set(), date(2026, 1, 1), True),
        (date(2025, 1, 1), date(2027, 12, 31), _year(2025), date(2026, 1, 1), False),
        # Every missed quarter counts, not only the last: 2025Q1–Q3 are still missing.
        (date(2025, 1, 1), date(2027, 12, 31), _year(2025, 4), date(2026, 1, 1), True),
        # A report for the current quarter does not stand in for a closed one.
        (date(2025, 1, 1), date(2027, 12, 31), {Quarter(2026, 1)}, date(2026, 1, 2), True),
        # The last day of a quarter: the quarters before it are the ones due.
        (date(2025, 1, 1), date(2027, 12, 31), _year(2025, 1, 2, 3), date(2025, 12, 31), False),
        (date(2025, 1, 1), date(2027, 12, 31), _year(2025, 1, 2, 3), date(2026, 1, 1), True),
        # A term starting after the closed quarter owes nothing yet.
        (date(2026, 1, 1), date(2028, 12, 31), set(), date(2026, 3, 31), False),
        (date(2026, 1, 1), date(2028, 12, 31), set(), date(2026, 4, 1), True),
        # A term that began on the quarter's last day still owes that quarter.
        (date(2025, 12, 31), date(2027, 12, 30), set(), date(2026, 1, 1), True),
        # A term that has ended owes the quarters it had, until they are reported or waived.
        (date(2024, 1, 1), date(2025, 9, 30), set(), date(2026, 1, 1), True),
        (
            date(2024, 1, 1),
            date(2025, 9, 30),
            _year(2024) | _year(2025, 1, 2, 3),
            date(2026, 1, 1),
            False,
        ),
    ],
)
def test_overdue_across_quarter_and_year_boundaries(start, end, reported, today, expected):
    assert _overdue(start, end, reported, today) is expected


@pytest.mark.parametrize("status", [s for s in AgreementStatus if s != AgreementStatus.active])
def test_only_active_agreements_are_overdue(status):
    assert _overdue(date(2025, 1, 1), date(2027, 12, 31), set(), date(2026, 1, 1), status) is False


def test_the_sql_condition_agrees_with_the_pure_function(session):
    cases = {
        "unreported": make_active(session, start_on=date(2025, 1, 1)),
        "reported": make_active(session, start_on=date(2025, 1, 1)),
        "returned": make_active(session, start_on=date(2025, 1, 1)),
        "started_later": make_active(session, start_on=date(2026, 1, 1)),
        "signed": make_active(session, start_on=date(2025, 1, 1), status=AgreementStatus.signed),
    }
    for quarter in (1, 2, 3):
        make_report(session, cases["reported"], 2025, quarter)
        make_report(session, cases["returned"], 2025, quarter)
    make_report(session, cases["reported"], 2025, 4)
    # A returned report still counts as a report: it is being corrected, not missing.
    make_report(session, cases["returned"], 2025, 4, status=ReportStatus.returned)
    make_report(session, cases["unreported"], 2026, 1)
    expected = {
        date(2025, 12, 31): {"unreported"},
        date(2026, 1, 1): {"unreported"},
        date(2026, 4, 1): {"unreported", "reported", "returned", "started_later"},
    }
    for today, names in expected.items():
        in_sql = set(
            session.execute(
                sa.select(PairingAgreement.id).where(overdue_condition(today, window=0))
            ).scalars()
        )
        in_python = set()
        for agreement in cases.values():
            session.refresh(agreement)
            reported = {Quarter(r.year, r.quarter) for r in agreement.reports}
            if _overdue(agreement.start_on, agreement.end_on, reported, today, agreement.status):
                in_python.add(agreement.id)
        assert in_sql == in_python == {cases[name].id for name in names}, today


@pytest.mark.parametrize("text", ["99999999999999999999Q1", "0Q1", "202Q1", "20260Q1", "-2026Q1"])
def test_a_quarter_outside_four_digit_years_is_not_a_quarter(text):
    with pytest.raises(ValueError):
        Quarter.parse(text)
