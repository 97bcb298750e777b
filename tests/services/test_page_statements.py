"""The bureau's agreement list and inbox: a fixed number of statements whatever the data's size,
counts that join only what a condition reads, and pages that load only their own rows."""

from datetime import date

from app.models import PairingAgreement
from app.models.enums import AgreementStatus, ReportStatus
from app.services import inbox
from app.services.pairing import queries
from tests.factories import make_agreement
from tests.pairing_factories import bureau_actor, make_report
from tests.statements import recorded_statements

CITY = bureau_actor("140800")
COUNTY = bureau_actor("140829")
TODAY = date(2026, 11, 29)


def _agreements(session, n: int, status=AgreementStatus.signed) -> list[int]:
    return [make_agreement(session, status=status).id for _ in range(n)]


def _list(session, actor, **filters):
    with recorded_statements(session) as seen:
        page = queries.list_agreements(session=session, actor=actor, today=TODAY, **filters)
    return page, seen


def test_the_list_takes_two_statements_for_a_small_and_a_large_table(session):
    small = _agreements(session, 3)
    page, seen = _list(session, CITY)
    assert [row.id for row in page.items] == small[::-1]
    assert (page.total, len(seen)) == (3, 2)

    everything = small + _agreements(session, 45)
    for number, expected in ((1, everything[::-1][:20]), (3, everything[::-1][40:])):
        page, seen = _list(session, CITY, page=number)
        assert [row.id for row in page.items] == expected
        assert (page.total, page.number, len(seen)) == (48, number, 2)


def test_the_count_joins_villages_only_when_a_condition_reads_them(session):
    _agreements(session, 2)
    _, seen = _list(session, CITY)
    assert "JOIN" not in seen[0]
    assert seen[0].startswith("SELECT count(*)")
    page, seen = _list(session, COUNTY)
    assert "JOIN villages" in seen[0] and "enterprises" not in seen[0]
    assert page.total == 2
    page, seen = _list(session, CITY, q="测试")
    assert "JOIN villages" in seen[0] and "JOIN enterprises" in seen[0]
    assert page.total == 2
    page, _ = _list(session, bureau_actor("140830"))
    assert (page.total, page.items) == (0, [])


def test_the_page_query_joins_names_after_the_limit(session):
    _agreements(session, 25)
    page, seen = _list(session, CITY, status=AgreementStatus.signed)
    assert (page.total, len(page.items)) == (25, 20)
    rows = seen[1]
    # The ids are chosen (ordered and limited) in a subquery of the agreements alone.
    start = rows.index("JOIN (SELECT pairing_agreements.id AS id") + len("JOIN ")
    inner = rows[start : rows.index(") AS anon_1")]
    assert "LIMIT" in inner and "JOIN" not in inner and "villages" not in inner


def _inbox(session, actor, size=20):
    with recorded_statements(session) as seen:
        groups = {
            g.key: g for g in inbox.inbox(session=session, actor=actor, today=TODAY, size=size)
        }
    return groups, seen


def test_the_bureau_inbox_takes_the_same_statements_for_a_small_and_a_large_region(session):
    signed = _agreements(session, 2)
    for agreement_id in _agreements(session, 2, status=AgreementStatus.active):
        report = make_report(session, _agreement(session, agreement_id), 2026, 3)
        report.status = ReportStatus.confirmed
    session.flush()
    groups, seen = _inbox(session, CITY)
    assert (groups["filings"].count, groups["reports_to_verify"].count) == (2, 2)
    assert [item.link for item in groups["filings"].items] == [f"/agreements/{i}" for i in signed]
    # One statement of counts (joining nothing for the whole city), one per kind with to-dos.
    assert len(seen) == 3
    assert "JOIN" not in seen[0]

    signed += _agreements(session, 30)
    groups, seen = _inbox(session, CITY, size=5)
    assert groups["filings"].count == 32
    assert [item.link for item in groups["filings"].items] == [
        f"/agreements/{i}" for i in signed[:5]
    ]
    assert len(seen) == 3

    groups, seen = _inbox(session, COUNTY, size=5)
    assert (groups["filings"].count, groups["reports_to_verify"].count) == (32, 2)
    assert len(seen) == 3
    assert "JOIN villages" in seen[0]


def _agreement(session, agreement_id):
    return session.get(PairingAgreement, agreement_id)
