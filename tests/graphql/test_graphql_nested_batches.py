"""Statement counts for the nested lists added with the mutations: product photos and price
checks, report evidence, an agreement's overdue flag, recommended villages. A page of 30 costs
what a page of 5 costs."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.actors import Actor, Role
from app.db import Database, create_db_engine
from app.models import (
    CertificationApplication,
    Enterprise,
    OutcomeReport,
    ProductImage,
    ReportEvidence,
)
from app.models.enums import AgreementStatus, ProductStatus, ReportStatus
from app.schema.execution import core_schema
from app.schema.schema import _resolve_id, create_schema
from app.services.pairing import facts
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_enterprise,
    make_product,
    make_township,
    make_village,
)
from tests.graphql.conftest import data_of, execute
from tests.graphql.payload_checks import counting, gid

CITY_BUREAU = Actor(role=Role.bureau, region_code="140800", name="市局")


@pytest.fixture(scope="module")
def trade_db(database_factory):
    """40 villages, each with a cooperative, a listed product with two photos and a pending
    certification application, and an active agreement with two reports, each report with one
    evidence file; a second enterprise (平陆果业) with no partner yet."""
    database = Database(create_db_engine(database_factory.new_url("gqlbatches")))
    with database.unit_of_work() as session:
        township = make_township(session)
        enterprise = make_enterprise(session, max_villages=100)
        make_enterprise(session, name="平陆果业", offers=0b111111)
        for n in range(40):
            village = make_village(session, code=f"{township.code}{n + 300:03d}")
            cooperative = make_cooperative(session, village=village)
            product = make_product(
                session, cooperative=cooperative, status=ProductStatus.listed, price_fen=1000 + n
            )
            session.add(CertificationApplication(product_id=product.id))
            for position in range(2):
                key = f"batch/{product.id}-{position}"
                session.add(
                    ProductImage(
                        product_id=product.id,
                        content_type="image/jpeg",
                        size_bytes=1,
                        width=4,
                        height=3,
                        sha256="0" * 64,
                        storage_key=f"{key}.jpg",
                        thumbnail_key=f"{key}_thumb.jpg",
                        position=position,
                    )
                )
            agreement = make_agreement(
                session,
                enterprise=enterprise,
                village=village,
                status=AgreementStatus.active,
                start_on=date(2025, 1, 1),
                end_on=date(2029, 12, 31),
            )
            for quarter in (1, 2):
                report = OutcomeReport(
                    agreement_id=agreement.id,
                    year=2025,
                    quarter=quarter,
                    status=ReportStatus.submitted,
                )
                session.add(report)
                session.flush()
                session.add(
                    ReportEvidence(
                        report_id=report.id,
                        filename=f"{n}-{quarter}.pdf",
                        content_type="application/pdf",
                        size_bytes=10,
                        sha256="0" * 64,
                        storage_key=f"evidence/batch/{report.id}.pdf",
                    )
                )
    yield database
    database.dispose()


def _count(database, query: str, first: int) -> tuple[int, dict]:
    with counting(database) as statements:
        data = data_of(execute(database, query, {"first": first}, actor=CITY_BUREAU))
    return len(statements), data


PRODUCTS = """query($first: Int!) { products(first: $first) { nodes {
  name images { url width } priceCheck { median comparables flagged } cooperative { name }
} } }"""
REPORTS = """query($first: Int!) { outcomeReports(first: $first) { nodes {
  period evidence { filename url } agreement { number overdue }
} } }"""


def test_products_with_photos_and_price_checks(trade_db):
    few, data = _count(trade_db, PRODUCTS, 5)
    many, data = _count(trade_db, PRODUCTS, 30)
    # products, photos, price checks, cooperatives (their villages come with the products' own)
    assert (few, many) == (5, 5)
    nodes = data["products"]["nodes"]
    assert len(nodes) == 30
    assert all(len(n["images"]) == 2 for n in nodes)
    assert {n["priceCheck"]["comparables"] for n in nodes} == {40}


def test_reports_with_evidence_and_overdue_agreements(trade_db):
    few, _ = _count(trade_db, REPORTS, 5)
    many, data = _count(trade_db, REPORTS, 30)
    # reports, evidence, agreements, their villages (visibility), and for overdue their reports,
    # waivers and newest reminders (app/services/pairing/followup.py: one statement each)
    assert (few, many) == (7, 7)
    nodes = data["outcomeReports"]["nodes"]
    assert len(nodes) == 30
    assert all(len(n["evidence"]) == 1 for n in nodes)
    # Reported only 2025 Q1–Q2 on a term running to 2029: overdue today.
    assert {n["agreement"]["overdue"] for n in nodes} == {True}


RECOMMENDED = """query($first: Int!, $id: ID!) {
  recommendedVillages(enterpriseId: $id, first: $first) {
    totalCount nodes { score parts { text } village { name county { name } } }
  }
}"""
APPLICATIONS = """{ certificationApplications {
  status product { name images { url } cooperative { name } village { name county { name } } }
} }"""


def test_recommended_villages_load_their_villages_in_one_batch(trade_db):
    with trade_db.read_only() as session:
        key = session.execute(
            sa.select(Enterprise.id).where(Enterprise.name == "平陆果业")
        ).scalar_one()
    counts = {}
    for first in (5, 30):
        variables = {"first": first, "id": gid("Enterprise", key)}
        facts.clear_columns_cache()  # computed, then answered from the change-stamp cache
        for state in ("computed", "cached"):
            with counting(trade_db) as statements:
                data = data_of(execute(trade_db, RECOMMENDED, variables, actor=CITY_BUREAU))
            counts[first, state] = len(statements)
            nodes = data["recommendedVillages"]["nodes"]
            assert len(nodes) == first
            assert {n["village"]["county"]["name"] for n in nodes} == {"平陆县"}
    # The service's statements (the enterprise's facts, the change stamp, its partners, every
    # candidate's columns in three scans unless cached, the page's villages), then the villages
    # and their counties shown: the same for 5 or 30.
    assert counts == {(5, "computed"): 9, (5, "cached"): 6, (30, "computed"): 9, (30, "cached"): 6}


def test_the_certification_queue_with_its_products(trade_db):
    with counting(trade_db) as statements:
        data = data_of(execute(trade_db, APPLICATIONS, actor=CITY_BUREAU))
    applications = data["certificationApplications"]
    assert len(applications) == 40
    assert all(len(a["product"]["images"]) == 2 for a in applications)
    # the queue and what the service loads with it (products, villages, cooperatives), photos,
    # cooperatives and their villages' counties (visibility), counties
    assert len(statements) == 8


def test_hot_resolvers_are_called_by_graphql_core_directly():
    types = core_schema(create_schema()).type_map
    direct = [
        ("PairingAgreement", "enterprise"),
        ("PairingAgreement", "helpKinds"),
        ("Product", "harvestMonths"),
        ("ProductConnection", "nodes"),
    ]
    assert all(types[t].fields[f].resolve.__qualname__.startswith("_direct") for t, f in direct)
    assert types["Village"].fields["id"].resolve is _resolve_id
    # Resolvers with arguments (lookahead, paging) keep Strawberry's wrapper.
    assert not types["Village"].fields["agreements"].resolve.__qualname__.startswith("_direct")
