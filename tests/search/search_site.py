"""A catalogue for the search page and GraphQL tests, and the app serving it with search started."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from starlette.testclient import TestClient

from app.asgi import create_app
from app.config import Settings
from app.db import Database, create_db_engine
from app.models import Enterprise, Product
from app.models.enums import (
    Certification,
    EnterpriseKind,
    HelpKind,
    ProductCategory,
    ProductStatus,
    RegistrationStatus,
)
from app.models.flags import months_to_mask, to_mask
from tests.pairing_factories import make_need
from tests.search_factories import approved_enterprise, listed, village_in

SCRIPT_NAME = "<script>alert(1)</script>苹果"


def build_catalogue(database: Database) -> dict[str, int]:
    """Products in four counties (one delisted), villages and enterprises; ids by name."""
    green = to_mask([Certification.green], Certification)
    with database.unit_of_work() as session:
        products = [
            listed(
                session,
                "红富士苹果",
                "140829",
                price_fen=500,
                stock=100,
                certifications=green,
                harvest_months=months_to_mask([9, 10]),
                description="平陆塬上的红富士苹果，脆甜多汁",
            ),
            listed(
                session,
                "万荣苹果",
                "140822",
                price_fen=800,
                stock=0,
                harvest_months=months_to_mask([10]),
            ),
            listed(
                session,
                "杜马百合",
                "140829",
                price_fen=3500,
                stock=20,
                category=ProductCategory.vegetable,
            ),
            listed(
                session,
                "大红袍花椒",
                "140830",
                price_fen=6000,
                stock=5,
                category=ProductCategory.dried_nut,
                certifications=green,
            ),
            listed(session, SCRIPT_NAME, "140802", price_fen=900, stock=3),
            listed(session, "下架苹果", "140829", status=ProductStatus.delisted),
        ]
        pepper = village_in(
            session,
            "140829",
            name="张店村",
            key_village=True,
            main_industries="花椒、苹果",
            introduction="花椒种植三千亩。",
        )
        organisations = [
            pepper,
            village_in(session, "140822", name="西王村", main_industries="苹果"),
            approved_enterprise(session, name="运城果业集团有限公司",
                                kind=EnterpriseKind.state_owned,
                                offers=to_mask([HelpKind.sales], HelpKind),
                                introduction="收购花椒、苹果，开展结对帮销。"),
            approved_enterprise(session, name="待审核花椒贸易公司",
                                status=RegistrationStatus.pending),
        ]  # fmt: skip
        make_need(session, pepper, kind="sales", description="花椒滞销")
        return {o.name: o.id for o in [*products, *organisations]}


def serve(database: Database, index_dir: Path) -> TestClient:
    """A client of the app over ``database``; entering it runs start-up (search included)."""
    settings = Settings(
        environment="development",
        secret_key="s" * 40,
        database_url=database.engine.url.render_as_string(hide_password=False),
        index_dir=index_dir,
        upload_dir=index_dir.parent / "uploads",
        jobs_in_server=True,  # the search drain runs where the jobs run, also on PostgreSQL
    )
    return TestClient(create_app(settings, database=database))


def hide_behind_the_index(database: Database, product_id: int, enterprise_id: int) -> None:
    """Delist a product and reject an enterprise without outbox rows: the index lags behind."""
    with database.unit_of_work() as session:
        session.execute(
            sa.update(Product).where(Product.id == product_id).values(status=ProductStatus.delisted)
        )
        session.execute(
            sa.update(Enterprise)
            .where(Enterprise.id == enterprise_id)
            .values(status=RegistrationStatus.rejected)
        )


@contextmanager
def catalogue_site(
    database_factory, directory: Path
) -> Iterator[tuple[TestClient, dict[str, int]]]:
    """The catalogue in a new database, served with search started; (client, ids by name)."""
    database = Database(create_db_engine(database_factory.new_url("catalogue")))
    ids = build_catalogue(database)
    try:
        with serve(database, directory / "index") as client:
            yield client, ids
    finally:
        database.dispose()
