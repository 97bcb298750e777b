"""app/services/stats: the dashboard's figures equal independent SQL counts on seeded data."""

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.errors import PermissionDeniedError
from app.models import Order, Village
from app.models.enums import AgreementStatus, ProductCategory
from app.seed import REFERENCE_DATE
from app.services import clock, ledger, stats
from app.services.audit import add_record
from app.services.domain_events import DomainEvent
from app.services.pairing.periods import Quarter, last_closed_quarter, missing_quarters
from app.services.stats.sales import shown_months
from tests.services.bureau_world import BureauWorld, build_bureau_world

TODAY = REFERENCE_DATE


@pytest.fixture(scope="module")
def world(database_factory) -> Iterator[BureauWorld]:
    built = build_bureau_world(database_factory, "stats")
    yield built
    built.database.dispose()


@pytest.fixture(scope="module")
def city(world):
    with world.database.read_only() as session:
        return stats.dashboard(session=session, actor=world.actors["city"], today=TODAY)


def sql(world, text: str, **params) -> list[tuple]:
    with world.database.read_only() as session:
        return [tuple(row) for row in session.execute(sa.text(text), params)]


def by_county(rows) -> dict[str, tuple]:
    return {row[0]: tuple(row[1:]) for row in rows}


def test_coverage_equals_independent_counts_per_county_and_in_total(world, city):
    villages = by_county(
        sql(
            world,
            "SELECT county_code, count(*), sum(CASE WHEN key_village THEN 1 ELSE 0 END) "
            "FROM villages GROUP BY county_code",
        )
    )
    paired = by_county(
        sql(
            world,
            "SELECT county_code, count(*) FROM villages WHERE id IN (SELECT village_id FROM "
            "pairing_agreements WHERE status = 'active') GROUP BY county_code",
        )
    )
    unpaired_key = by_county(
        sql(
            world,
            "SELECT county_code, count(*) FROM villages WHERE key_village AND id NOT IN (SELECT "
            "village_id FROM pairing_agreements WHERE status = 'active') GROUP BY county_code",
        )
    )
    assert len(city.coverage.counties) == 13
    for county in city.coverage.counties:
        total, key = villages.get(county.code, (0, 0))
        assert (county.villages, county.key_villages) == (total, key)
        assert county.paired_villages == paired.get(county.code, (0,))[0]
        assert county.unpaired_key_villages == unpaired_key.get(county.code, (0,))[0]
    assert city.coverage.total.villages == 200
    assert city.coverage.total.paired_villages == sum(n for (n,) in paired.values())
    listed = {v.code for v in city.coverage.unpaired_key}
    assert len(listed) == min(50, city.coverage.total.unpaired_key_villages)


def test_agreements_by_status_equal_independent_counts(world, city):
    counts = dict(sql(world, "SELECT status, count(*) FROM pairing_agreements GROUP BY status"))
    assert dict(city.agreements) == {s: counts.get(s.value, 0) for s in AgreementStatus}
    assert sum(n for _, n in city.agreements) == 80


def test_committed_and_actual_equal_independent_sums_per_county(world, city):
    committed = by_county(
        sql(
            world,
            "SELECT v.county_code, count(*), sum(a.commit_funding_business_fen), "
            "sum(a.commit_jobs), sum(a.commit_purchase_fen) FROM pairing_agreements a "
            "JOIN villages v ON v.id = a.village_id WHERE a.status IN ('active', 'completed') "
            "GROUP BY v.county_code",
        )
    )
    actual = by_county(
        sql(
            world,
            "SELECT v.county_code, count(*), sum(r.actual_funding_welfare_fen), "
            "sum(r.actual_beneficiaries) FROM outcome_reports r JOIN pairing_agreements a ON "
            "a.id = r.agreement_id JOIN villages v ON v.id = a.village_id "
            # The same agreements as the committed side: terminated ones on neither (0032).
            "WHERE r.status = 'verified' AND a.status <> 'terminated' GROUP BY v.county_code",
        )
    )
    rows = city.commitments.by_county
    assert [r.key for r in rows] == sorted(r.key for r in rows)
    for row in rows:
        c = row.committed
        assert (row.agreements, c.funding_business_fen, c.jobs, c.purchase_fen) == tuple(
            int(v) for v in committed.get(row.key, (0, 0, 0, 0))
        )
        a = row.actual
        assert (row.reports, a.funding_welfare_fen, a.beneficiaries) == tuple(
            int(v) for v in actual.get(row.key, (0, 0, 0))
        )
    assert sum(r.reports for r in rows) == sum(int(v[0]) for v in actual.values())


def test_actuals_by_quarter_equal_independent_sums(world, city):
    quarters = city.commitments.by_quarter
    last = last_closed_quarter(TODAY)
    assert [q.key for q in quarters][-1] == last.period
    assert len(quarters) == 8
    for q in quarters:
        year, number = int(q.key[:4]), int(q.key[-1])
        [(reports, jobs)] = sql(
            world,
            "SELECT count(*), coalesce(sum(actual_jobs), 0) FROM outcome_reports r "
            "JOIN pairing_agreements a ON a.id = r.agreement_id WHERE r.status = 'verified' "
            "AND a.status <> 'terminated' AND year = :y AND quarter = :q",
            y=year,
            q=number,
        )
        assert (q.reports, q.actual.jobs) == (reports, jobs)


@pytest.mark.parametrize("name", ["city", "pinglu"])
def test_commitments_by_quarter_equal_each_filed_agreements_share_of_its_term(world, name):
    """Each filed agreement's commitment split evenly over the quarters of its term, rounded
    down per agreement: worked out here in Python from the agreements themselves."""
    with world.database.read_only() as session:
        figures = stats.dashboard(session=session, actor=world.actors[name], today=TODAY)
    county = "" if name == "city" else "AND v.county_code = '140829'"
    agreements = sql(
        world,
        "SELECT a.start_on, a.end_on, a.commit_jobs, a.commit_purchase_fen FROM "
        "pairing_agreements a JOIN villages v ON v.id = a.village_id WHERE a.status IN "
        f"('active', 'completed') {county}",
    )
    expected = {}
    for start_on, end_on, jobs, purchase in agreements:
        first, last = (date.fromisoformat(str(d)[:10]) for d in (start_on, end_on))
        quarters = [
            (year, quarter)
            for year in range(first.year, last.year + 1)
            for quarter in range(1, 5)
            if (first.year, (first.month - 1) // 3 + 1) <= (year, quarter)
            and (year, quarter) <= (last.year, (last.month - 1) // 3 + 1)
        ]
        for year, quarter in quarters:
            n, j, p = expected.get(f"{year}Q{quarter}", (0, 0, 0))
            share = (jobs // len(quarters), purchase // len(quarters))
            expected[f"{year}Q{quarter}"] = (n + 1, j + share[0], p + share[1])
    rows = figures.commitments.by_quarter
    assert {q.key: (q.agreements, q.committed.jobs, q.committed.purchase_fen) for q in rows} == {
        q.key: expected.get(q.key, (0, 0, 0)) for q in rows
    }
    assert sum(q.agreements for q in rows) > 0


def test_sales_equal_independent_sums_by_county_category_and_month(world, city):
    since, until = clock.year_bounds(TODAY.year)
    params = {"since": since.replace(tzinfo=None), "until": until.replace(tzinfo=None)}
    received = (
        "FROM orders o JOIN products p ON p.id = o.product_id JOIN villages v ON "
        "v.id = p.village_id WHERE o.status = 'received' AND o.received_at >= :since AND "
        "o.received_at < :until"
    )
    counties = by_county(
        sql(
            world,
            f"SELECT v.county_code, count(*), sum(o.amount_fen) {received} GROUP BY v.county_code",
            **params,
        )
    )
    for line in city.sales.by_county:
        assert (line.orders, line.amount_fen) == counties.get(line.code, (0, 0))
    categories = by_county(
        sql(
            world,
            f"SELECT p.category, count(*), sum(o.amount_fen) {received} GROUP BY p.category",
            **params,
        )
    )
    assert [line.key for line in city.sales.by_category] == list(ProductCategory)
    for line in city.sales.by_category:
        assert (line.orders, line.amount_fen) == categories.get(line.key, (0, 0))
    total = sum(line.amount_fen for line in city.sales.by_county)
    assert total == sum(line.amount_fen for line in city.sales.by_category) > 0
    assert [m.key for m in city.sales.by_month] == shown_months(TODAY)
    this_year = sum(m.amount_fen for m in city.sales.by_month if m.key.startswith("2026"))
    assert this_year == total


def test_reserved_shares_list_the_lowest_progress_of_every_reserving_buyer(world, city):
    [(buyers,)] = sql(
        world,
        "SELECT count(*) FROM enterprises WHERE status = 'approved'"
        " AND kind IN ('agency', 'school', 'hospital', 'state_owned')",
    )
    assert city.shares.buyers == buyers > 0
    assert len(city.shares.lowest) == min(20, buyers)
    progress = [s.percent for s in city.shares.lowest if s.percent is not None]
    assert progress == sorted(progress)


@pytest.mark.parametrize("name", ["city", "pinglu"])
def test_most_active_enterprises_equal_independent_counts(world, name):
    with world.database.read_only() as session:
        figures = stats.dashboard(session=session, actor=world.actors[name], today=TODAY)
    county = "" if name == "city" else "AND v.county_code = '140829'"
    last = last_closed_quarter(TODAY)
    first = last.previous().previous().previous()
    since, until = clock.year_bounds(TODAY.year)
    window = {
        "lo": first.year * 4 + first.quarter,
        "hi": last.year * 4 + last.quarter,
        "since": since.replace(tzinfo=None),
        "until": until.replace(tzinfo=None),
    }
    [(active,)] = sql(
        world,
        "SELECT count(*) FROM (SELECT a.enterprise_id FROM pairing_agreements a JOIN villages v"
        f" ON v.id = a.village_id WHERE a.status = 'active' {county}"
        " UNION SELECT a.enterprise_id FROM outcome_reports r JOIN pairing_agreements a"
        " ON a.id = r.agreement_id JOIN villages v ON v.id = a.village_id"
        f" WHERE r.year * 4 + r.quarter BETWEEN :lo AND :hi {county}"
        " UNION SELECT o.buyer_id FROM orders o JOIN products p ON p.id = o.product_id"
        " JOIN villages v ON v.id = p.village_id WHERE o.status = 'received'"
        f" AND o.received_at >= :since AND o.received_at < :until {county}) AS busy",
        **window,
    )
    assert len(figures.enterprises) == min(10, active) > 0
    reports = [e.reports for e in figures.enterprises]
    assert reports == sorted(reports, reverse=True)
    for e in figures.enterprises:
        [(n_reports,)] = sql(
            world,
            "SELECT count(*) FROM outcome_reports r JOIN pairing_agreements a ON "
            "a.id = r.agreement_id JOIN villages v ON v.id = a.village_id WHERE "
            f"a.enterprise_id = :e AND r.year * 4 + r.quarter BETWEEN :lo AND :hi {county}",
            e=e.id,
            lo=first.year * 4 + first.quarter,
            hi=last.year * 4 + last.quarter,
        )
        [(bought,)] = sql(
            world,
            "SELECT coalesce(sum(o.amount_fen), 0) FROM orders o JOIN products p ON "
            "p.id = o.product_id JOIN villages v ON v.id = p.village_id WHERE o.buyer_id = :e "
            f"AND o.status = 'received' AND o.received_at >= :since AND o.received_at < :until "
            f"{county}",
            e=e.id,
            since=since.replace(tzinfo=None),
            until=until.replace(tzinfo=None),
        )
        assert (e.reports, e.purchase_fen) == (n_reports, bought)


def test_overdue_equals_independent_count(world, city):
    """Every quarter past its reporting window counts (the pure rule, ``missing_quarters``)."""
    reported: dict[int, set[Quarter]] = {}
    for agreement_id, year, quarter in sql(
        world, "SELECT agreement_id, year, quarter FROM outcome_reports"
    ):
        reported.setdefault(agreement_id, set()).add(Quarter(year, quarter))
    rows = sql(
        world,
        "SELECT a.id, a.number, v.county_code, a.start_on, a.end_on FROM pairing_agreements a "
        "JOIN villages v ON v.id = a.village_id WHERE a.status = 'active'",
    )
    late = sorted(
        (county, number, a_id)
        for a_id, number, county, start_on, end_on in rows
        if missing_quarters(
            start_on=_day(start_on),
            end_on=_day(end_on),
            covered=reported.get(a_id, set()),
            today=TODAY,
        )
    )
    assert city.overdue.total == len(late) > 0
    assert len(city.overdue.agreements) == min(20, len(late))
    # The same rows as an independent list (tests/services/test_stats_overdue.py: the cut-off).
    assert [(a.id, a.number) for a in city.overdue.agreements] == [
        (a_id, number) for _county, number, a_id in late[:20]
    ]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def test_a_county_officer_sees_exactly_the_city_figures_of_that_county(world, city):
    with world.database.read_only() as session:
        county = stats.dashboard(session=session, actor=world.actors["pinglu"], today=TODAY)
    assert [c.code for c in county.coverage.counties] == ["140829"]
    assert county.coverage.counties[0] == next(
        c for c in city.coverage.counties if c.code == "140829"
    )
    assert [r.key for r in county.commitments.by_county] == ["140829"]
    assert county.commitments.by_county[0] == next(
        r for r in city.commitments.by_county if r.key == "140829"
    )
    [(agreements,)] = sql(
        world,
        "SELECT count(*) FROM pairing_agreements a JOIN villages v ON v.id = a.village_id "
        "WHERE v.county_code = '140829'",
    )
    assert sum(n for _, n in county.agreements) == agreements
    assert {a.county_name for a in county.overdue.agreements} <= {"平陆县"}


def test_a_county_officers_sales_quarters_and_overdue_equal_independent_sql(world, city):
    """The county's figures select its villages as a set before anything is joined
    (``village_id IN (…)``, ``product_id IN (…)``): the same numbers as joining villages."""
    with world.database.read_only() as session:
        county = stats.dashboard(session=session, actor=world.actors["pinglu"], today=TODAY)
    assert county.sales.by_county == tuple(c for c in city.sales.by_county if c.code == "140829")
    since, until = clock.year_bounds(TODAY.year)
    categories = by_county(
        sql(
            world,
            "SELECT p.category, count(*), sum(o.amount_fen) FROM orders o JOIN products p ON "
            "p.id = o.product_id JOIN villages v ON v.id = p.village_id WHERE o.status = "
            "'received' AND o.received_at >= :since AND o.received_at < :until AND "
            "v.county_code = '140829' GROUP BY p.category",
            since=since.replace(tzinfo=None),
            until=until.replace(tzinfo=None),
        )
    )
    assert {c.key: (c.orders, c.amount_fen) for c in county.sales.by_category if c.orders} == {
        ProductCategory(key): figures for key, figures in categories.items()
    }
    assert sum(c.orders for c in county.sales.by_category) > 0
    for q in county.commitments.by_quarter:
        [(reports, jobs)] = sql(
            world,
            "SELECT count(*), coalesce(sum(r.actual_jobs), 0) FROM outcome_reports r JOIN "
            "pairing_agreements a ON a.id = r.agreement_id JOIN villages v ON v.id = "
            "a.village_id WHERE r.status = 'verified' AND r.year = :y AND r.quarter = :q AND "
            "v.county_code = '140829' AND a.status <> 'terminated'",
            y=int(q.key[:4]),
            q=int(q.key[-1]),
        )
        assert (q.reports, q.actual.jobs) == (reports, jobs)
    assert sum(q.reports for q in county.commitments.by_quarter) > 0
    assert county.overdue.by_county == tuple(c for c in city.overdue.by_county if c[0] == "140829")
    assert city.overdue.total > 0  # the seeded county has none: the city's list is the guard


@pytest.fixture
def statements(world) -> Iterator[list[str]]:
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith("BEGIN"):
            sent.append(statement)

    engine = world.database.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(engine, "before_cursor_execute", record)


def dashboard_for(world, name: str):
    with world.database.read_only() as session:
        return stats.dashboard(session=session, actor=world.actors[name], today=TODAY, reuse=True)


def test_the_whole_dashboard_is_fourteen_aggregate_statements_then_one_until_figures_may_change(
    world, statements
):
    stats.clear_cache()
    first = dashboard_for(world, "pinglu")
    # The data version, then the figures (two of them the terminated agreements' actuals, kept
    # apart from the committed-against-actual ratio: decision 0032).
    assert len(statements) == 1 + 14
    assert all(s.lstrip().upper().startswith(("SELECT", "WITH")) for s in statements)
    # Five are plain selects: the unpaired key villages and overdue agreements (with a LIMIT),
    # the region's counties for the sales table, the sales summary's rows (sales_monthly) and
    # the reserved shares (a sum per listed buyer looked up in purchases_yearly).
    assert sum("GROUP BY" in s for s in statements) == 9
    assert sum("FROM sales_monthly" in s for s in statements) == 1
    assert sum("FROM purchases_yearly" in s for s in statements) == 2
    statements.clear()
    assert dashboard_for(world, "pinglu") == first
    assert len(statements) == 1
    with world.database.unit_of_work() as session:  # an export changes no figure: kept
        ledger.request_export(session=session, actor=world.actors["pinglu"], fmt="csv")
    statements.clear()
    assert dashboard_for(world, "pinglu") == first
    assert len(statements) == 1
    with world.database.unit_of_work() as session:  # any other state change: computed afresh
        village = session.exec(select(Village).order_by(Village.id).limit(1)).one()
        add_record(
            session,
            DomainEvent(actor_id=None, actor_label="测试", action="village.update", obj=village),
        )
    statements.clear()
    assert dashboard_for(world, "pinglu") == first
    assert len(statements) == 1 + 14
    with world.database.unit_of_work() as session:  # an order: only the panels reading orders
        order = session.exec(select(Order).order_by(Order.id).limit(1)).one()
        add_record(
            session, DomainEvent(actor_id=None, actor_label="测试", action="order.rate", obj=order)
        )
    statements.clear()
    assert dashboard_for(world, "pinglu") == first
    assert len(statements) == 1 + 4  # sales (2), reserved shares, most active enterprises
    # All from the summaries the order service keeps, none from the orders themselves.
    assert sum("FROM sales_monthly" in s for s in statements[1:]) == 1
    assert sum("FROM purchases_yearly" in s for s in statements[1:]) == 2
    assert not any("FROM orders" in s for s in statements[1:])
    statements.clear()
    with world.database.read_only() as session:  # without ``reuse``: computed afresh
        stats.dashboard(session=session, actor=world.actors["pinglu"], today=TODAY)
    assert len(statements) == 14


def test_only_bureau_officers_see_statistics(world):
    with world.database.read_only() as session:
        with pytest.raises(PermissionDeniedError):
            stats.dashboard(session=session, actor=world.actors["qiye"])
        with pytest.raises(KeyError):
            stats.panel("nonsense", session=session, actor=world.actors["city"])


def test_months_cross_the_year_in_order():
    assert shown_months(date(2026, 2, 10))[:3] == ["2025-03", "2025-04", "2025-05"]
    assert shown_months(date(2026, 2, 10))[-1] == "2026-02"
