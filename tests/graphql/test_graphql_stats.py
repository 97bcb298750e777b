"""GraphQL ``stats``: the dashboard's figures, for bureau officers and within their region."""

from collections.abc import Iterator

import pytest

from app.money import fen_to_yuan
from app.services import stats
from tests.graphql.conftest import data_of, execute
from tests.services.bureau_world import BureauWorld, build_bureau_world

QUERY = """
{
  stats {
    coverage { code name category villages keyVillages pairedVillages unpairedKeyVillages }
    unpairedKeyVillages { code name countyName households }
    agreementsByStatus { status count }
    committedByCounty { key agreements reports committed { fundingBusiness jobs } actual { purchase beneficiaries } }
    committedByQuarter { key agreements reports committed { purchase } actual { fundingWelfare trainees } }
    salesByCounty { code orders amount pairedAmount }
    salesByCategory { key orders amount }
    salesByMonth { key amount }
    reservedShares { year reserved bought percent enterprise { name } }
    reservingBuyers
    overdueQuarter
    overdueByCounty { code count }
    overdueAgreements { number countyName }
    activeEnterprises { name activeAgreements reports purchase }
  }
}
"""


@pytest.fixture(scope="module")
def world(database_factory) -> Iterator[BureauWorld]:
    built = build_bureau_world(database_factory, "gqlstats")
    yield built
    built.database.dispose()


def dashboard(world, name: str):
    with world.database.read_only() as session:
        return stats.dashboard(session=session, actor=world.actors[name])


def test_stats_return_the_dashboards_figures(world):
    data = data_of(execute(world.database, QUERY, actor=world.actors["city"]))["stats"]
    figures = dashboard(world, "city")
    assert [(c["code"], c["villages"], c["pairedVillages"]) for c in data["coverage"]] == [
        (c.code, c.villages, c.paired_villages) for c in figures.coverage.counties
    ]
    assert [v["code"] for v in data["unpairedKeyVillages"]] == [
        v.code for v in figures.coverage.unpaired_key
    ]
    assert {a["status"]: a["count"] for a in data["agreementsByStatus"]} == {
        s.name.upper(): n for s, n in figures.agreements
    }
    county = figures.commitments.by_county
    assert [
        (r["key"], r["agreements"], r["committed"]["fundingBusiness"], r["actual"]["purchase"])
        for r in data["committedByCounty"]
    ] == [
        (
            r.key,
            r.agreements,
            fen_to_yuan(r.committed.funding_business_fen),
            fen_to_yuan(r.actual.purchase_fen),
        )
        for r in county
    ]
    assert [q["key"] for q in data["committedByQuarter"]] == [
        q.key for q in figures.commitments.by_quarter
    ]
    assert [(s["code"], s["amount"]) for s in data["salesByCounty"]] == [
        (s.code, fen_to_yuan(s.amount_fen)) for s in figures.sales.by_county
    ]
    assert [(s["key"], s["amount"]) for s in data["salesByCategory"]] == [
        (str(s.key), fen_to_yuan(s.amount_fen)) for s in figures.sales.by_category
    ]
    assert [s["key"] for s in data["salesByMonth"]] == [s.key for s in figures.sales.by_month]
    assert [s["enterprise"]["name"] for s in data["reservedShares"]] == [
        s.enterprise_name for s in figures.shares.lowest
    ]
    assert data["reservingBuyers"] == figures.shares.buyers > 0
    assert data["overdueQuarter"] == figures.overdue.quarter.period
    assert sum(c["count"] for c in data["overdueByCounty"]) == figures.overdue.total
    assert [e["name"] for e in data["activeEnterprises"]] == [e.name for e in figures.enterprises]


def test_a_county_officer_gets_the_county_only(world):
    query = (
        "{ stats { coverage { code } salesByCounty { code } overdueAgreements { countyName } } }"
    )
    data = data_of(execute(world.database, query, actor=world.actors["pinglu"]))["stats"]
    assert data["coverage"] == [{"code": "140829"}]
    assert data["salesByCounty"] == [{"code": "140829"}]
    assert {a["countyName"] for a in data["overdueAgreements"]} <= {"平陆县"}


@pytest.mark.parametrize("actor", ["qiye", None])
def test_only_the_bureau_reads_stats(world, actor):
    kwargs = {"actor": world.actors[actor]} if actor else {}
    result = execute(world.database, "{ stats { coverage { code } } }", **kwargs)
    assert result.data is None
    [error] = result.errors
    assert error.message == "只有乡村振兴局可以查看统计"
    assert error.extensions == {"code": "permission_denied"}
