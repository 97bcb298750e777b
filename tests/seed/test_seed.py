"""The demo-data generator: reference data, sizes, consistency, idempotence and determinism.

One city-scale database is seeded once for the module; every other test seeds the tiny scale.
"""

import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa

from app.db import Database, create_db_engine
from app.identifiers import normalize_credit_code
from app.models import (
    CertificationApplication,
    Cooperative,
    County,
    Demand,
    Enterprise,
    Event,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    Township,
    Village,
    VillageNeed,
)
from app.models.enums import AgreementStatus, EnterpriseKind, HelpKind, OrderStatus, ReportStatus
from app.models.labour import JobPosting, LabourApplication, LabourSupply
from app.seed import REFERENCE_DATE, SCALES, SeedResult, seed_database
from app.seed.codes import org_code_is_valid
from app.seed.context import REFERENCE_TIME
from app.services import clock
from app.services.numbering import agreement_number, order_number
from app.services.pairing.commitments import stored_problems
from app.services.pairing.periods import Quarter
from app.services.pairing.terms import check_start

YUNCHENG_COUNTIES = {
    "140802": ("盐湖区", "demonstration"),
    "140821": ("临猗县", "overall"),
    "140822": ("万荣县", "overall"),
    "140823": ("闻喜县", "overall"),
    "140824": ("稷山县", "overall"),
    "140825": ("新绛县", "overall"),
    "140826": ("绛县", "key"),
    "140827": ("垣曲县", "key"),
    "140828": ("夏县", "overall"),
    "140829": ("平陆县", "key"),
    "140830": ("芮城县", "overall"),
    "140881": ("永济市", "overall"),
    "140882": ("河津市", "demonstration"),
}
TABLE_LABELS = {
    "县": County,
    "乡镇": Township,
    "行政村": Village,
    "帮扶需求": VillageNeed,
    "帮扶主体": Enterprise,
    "合作社": Cooperative,
    "产品": Product,
    "认定申请": CertificationApplication,
    "帮扶协议": PairingAgreement,
    "成效报告": OutcomeReport,
    "采购需求": Demand,
    "订单": Order,
    "劳务供给": LabourSupply,
    "招工岗位": JobPosting,
    "劳务报名": LabourApplication,
}


@pytest.fixture(scope="module")
def city(database_factory) -> Iterator[tuple[Database, SeedResult]]:
    database = Database(create_db_engine(database_factory.new_url("seed_city")))
    result = seed_database(database, scale="city", seed=1)
    yield database, result
    database.dispose()


@pytest.fixture
def city_db(city) -> Database:
    return city[0]


def rows(db: Database, sql: str, **params) -> list[tuple]:
    with db.read_only() as session:
        return [tuple(r) for r in session.execute(sa.text(sql), params)]


def scalar(db: Database, sql: str, **params):
    return rows(db, sql, **params)[0][0]


def table_counts(db: Database) -> dict[str, int]:
    with db.read_only() as session:
        return {
            label: session.execute(sa.select(sa.func.count()).select_from(model.__table__)).scalar()
            for label, model in TABLE_LABELS.items()
        }


# Reference data ---------------------------------------------------------------------------------


def test_counties_are_the_real_thirteen_with_their_categories(city_db):
    # when
    counties = rows(city_db, "SELECT code, name, category FROM counties ORDER BY code")

    # then
    assert {code: (name, category) for code, name, category in counties} == YUNCHENG_COUNTIES


def test_the_161_real_townships_are_seeded_in_their_counties(city_db):
    assert scalar(city_db, "SELECT COUNT(*) FROM townships") == 161
    assert scalar(city_db, "SELECT name FROM townships WHERE code = '140829201'") == "杜马乡"
    assert (
        scalar(city_db, "SELECT COUNT(*) FROM townships WHERE substr(code, 1, 6) <> county_code")
        == 0
    )


def test_village_codes_extend_their_township_and_county_codes(city_db):
    mismatched = rows(
        city_db,
        "SELECT code FROM villages WHERE substr(code, 1, 9) <> township_code"
        " OR substr(code, 1, 6) <> county_code OR substr(code, 10, 3) < '201'",
    )
    assert mismatched == []


def test_village_names_are_unique_within_each_township(city_db):
    duplicates = rows(
        city_db,
        "SELECT township_code, name FROM villages GROUP BY township_code, name HAVING COUNT(*) > 1",
    )
    assert duplicates == []


# Sizes ------------------------------------------------------------------------------------------


def test_tiny_scale_writes_exactly_the_configured_sizes(fresh_db):
    # when
    result = seed_database(fresh_db, scale="tiny", seed=7)

    # then
    tiny = SCALES["tiny"]
    assert result.skipped is False
    assert result.counts == table_counts(fresh_db)
    expected = {
        "县": 13,
        "乡镇": 161,
        "行政村": tiny.villages,
        "帮扶主体": tiny.enterprises,
        "合作社": tiny.cooperatives,
        "产品": tiny.products,
        "帮扶协议": tiny.agreements,
        "采购需求": tiny.demands,
        "订单": tiny.orders,
    }
    assert {label: result.counts[label] for label in expected} == expected
    assert result.counts["帮扶需求"] > 0
    assert result.counts["成效报告"] > 0


def test_city_scale_counts_are_in_the_intended_ranges(city):
    # given
    db, result = city

    # then
    counts = table_counts(db)
    assert counts == result.counts
    assert (counts["县"], counts["乡镇"], counts["行政村"]) == (13, 161, 3000)
    assert (counts["帮扶主体"], counts["合作社"], counts["产品"]) == (500, 1500, 10_000)
    assert (counts["帮扶协议"], counts["采购需求"], counts["订单"]) == (1500, 300, 8000)
    assert 1500 <= counts["帮扶需求"] <= 5000
    assert 4000 <= counts["成效报告"] <= 12_000
    flags = rows(db, "SELECT SUM(CASE WHEN pv_station THEN 1 ELSE 0 END),"
                     " SUM(CASE WHEN tourism_demo THEN 1 ELSE 0 END) FROM villages")  # fmt: skip
    assert flags == [(194, 50)]


def test_key_villages_concentrate_in_the_key_counties(city_db):
    shares = dict(
        rows(
            city_db,
            "SELECT county_code IN ('140826', '140827', '140829'),"
            " AVG(CASE WHEN key_village THEN 1.0 ELSE 0.0 END) FROM villages GROUP BY 1",
        )
    )
    assert 0.25 <= float(shares[True]) <= 0.45
    assert 0.03 <= float(shares[False]) <= 0.1


def test_every_enterprise_kind_agreement_status_and_need_kind_appears(city_db):
    kinds = {k for (k,) in rows(city_db, "SELECT DISTINCT kind FROM enterprises")}
    statuses = {s for (s,) in rows(city_db, "SELECT DISTINCT status FROM pairing_agreements")}
    needs = {k for (k,) in rows(city_db, "SELECT DISTINCT kind FROM village_needs")}
    assert kinds == {k.value for k in EnterpriseKind}
    assert statuses == {s.value for s in AgreementStatus}
    assert needs == {k.value for k in HelpKind}
    private = scalar(city_db, "SELECT COUNT(*) FROM enterprises WHERE kind = 'private'")
    assert private > 250


# Organisations ----------------------------------------------------------------------------------


def test_credit_codes_are_valid_and_match_the_organisation_kind(city_db):
    # given
    prefixes = {
        "private": {"91"},
        "state_owned": {"91"},
        "agency": {"11", "12"},
        "school": {"12", "52"},
        "hospital": {"12", "52"},
        "social_org": {"51", "52", "53"},
    }
    enterprises = rows(city_db, "SELECT credit_code, kind FROM enterprises")
    cooperatives = rows(city_db, "SELECT credit_code, 'cooperative' FROM cooperatives")

    # then
    for code, kind in enterprises + cooperatives:
        assert normalize_credit_code(code) == code
        assert org_code_is_valid(code[8:17]), code
        assert code[:2] in prefixes.get(kind, {"93"}), (code, kind)
    assert len({code for code, _ in enterprises + cooperatives}) == 2000


def test_external_enterprises_have_a_region_instead_of_a_county(city_db):
    external = rows(
        city_db,
        "SELECT credit_code, external_region FROM enterprises WHERE county_code IS NULL",
    )
    assert len(external) > 20
    assert all(region and not code.startswith("1408", 2) for code, region in external)
    assert any(region.startswith("北京") for _, region in external)


def test_products_come_from_their_cooperative_village_in_the_specialty_county(city_db):
    misplaced = rows(
        city_db,
        "SELECT p.id FROM products p JOIN cooperatives c ON c.id = p.cooperative_id"
        " WHERE c.village_id <> p.village_id",
    )
    assert misplaced == []
    for specialty, county in (("稷山板枣", "140824"), ("平陆杜马百合", "140829"),
                              ("临猗江石榴", "140821"), ("北景柿", "140802"),
                              ("芮城花椒", "140830"), ("垣曲香菇", "140827")):  # fmt: skip
        counties = rows(
            city_db,
            "SELECT DISTINCT v.county_code FROM products p JOIN villages v ON v.id = p.village_id"
            " WHERE p.name LIKE :pattern",
            pattern=f"%{specialty}%",
        )
        assert counties == [(county,)], specialty


# Pairing ----------------------------------------------------------------------------------------


def test_some_key_villages_have_no_partner_while_most_are_paired(city_db):
    unpaired, total = rows(
        city_db,
        "SELECT SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM pairing_agreements a"
        " WHERE a.village_id = v.id) THEN 1 ELSE 0 END), COUNT(*)"
        " FROM villages v WHERE v.key_village",
    )[0]
    assert 0 < unpaired < total / 2


def test_agreement_dates_and_stamps_follow_the_status(city_db):
    # given
    a = PairingAgreement
    violations = {
        "term": a.end_on <= a.start_on,
        "open but ended": a.status.in_(["proposed", "signed", "active"]) & a.ended_at.is_not(None),
        "active": (a.status == "active")
        & (a.filed_at.is_(None) | (a.end_on <= REFERENCE_DATE) | (a.start_on > REFERENCE_DATE)),
        "completed": (a.status == "completed")
        & (a.ended_at.is_(None) | (a.end_on > REFERENCE_DATE)),
        "proposed": (a.status == "proposed") & (a.signed_at.is_not(None) | a.filed_at.is_not(None)),
        "signed": (a.status == "signed") & (a.signed_at.is_(None) | a.filed_at.is_not(None)),
        "no reason": a.status.in_(["declined", "terminated"]) & (a.status_reason == ""),
        "no help": a.help_kinds == 0,
        "future": a.updated_at >= REFERENCE_TIME,
    }

    # when
    with city_db.read_only() as session:
        found = {
            name: session.scalar(sa.select(sa.func.count()).select_from(a).where(condition))
            for name, condition in violations.items()
        }

    # then
    assert found == dict.fromkeys(violations, 0)


def test_terms_start_within_the_date_rules_as_of_the_day_they_were_proposed(city_db):
    # given
    with city_db.read_only() as session:
        agreements = session.exec(sa.select(PairingAgreement)).scalars().all()
        reports = session.execute(
            sa.select(OutcomeReport.year, OutcomeReport.quarter, OutcomeReport.submitted_at)
        ).all()

    # then: check_start accepts each start as of its proposal, and says whether it was late
    late = [
        a.late_start
        for a in agreements
        if check_start(a.start_on, today=clock.local_date(a.proposed_at)) is a.late_start
    ]
    assert len(late) == len(agreements) and any(late)
    assert all(Quarter(y, q).end < clock.local_date(at) for y, q, at in reports)


def test_reports_cover_only_closed_quarters_and_some_active_agreements_are_overdue(city_db):
    # then: nothing after 2026Q3, the last quarter closed before the reference date
    assert scalar(city_db, "SELECT MAX(year * 4 + quarter) FROM outcome_reports") == 2026 * 4 + 3
    statuses = {s for (s,) in rows(city_db, "SELECT DISTINCT status FROM outcome_reports")}
    assert statuses == {s.value for s in ReportStatus}
    overdue = scalar(
        city_db,
        "SELECT COUNT(*) FROM pairing_agreements a WHERE a.status = 'active'"
        " AND a.start_on <= '2026-07-01' AND NOT EXISTS (SELECT 1 FROM outcome_reports r"
        " WHERE r.agreement_id = a.id AND r.year = 2026 AND r.quarter = 3)",
    )
    assert overdue > 20
    unserved = scalar(
        city_db,
        "SELECT COUNT(*) FROM outcome_reports r JOIN pairing_agreements a"
        " ON a.id = r.agreement_id WHERE a.status NOT IN ('active', 'completed', 'terminated')",
    )
    assert unserved == 0


# Trade ------------------------------------------------------------------------------------------


def test_order_amounts_quantities_and_statuses_are_consistent(city_db):
    bad_amount = scalar(city_db, "SELECT COUNT(*) FROM orders WHERE amount_fen <>"
                                 " quantity * unit_price_fen")  # fmt: skip
    below_minimum = scalar(
        city_db,
        "SELECT COUNT(*) FROM orders o JOIN products p ON p.id = o.product_id"
        " WHERE o.quantity < p.min_order",
    )
    statuses = {s for (s,) in rows(city_db, "SELECT DISTINCT status FROM orders")}
    out_of_order = scalar(
        city_db,
        "SELECT COUNT(*) FROM orders WHERE (status = 'received' AND NOT"
        " (placed_at < confirmed_at AND confirmed_at < shipped_at AND shipped_at < received_at))"
        " OR (status = 'placed' AND confirmed_at IS NOT NULL)"
        " OR (status = 'cancelled' AND (cancelled_at IS NULL OR cancel_reason = ''))"
        " OR (rating IS NOT NULL AND status <> 'received')",
    )
    assert (bad_amount, below_minimum, out_of_order) == (0, 0, 0)
    assert statuses == {s.value for s in OrderStatus}


def test_orders_count_for_an_agreement_as_the_receipt_service_would_attribute_them(city_db):
    # given: every received order, with the agreements of its buyer and village
    query = (
        sa.select(Order.id, Order.agreement_id, Order.received_at, PairingAgreement)
        .join(Product, Product.id == Order.product_id)
        .outerjoin(
            PairingAgreement,
            sa.and_(
                PairingAgreement.enterprise_id == Order.buyer_id,
                PairingAgreement.village_id == Product.village_id,
                PairingAgreement.status.in_(["active", "completed"]),
            ),
        )
        .where(Order.status == "received")
    )
    with city_db.read_only() as session:
        found = session.execute(query).all()
        unreceived_links = session.execute(
            sa.select(sa.func.count())
            .select_from(Order)
            .where(Order.agreement_id.is_not(None), Order.status != "received")
        ).scalar()

    # when: attributing each receipt the way app.services.orders does
    expected: dict[int, tuple[date, int] | None] = {}
    actual: dict[int, int | None] = {}
    for order_id, agreement_id, received_at, agreement in found:
        actual[order_id] = agreement_id
        expected.setdefault(order_id, None)
        day = clock.local_date(received_at)
        if agreement is not None and agreement.start_on <= day <= agreement.end_on:
            best = expected[order_id]
            if best is None or (agreement.start_on, agreement.id) > best:
                expected[order_id] = (agreement.start_on, agreement.id)

    # then
    assert unreceived_links == 0
    assert actual == {o: (e[1] if e else None) for o, e in expected.items()}
    assert sum(1 for a in actual.values() if a is not None) > 500


def test_product_ratings_match_the_rated_orders(city_db):
    mismatched = rows(
        city_db,
        "SELECT p.id FROM products p LEFT JOIN (SELECT product_id, SUM(rating) AS total,"
        " COUNT(rating) AS n FROM orders GROUP BY product_id) r ON r.product_id = p.id"
        " WHERE p.rating_total <> COALESCE(r.total, 0) OR p.rating_count <> COALESCE(r.n, 0)",
    )
    assert mismatched == []
    assert scalar(city_db, "SELECT COUNT(*) FROM products WHERE rating_count > 0") > 1000


def test_orders_buy_listed_products_only(city_db):
    assert (
        scalar(
            city_db,
            "SELECT COUNT(*) FROM orders o JOIN products p ON p.id = o.product_id"
            " WHERE p.status <> 'listed'",
        )
        == 0
    )


# The run as a whole -----------------------------------------------------------------------------


def test_enterprises_hold_no_more_open_agreements_than_their_capacity(city_db):
    over = rows(
        city_db,
        "SELECT e.id FROM enterprises e JOIN pairing_agreements a ON a.enterprise_id = e.id"
        " WHERE a.status IN ('proposed', 'signed', 'active')"
        " GROUP BY e.id, e.max_villages HAVING COUNT(*) > e.max_villages",
    )
    assert over == []
    reserving = {
        k
        for (k,) in rows(
            city_db, "SELECT DISTINCT kind FROM enterprises WHERE reserved_share_fen > 0"
        )
    }
    assert reserving == {"agency", "school", "hospital", "state_owned"}


def test_public_buyers_reserve_shares_they_are_making_progress_on(city_db):
    """Every approved public buyer has a share; those that bought this year are between a
    quarter of it and a little beyond, so the dashboard's 预留份额 panel shows real progress."""
    year = REFERENCE_DATE.year
    shares = rows(
        city_db,
        "SELECT e.reserved_share_fen, COALESCE(SUM(p.amount_fen), 0) FROM enterprises e"
        " LEFT JOIN purchases_yearly p ON p.buyer_id = e.id AND p.year = :year"
        " WHERE e.kind IN ('agency', 'school', 'hospital', 'state_owned')"
        " AND e.status = 'approved' GROUP BY e.id, e.reserved_share_fen",
        year=year,
    )
    assert shares and all(reserved > 0 for reserved, _bought in shares)
    started = [bought / reserved for reserved, bought in shares if bought > 0]
    assert len(started) > len(shares) // 4
    assert all(0.15 < ratio < 1.6 for ratio in started)
    assert any(ratio < 1 for ratio in started)
    assert {"运城市中心医院"} <= {
        name
        for (name,) in rows(city_db, "SELECT name FROM enterprises WHERE reserved_share_fen > 0")
    }


def test_certified_products_carry_their_approved_application(city_db):
    mismatched = rows(
        city_db,
        "SELECT p.id FROM products p LEFT JOIN certification_applications c"
        " ON c.product_id = p.id AND c.status = 'approved'"
        " WHERE (p.assistance_certified_until IS NULL) <> (c.id IS NULL)"
        " OR p.assistance_certified_until <> c.expires_on OR c.decided_at < c.applied_at",
    )
    assert mismatched == []
    expired = scalar(
        city_db,
        "SELECT COUNT(*) FROM products WHERE assistance_certified_until < :today",
        today=REFERENCE_DATE.isoformat(),
    )
    statuses = {
        s for (s,) in rows(city_db, "SELECT DISTINCT status FROM certification_applications")
    }
    assert expired > 0
    assert statuses == {"pending", "approved", "rejected"}


def test_numbers_follow_the_numbering_service_and_it_continues_after_them(fresh_db):
    # given
    seed_database(fresh_db, scale="tiny", seed=2)
    with fresh_db.read_only() as session:
        agreements = session.execute(
            sa.select(PairingAgreement.number, PairingAgreement.start_on)
        ).all()
        orders = session.execute(sa.select(Order.number, Order.placed_at)).all()

    # then: JD-<start year>-<n> and DD-<local day>-<n>, as app.services.numbering writes them
    assert all(number.startswith(f"JD-{start.year}-") for number, start in agreements)
    assert all(number[3:11] == clock.day_stamp(placed) for number, placed in orders)

    # when: the services number the next agreement and order
    year = max(start.year for _, start in agreements)
    busiest = Counter(number[3:11] for number, _ in orders).most_common(1)[0]
    with fresh_db.unit_of_work() as session:
        next_agreement = agreement_number(session, year)
        next_order = order_number(session, busiest[0])

    # then: they continue after the seeded ones
    in_year = sum(number.startswith(f"JD-{year}-") for number, _ in agreements)
    assert next_agreement == f"JD-{year}-{in_year + 1:06d}"
    assert next_order == f"DD-{busiest[0]}-{busiest[1] + 1:06d}"


def test_a_run_is_audited_with_one_event(city_db):
    events = rows(city_db, "SELECT action, object_type, summary FROM events")
    assert len(events) == 1
    action, object_type, summary = events[0]
    assert (action, object_type) == ("seed.run", "Database")
    assert "行政村 3000" in summary


def test_seeding_twice_adds_nothing(fresh_db):
    # given
    seed_database(fresh_db, scale="tiny", seed=3)
    before = table_counts(fresh_db)

    # when
    again = seed_database(fresh_db, scale="tiny", seed=3)

    # then
    assert again == SeedResult(skipped=True, counts={})
    assert table_counts(fresh_db) == before
    with fresh_db.read_only() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Event)).scalar() == 1


def test_the_same_seed_gives_identical_data_and_another_seed_different_data(database_factory):
    # given
    digests = []
    for seed in (5, 5, 6):
        db = Database(create_db_engine(database_factory.new_url("seed_digest")))
        try:
            seed_database(db, scale="tiny", seed=seed)
            digests.append(_digest(db))
        finally:
            db.dispose()

    # then
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


_DIGEST_COLUMNS = {
    "villages": "code, name, key_village, lifted_village, pv_station, tourism_demo, households,"
    " lifted_households, main_industries, contact_phone, created_at",
    "village_needs": "village_id, kind, amount_fen, headcount, status",
    "enterprises": "credit_code, name, kind, industry, offers, reserved_share_fen, status",
    "cooperatives": "credit_code, name, village_id, members, lifted_members",
    "products": "name, village_id, price_fen, unit, status, certifications,"
    " assistance_certified_until, rating_total",
    "pairing_agreements": "number, enterprise_id, village_id, status, start_on, end_on,"
    " signed_at, commit_purchase_fen",
    "outcome_reports": "agreement_id, year, quarter, status, actual_jobs, submitted_at",
    "demands": "buyer_id, title, quantity, deliver_by, status",
    "orders": "number, buyer_id, product_id, agreement_id, amount_fen, status, placed_at, rating",
}


def _digest(db: Database) -> str:
    digest = hashlib.sha256()
    for table, columns in _DIGEST_COLUMNS.items():
        for row in rows(db, f"SELECT {columns} FROM {table} ORDER BY id"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def test_rows_added_after_seeding_get_fresh_ids(fresh_db):
    # given
    seed_database(fresh_db, scale="tiny", seed=1)
    before = scalar(fresh_db, "SELECT MAX(id) FROM village_needs")

    # when
    with fresh_db.unit_of_work() as session:
        need = VillageNeed(village_id=1, kind=HelpKind.talent, description="需要电商讲师")
        demand = Demand(buyer_id=1, title="测试", category="fruit", quantity=1, unit="斤",
                        deliver_by=date(2027, 1, 1))  # fmt: skip
        session.add_all([need, demand])
        session.flush()
        ids = (need.id, demand.id)

    # then
    assert ids == (before + 1, SCALES["tiny"].demands + 1)


def test_progress_reaches_the_total_of_every_step(fresh_db):
    # given
    last: dict[str, tuple[int, int]] = {}

    # when
    seed_database(
        fresh_db,
        scale="tiny",
        progress=lambda step, done, total: last.update({step: (done, total)}),
    )

    # then
    assert list(last) == ["行政村", "帮扶需求", "帮扶主体", "合作社", "产品", "帮扶协议",
                          "成效报告", "采购需求", "订单"]  # fmt: skip
    assert all(done == total for done, total in last.values())


def test_an_unknown_scale_is_refused_and_nothing_is_written(fresh_db):
    with pytest.raises(ValueError, match="unknown scale"):
        seed_database(fresh_db, scale="nation")
    assert table_counts(fresh_db)["县"] == 0


def test_demo_accounts_one_per_role_can_sign_in(fresh_db):
    from app.seed.users import DEMO_PASSWORD
    from app.services.accounts import actor_for
    from app.services.credentials import authenticate

    result = seed_database(fresh_db, scale="tiny", seed=3, demo_accounts=True)
    assert result.counts["演示账号"] == 6
    with fresh_db.unit_of_work() as session:
        roles = {}
        for username in ("shiju", "pinglu", "admin", "qiye", "hezuoshe", "cungan"):
            user = authenticate(
                session=session, username=username, password=DEMO_PASSWORD, ip="127.0.0.1"
            )
            actor = actor_for(user)
            roles[username] = (actor.role, actor.organisation != "")
    assert roles == {
        "shiju": ("bureau", True),
        "pinglu": ("bureau", True),
        "admin": ("admin", False),
        "qiye": ("enterprise", True),
        "hezuoshe": ("cooperative", True),
        "cungan": ("village", True),
    }


def test_every_seeded_agreement_holds_the_commitment_rule(city_db):
    # when: the rule of decision 0031 on each agreement's stored commitments
    with city_db.read_only() as session:
        broken = [
            (agreement.number, stored_problems(agreement))
            for agreement in session.exec(sa.select(PairingAgreement)).scalars()
            if stored_problems(agreement)
        ]

    # then
    assert broken == []
