"""Every missed quarter counts, after the reporting window (报送期): the pure rule and its SQL
twins agree at the edges (last day of a quarter, the window's last day, year end, Asia/Shanghai)."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.models import PairingAgreement, ReportWaiver
from app.models.enums import AgreementStatus
from app.services.pairing.periods import (
    Quarter,
    from_index,
    is_overdue,
    last_due_quarter,
    local_today,
    missing_quarters,
    missing_quarters_query,
    overdue_condition,
)
from tests.pairing_factories import make_active, make_report


@pytest.mark.parametrize(
    ("today", "window", "expected"),
    [
        # The last day of a quarter: it has not ended, the one before is due after its window.
        (date(2026, 3, 31), 15, Quarter(2025, 4)),
        # Nothing turns overdue on the first day of a quarter.
        (date(2026, 4, 1), 15, Quarter(2025, 4)),
        # The window's last day (31 March + 15 days = 15 April) is still within it …
        (date(2026, 4, 15), 15, Quarter(2025, 4)),
        # … the day after, the quarter is due.
        (date(2026, 4, 16), 15, Quarter(2026, 1)),
        # Year end: 2026Q4 becomes due on 16 January 2027.
        (date(2026, 12, 31), 15, Quarter(2026, 3)),
        (date(2027, 1, 15), 15, Quarter(2026, 3)),
        (date(2027, 1, 16), 15, Quarter(2026, 4)),
        # No window: due the day after the quarter ends.
        (date(2026, 4, 1), 0, Quarter(2026, 1)),
        (date(2026, 3, 31), 0, Quarter(2025, 4)),
    ],
)
def test_last_due_quarter_at_the_edges(today, window, expected):
    assert last_due_quarter(today, window) == expected


def test_the_window_is_counted_in_shanghai_days():
    # 00:30 on 16 January 2027 in 运城 is still 15 January in UTC: 2026Q4 is due already.
    instant = datetime(2027, 1, 15, 16, 30, tzinfo=UTC)
    assert last_due_quarter(local_today(instant), 15) == Quarter(2026, 4)
    assert last_due_quarter(local_today(datetime(2027, 1, 15, 15, 59, tzinfo=UTC)), 15) == Quarter(
        2026, 3
    )


def test_the_window_setting_is_read(monkeypatch):
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "reporting_window_days", 30)
    assert last_due_quarter(date(2026, 4, 30)) == Quarter(2025, 4)
    assert last_due_quarter(date(2026, 5, 1)) == Quarter(2026, 1)


def test_every_missing_quarter_counts_not_only_the_last():
    quarters = missing_quarters(
        start_on=date(2025, 11, 15),
        end_on=date(2027, 6, 30),
        covered={Quarter(2026, 1)},
        today=date(2026, 10, 20),
        window=15,
    )
    assert quarters == [Quarter(2025, 4), Quarter(2026, 2), Quarter(2026, 3)]
    assert is_overdue(
        status=AgreementStatus.active,
        start_on=date(2025, 11, 15),
        end_on=date(2027, 6, 30),
        reported={Quarter(2026, 2), Quarter(2026, 3)},  # 2025Q4 and 2026Q1 still missing
        today=date(2026, 10, 20),
        window=15,
    )
    assert not is_overdue(
        status=AgreementStatus.terminated,
        start_on=date(2025, 11, 15),
        end_on=date(2027, 6, 30),
        reported=set(),
        today=date(2026, 10, 20),
        window=15,
    )


def _sql_overdue(session, today, window):
    rows = session.exec(
        sa.select(PairingAgreement.id).where(overdue_condition(today, window=window))
    ).all()
    return {row[0] for row in rows}


def _sql_missing(session, today, window, agreement_id):
    query = missing_quarters_query(today, PairingAgreement.id == agreement_id, window=window)
    return sorted(from_index(row.quarter_index) for row in session.execute(query))


@pytest.mark.parametrize(
    "today",
    [
        date(2026, 3, 31),
        date(2026, 4, 1),
        date(2026, 4, 15),
        date(2026, 4, 16),
        date(2026, 12, 31),
        date(2027, 1, 15),
        date(2027, 1, 16),
        date(2028, 3, 1),
    ],
)
def test_the_sql_twins_equal_the_pure_rule(session, today):
    term = {"start_on": date(2025, 11, 15), "end_on": date(2026, 12, 31)}
    gap = make_active(session, **term)  # 2026Q1 reported, 2025Q4 waived, the rest missing
    make_report(session, gap, 2026, 1)
    session.add(
        ReportWaiver(agreement_id=gap.id, year=2025, quarter=4, reason="协议签订当季不报送")
    )
    full = make_active(session, **term)
    for quarter in (Quarter(2025, 4), *(Quarter(2026, n) for n in (1, 2, 3, 4))):
        make_report(session, full, quarter.year, quarter.quarter)
    session.flush()
    covered = {gap.id: {Quarter(2026, 1), Quarter(2025, 4)}, full.id: set()}
    covered[full.id] = {Quarter(2025, 4), *(Quarter(2026, n) for n in (1, 2, 3, 4))}
    expected_overdue = set()
    for agreement in (gap, full):
        expected = missing_quarters(**term, covered=covered[agreement.id], today=today, window=15)
        assert _sql_missing(session, today, 15, agreement.id) == expected
        if expected:
            expected_overdue.add(agreement.id)
    assert _sql_overdue(session, today, 15) & {gap.id, full.id} == expected_overdue
