"""Statement counts for the nested lists added with the mutations: product photos and price
checks, report evidence, an agreement's overdue flag, recommended villages. A page of 30 costs
what a page of 5 costs."""

from datetime import date

import pytest

from app.actors import Actor, Role
from app.db import Database, create_db_engine
from app.models import OutcomeReport, ProductImage, ReportEvidence
from app.models.enums import AgreementStatus, ProductStatus, ReportStatus
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_enterprise,
    make_product,
    make_township,
    make_village,
)
from tests.graphql.conftest import data_of, execute
from tests.graphql.payload_checks import counting

CITY_BUREAU = Actor(role=Role.bureau, region_code="140800", name="市局")


@pytest.fixture(scope="module")
def trade_db(database_factory):
    """40 villages, each with a cooperative, a listed product with two photos and an active
    agreement with two reports, each report with one evidence file."""
    database = Database(create_db_engine(database_factory.new_url("gqlbatches")))
    with database.unit_of_work() as session:
        township = make_township(session)
        enterprise = make_enterprise(session, max_villages=100)
        for n in range(40):
            village = make_village(session, code=f"{township.code}{n + 300:03d}")
            cooperative = make_cooperative(session, village=village)
            product = make_product(
                session, cooperative=cooperative, status=ProductStatus.listed, price_fen=1000 + n
            )
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
    # reports, evidence, agreements, their villages (visibility), their reports (overdue)
    assert (few, many) == (5, 5)
    nodes = data["outcomeReports"]["nodes"]
    assert len(nodes) == 30
    assert all(len(n["evidence"]) == 1 for n in nodes)
    # Reported only 2025 Q1–Q2 on a term running to 2029: overdue today.
    assert {n["agreement"]["overdue"] for n in nodes} == {True}
