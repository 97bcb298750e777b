"""The bureau's 劳务协作 figures by county and month: postings, hires, the nearby share and the
stable-at-6-months rate, in the officer's region."""

from datetime import UTC, date, datetime

from app.models.labour import ApplicationStatus, PostingKind
from app.services.labour.figures import labour_by_county_month
from tests.factories import make_enterprise, make_village
from tests.labour_factories import make_application, make_posting, make_supply
from tests.pairing_factories import bureau_actor

TODAY = date(2026, 12, 7)


def test_figures_by_county_and_month(session):
    village = make_village(session)
    employer = make_enterprise(session)
    at = {"created_at": datetime(2026, 5, 10, 4, tzinfo=UTC)}
    workshop = make_posting(session, enterprise=employer, kind=PostingKind.workshop, **at)
    away = make_posting(session, enterprise=employer, kind=PostingKind.away, **at)
    hired = {"hired_on": date(2026, 5, 20), "check_6_due": date(2026, 11, 20)}
    make_application(
        session,
        make_supply(session, village),
        workshop,
        status=ApplicationStatus.stable,
        hired_count=6,
        retained_count=5,
        stable_count=4,
        **hired,
    )
    make_application(
        session,
        make_supply(session, village),
        away,
        status=ApplicationStatus.hired,
        hired_count=4,
        **hired,
    )
    make_application(session, make_supply(session, village), away)  # not hired: not counted
    (row,) = labour_by_county_month(session, bureau_actor("140829"), TODAY)
    assert (row.county_code, row.month, row.postings, row.hires) == ("140829", "2026-05", 2, 10)
    assert row.nearby_share == 0.6
    assert row.stable_rate == 0.4  # 4 of the 10 whose 6-month check is due
    assert labour_by_county_month(session, bureau_actor("140830"), TODAY) == []
