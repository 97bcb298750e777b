"""The to-do inbox: derived from current state for every role, equal to independent queries."""

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS, Actor, Role
from app.db import Database, create_db_engine
from app.models import Cooperative, Enterprise, OutcomeReport, PairingAgreement, Village
from app.models.enums import AgreementStatus, OrderStatus, ReportStatus
from app.seed import REFERENCE_DATE, seed_database
from app.services import inbox
from app.services.pairing.lifecycle import transition_agreement
from app.services.pairing.periods import Quarter, missing_quarters
from tests.factories import make_agreement, make_cooperative, make_enterprise
from tests.pairing_factories import bureau_actor, enterprise_actor, make_active, village_actor
from tests.trade_factories import cooperative_actor, make_listed_product, make_order

COUNTIES = ("140802", "140821", "140829", "140830")


@pytest.fixture(scope="module")
def seeded(database_factory) -> Iterator[Database]:
    database = Database(create_db_engine(database_factory.new_url("inbox_seed")))
    seed_database(database, scale="tiny", seed=7)
    yield database
    database.dispose()


def _count(session, sql: str, **params) -> int:
    return session.execute(sa.text(sql), params).scalar_one()


def _expected_village(session, village_id: int) -> dict[str, int]:
    return {
        "proposals_to_sign": _count(
            session,
            "SELECT count(*) FROM pairing_agreements WHERE status = 'proposed' AND village_id = :v",
            v=village_id,
        ),
        "reports_to_confirm": _count(
            session,
            "SELECT count(*) FROM outcome_reports r JOIN pairing_agreements a"
            " ON a.id = r.agreement_id WHERE r.status = 'submitted' AND a.village_id = :v",
            v=village_id,
        ),
        "labour_checks_due": _count(
            session,
            "SELECT count(*) FROM labour_applications WHERE village_id = :v AND"
            " ((status = 'hired' AND check_3_due <= :t) OR"
            " (status = 'retained' AND check_6_due <= :t))",
            v=village_id,
            t=REFERENCE_DATE,
        ),
    }


def _expected_enterprise(session, enterprise_id: int, today: date) -> dict[str, int]:
    active = session.exec(
        select(PairingAgreement).where(PairingAgreement.enterprise_id == enterprise_id)
    ).all()
    reported = {
        (r.agreement_id, r.year, r.quarter)
        for r in session.exec(select(OutcomeReport)).all()
        if r.agreement_id in {a.id for a in active}
    }
    overdue = 0
    for agreement in active:
        quarters = {Quarter(y, q) for (a, y, q) in reported if a == agreement.id}
        if agreement.status == AgreementStatus.active:
            # One to-do per missing quarter of the term.
            overdue += len(
                missing_quarters(
                    start_on=agreement.start_on,
                    end_on=agreement.end_on,
                    covered=quarters,
                    today=today,
                )
            )
    return {
        "drafts_to_accept": _count(
            session,
            "SELECT count(*) FROM pairing_agreements WHERE status = 'draft' AND enterprise_id = :e",
            e=enterprise_id,
        ),
        "returned_agreements": _count(
            session,
            "SELECT count(*) FROM pairing_agreements"
            " WHERE status = 'returned' AND enterprise_id = :e",
            e=enterprise_id,
        ),
        "returned_reports": _count(
            session,
            "SELECT count(*) FROM outcome_reports r JOIN pairing_agreements a"
            " ON a.id = r.agreement_id WHERE r.status = 'returned' AND a.enterprise_id = :e",
            e=enterprise_id,
        ),
        "overdue_reports": overdue,
        "orders_to_receive": _count(
            session,
            "SELECT count(*) FROM orders WHERE status = 'shipped' AND buyer_id = :e",
            e=enterprise_id,
        ),
        "labour_applications_enterprise": _count(
            session,
            "SELECT count(*) FROM labour_applications WHERE enterprise_id = :e"
            " AND status IN ('applied', 'interviewing')",
            e=enterprise_id,
        ),
    }


def _expected_cooperative(session, cooperative_id: int) -> dict[str, int]:
    sql = (
        "SELECT count(*) FROM orders o JOIN products p ON p.id = o.product_id"
        " WHERE o.status = :s AND p.cooperative_id = :c"
    )
    return {
        "orders_to_confirm": _count(session, sql, s="placed", c=cooperative_id),
        "orders_to_ship": _count(session, sql, s="confirmed", c=cooperative_id),
        "labour_applications_cooperative": _count(
            session,
            "SELECT count(*) FROM labour_applications WHERE cooperative_id = :c"
            " AND status IN ('applied', 'interviewing')",
            c=cooperative_id,
        ),
    }


def _expected_bureau(session, region: str) -> dict[str, int]:
    scope = "" if region == "140800" else f" AND v.county_code = '{region}'"
    pending_users = session.execute(
        sa.text(
            "SELECT u.id, e.county_code, cv.county_code, uv.county_code FROM users u"
            " LEFT JOIN enterprises e ON e.id = u.enterprise_id"
            " LEFT JOIN cooperatives c ON c.id = u.cooperative_id"
            " LEFT JOIN villages cv ON cv.id = c.village_id"
            " LEFT JOIN villages uv ON uv.id = u.village_id WHERE u.status = 'pending'"
        )
    ).all()
    registrations = sum(
        1
        for _, *codes in pending_users
        if region == "140800" or next((c for c in codes if c), None) == region
    )
    return {
        "registrations": registrations,
        "filings": _count(
            session,
            "SELECT count(*) FROM pairing_agreements a JOIN villages v ON v.id = a.village_id"
            " WHERE a.status = 'signed'" + scope,
        ),
        "reports_to_verify": _count(
            session,
            "SELECT count(*) FROM outcome_reports r JOIN pairing_agreements a"
            " ON a.id = r.agreement_id JOIN villages v ON v.id = a.village_id"
            " WHERE r.status = 'confirmed'" + scope,
        ),
        "certifications": _count(
            session,
            "SELECT count(*) FROM certification_applications ca JOIN products p"
            " ON p.id = ca.product_id JOIN villages v ON v.id = p.village_id"
            " WHERE ca.status = 'pending'" + scope,
        ),
        "objections": _count(
            session,
            "SELECT count(*) FROM certification_objections o JOIN certification_applications ca"
            " ON ca.id = o.application_id JOIN products p ON p.id = ca.product_id"
            " JOIN villages v ON v.id = p.village_id WHERE o.status = 'open'" + scope,
        ),
    }


def test_every_roles_inbox_on_the_seeded_data_equals_an_independent_query(seeded):
    today = REFERENCE_DATE
    seen = dict.fromkeys((Role.village, Role.enterprise, Role.cooperative, Role.bureau), 0)
    with seeded.read_only() as session:
        for village_id in session.exec(select(Village.id).order_by(Village.id)).all():
            actual = inbox.inbox_counts(session=session, actor=village_actor(village_id))
            assert actual == _expected_village(session, village_id), village_id
            seen[Role.village] += sum(actual.values())
        for enterprise_id in session.exec(select(Enterprise.id)).all():
            actor = enterprise_actor(enterprise_id)
            actual = inbox.inbox_counts(session=session, actor=actor, today=today)
            assert actual == _expected_enterprise(session, enterprise_id, today), enterprise_id
            seen[Role.enterprise] += sum(actual.values())
        for cooperative_id in session.exec(select(Cooperative.id)).all():
            actor = Actor(role=Role.cooperative, cooperative_id=cooperative_id)
            actual = inbox.inbox_counts(session=session, actor=actor)
            assert actual == _expected_cooperative(session, cooperative_id), cooperative_id
            seen[Role.cooperative] += sum(actual.values())
        for region in ("140800", *COUNTIES):
            actual = inbox.inbox_counts(session=session, actor=bureau_actor(region))
            assert actual == _expected_bureau(session, region), region
            seen[Role.bureau] += sum(actual.values())
    # The seeded data gives every role something to do, so the comparison means something.
    assert all(seen.values()), seen


def test_items_link_to_the_pages_where_the_action_is_taken(seeded):
    with seeded.read_only() as session:
        groups = inbox.inbox(session=session, actor=bureau_actor("140800"))
        by_key = {g.key: g for g in groups}
        expected_reports = session.execute(
            sa.text(
                "SELECT r.id FROM outcome_reports r WHERE r.status = 'confirmed'"
                " ORDER BY r.updated_at, r.id LIMIT 20"
            )
        ).scalars()
        assert [i.link for i in by_key["reports_to_verify"].items] == [
            f"/reports/{rid}" for rid in expected_reports
        ]
        assert {i.link for i in by_key["certifications"].items} <= {"/certifications"}
        total = inbox.inbox_count(session=session, actor=bureau_actor("140800"))
        assert total == sum(g.count for g in groups)
        assert all(len(g.items) == min(g.count, 20) for g in groups)


def test_a_to_do_moves_to_the_next_party_when_it_is_done(session):
    agreement = make_agreement(session)
    village = village_actor(agreement.village_id)
    bureau = bureau_actor()
    assert inbox.inbox_counts(session=session, actor=village)["proposals_to_sign"] == 1
    assert inbox.inbox_counts(session=session, actor=bureau)["filings"] == 0
    [group] = [g for g in inbox.inbox(session=session, actor=village) if g.count]
    assert group.items[0].link == f"/agreements/{agreement.id}"
    transition_agreement(
        session=session, actor=village, agreement_id=agreement.id, expected_version=1, action="sign"
    )
    assert inbox.inbox_count(session=session, actor=village) == 0
    assert inbox.inbox_counts(session=session, actor=bureau)["filings"] == 1
    assert inbox.inbox_counts(session=session, actor=bureau_actor("140830"))["filings"] == 0


def test_orders_and_overdue_reports(session):
    cooperative = make_cooperative(session)
    buyer = make_enterprise(session)
    product = make_listed_product(session, cooperative=cooperative)
    make_order(session, buyer, product, status=OrderStatus.placed)
    make_order(session, buyer, product, status=OrderStatus.confirmed)
    shipped = make_order(session, buyer, product, status=OrderStatus.shipped)
    assert inbox.inbox_counts(session=session, actor=cooperative_actor(cooperative)) == {
        "orders_to_confirm": 1,
        "orders_to_ship": 1,
        "labour_applications_cooperative": 0,
    }
    agreement = make_active(session, enterprise=buyer)
    counts = inbox.inbox_counts(
        session=session, actor=enterprise_actor(buyer), today=date(2026, 11, 29)
    )
    # Every quarter of the term past its reporting window is one to-do: 2026Q1, Q2 and Q3.
    assert counts == {
        "drafts_to_accept": 0,
        "returned_agreements": 0,
        "returned_reports": 0,
        "overdue_reports": 3,
        "orders_to_receive": 1,
        "labour_applications_enterprise": 0,
    }
    groups = {
        g.key: g
        for g in inbox.inbox(
            session=session, actor=enterprise_actor(buyer), today=date(2026, 11, 29)
        )
    }
    assert groups["orders_to_receive"].items[0].link == f"/orders/{shipped.id}"
    assert [(item.link, item.detail) for item in groups["overdue_reports"].items] == [
        (
            f"/agreements/{agreement.id}/reports/new?period=2026Q{n}",
            f"2026年第{n}季度成效报告未提交",
        )
        for n in (1, 2, 3)
    ]
    session.add(
        OutcomeReport(agreement_id=agreement.id, year=2026, quarter=3, status=ReportStatus.returned)
    )
    session.flush()
    counts = inbox.inbox_counts(
        session=session, actor=enterprise_actor(buyer), today=date(2026, 11, 29)
    )
    assert counts == {
        "drafts_to_accept": 0,
        "returned_agreements": 0,
        "returned_reports": 1,
        "overdue_reports": 2,
        "orders_to_receive": 1,
        "labour_applications_enterprise": 0,
    }


def test_to_do_groups_page_through_every_item(session):
    """More than 20 missing quarters: every one is listed, a page at a time, with the total."""
    buyer = make_enterprise(session)
    agreements = [
        make_active(session, enterprise=buyer, start_on=date(2025, 1, 1), end_on=date(2027, 12, 31))
        for _ in range(3)
    ]
    actor, today = enterprise_actor(buyer), date(2027, 1, 20)  # 2025Q1 … 2026Q4 are due: 8 each
    first = inbox.inbox_group(session=session, actor=actor, key="overdue_reports", today=today)
    assert (first.count, first.number, first.pages, len(first.items)) == (24, 1, 2, 20)
    second = inbox.inbox_group(
        session=session, actor=actor, key="overdue_reports", page=2, today=today
    )
    assert (second.number, len(second.items), second.has_next, second.has_previous) == (
        2,
        4,
        False,
        True,
    )
    links = [item.link for item in first.items + second.items]
    assert len(set(links)) == 24
    assert {link.rsplit("=", 1)[1] for link in links} == {
        f"{year}Q{n}" for year in (2025, 2026) for n in (1, 2, 3, 4)
    }
    assert {link.split("/")[2] for link in links} == {str(a.id) for a in agreements}
    # A page past the end shows the last page.
    last = inbox.inbox_group(
        session=session, actor=actor, key="overdue_reports", page=9, today=today
    )
    assert last.number == 2
    assert inbox.inbox_group(session=session, actor=actor, key="filings", today=today) is None


def test_roles_without_to_dos_have_an_empty_inbox(session):
    assert inbox.inbox(session=session, actor=ANONYMOUS) == []
    assert inbox.inbox_count(session=session, actor=Actor(role=Role.admin)) == 0
