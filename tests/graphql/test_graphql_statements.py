"""SQL statement counts: nested pages cost a fixed number of statements, not one per row."""

from datetime import date

import pytest

from app.actors import Actor, Role
from app.models import OutcomeReport
from app.models.enums import AgreementStatus, ReportStatus
from tests.factories import make_agreement, make_enterprise, make_township, make_village
from tests.graphql.conftest import data_of, execute
from tests.graphql.payload_checks import counting

CITY_BUREAU = Actor(role=Role.bureau, region_code="140800", name="市局")
PAGE = """
query($first: Int!) {
  villages(first: $first) {
    totalCount
    nodes {
      code
      agreements(first: 5) {
        totalCount
        nodes {
          number
          status
          enterprise { name kind }
          latestReport { period status actualPurchase }
        }
      }
    }
  }
}"""


@pytest.fixture(scope="module")
def paired_db(database_factory):
    """60 villages, each paired with two of 10 enterprises; agreements with 0–3 reports."""
    from app.db import Database, create_db_engine

    database = Database(create_db_engine(database_factory.new_url("gqlstatements")))
    with database.unit_of_work() as session:
        township = make_township(session)
        enterprises = [make_enterprise(session) for _ in range(10)]
        for n in range(60):
            village = make_village(session, code=f"{township.code}{n + 300:03d}")
            for k in range(2):
                agreement = make_agreement(
                    session,
                    enterprise=enterprises[(n + k) % 10],
                    village=village,
                    status=AgreementStatus.active,
                    start_on=date(2025, 1, 1),
                    end_on=date(2027, 12, 31),
                )
                for quarter in range(1, (n + k) % 4 + 1):
                    session.add(
                        OutcomeReport(
                            agreement_id=agreement.id,
                            year=2025,
                            quarter=quarter,
                            status=ReportStatus.verified,
                            actual_purchase_fen=quarter * 100,
                        )
                    )
    yield database
    database.dispose()


def test_a_page_of_villages_with_agreements_enterprises_and_reports_costs_five_statements(
    paired_db,
):
    counts = {}
    for first in (5, 50):
        with counting(paired_db) as statements:
            data = data_of(execute(paired_db, PAGE, {"first": first}, actor=CITY_BUREAU))
        villages = data["villages"]["nodes"]
        assert len(villages) == first
        assert all(v["agreements"]["totalCount"] == 2 for v in villages)
        assert all(len(v["agreements"]["nodes"]) == 2 for v in villages)
        counts[first] = len(statements)
    # villages page, their count, agreements (windowed, with totals), enterprises, latest reports
    assert counts == {5: 5, 50: 5}


def test_the_latest_report_is_the_latest_quarter(paired_db):
    data = data_of(execute(paired_db, PAGE, {"first": 4}, actor=CITY_BUREAU))
    reports = [
        a["latestReport"] for v in data["villages"]["nodes"] for a in v["agreements"]["nodes"]
    ]
    assert {"period": "2025Q3", "status": "VERIFIED", "actualPurchase": "3.00"} in reports
    assert None in reports  # agreements without a report yet


def test_nested_pages_keep_their_own_cursor_and_total(paired_db):
    query = """query($after: String) { villages(first: 3) { nodes {
        agreements(first: 1, after: $after) { totalCount pageInfo { hasNextPage } nodes { number } } } } }"""
    first = data_of(execute(paired_db, query, {}, actor=CITY_BUREAU))["villages"]["nodes"]
    assert all(v["agreements"]["pageInfo"]["hasNextPage"] for v in first)
    cursor = "Y3Vyc29yOjA="  # position 0: the next page starts at the second agreement
    second = data_of(execute(paired_db, query, {"after": cursor}, actor=CITY_BUREAU))
    for before, after in zip(first, second["villages"]["nodes"], strict=True):
        assert after["agreements"]["totalCount"] == 2
        assert after["agreements"]["pageInfo"]["hasNextPage"] is False
        assert after["agreements"]["nodes"] != before["agreements"]["nodes"]
    past = data_of(execute(paired_db, query, {"after": "Y3Vyc29yOjU="}, actor=CITY_BUREAU))
    assert all(
        v["agreements"] == {"totalCount": 2, "pageInfo": {"hasNextPage": False}, "nodes": []}
        for v in past["villages"]["nodes"]
    )


def test_both_directions_stay_batched(paired_db):
    query = """{ villages(first: 20) { nodes { agreements(first: 2) { nodes {
        enterprise { name agreements(first: 3) { totalCount nodes { village { code county { name } } } } } } } } } }"""
    with counting(paired_db) as statements:
        data_of(execute(paired_db, query, actor=CITY_BUREAU))
    # villages, agreements by village, enterprises, agreements by enterprise, villages, counties
    assert len(statements) == 6


def test_fields_fetched_ahead_through_fragments_give_the_same_answer(paired_db):
    plain = data_of(execute(paired_db, PAGE, {"first": 7}, actor=CITY_BUREAU))
    with_fragments = """
    query($first: Int!) { villages(first: $first) { totalCount nodes { code agreements(first: 5) { ...Page } } } }
    fragment Page on PairingAgreementConnection { totalCount edges { node { ...Agreement } } }
    fragment Agreement on PairingAgreement {
      number status enterprise { name kind } ... on PairingAgreement { latestReport { period status actualPurchase } }
    }"""
    with counting(paired_db) as statements:
        fragmented = data_of(execute(paired_db, with_fragments, {"first": 7}, actor=CITY_BUREAU))
    assert len(statements) == 5
    for a, b in zip(plain["villages"]["nodes"], fragmented["villages"]["nodes"], strict=True):
        assert a["agreements"]["nodes"] == [e["node"] for e in b["agreements"]["edges"]]
