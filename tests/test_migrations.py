"""Alembic: empty → head, no drift from the models, head → base → head."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import app.models  # noqa: F401
from app import migrate
from app.db import create_db_engine


def _tables(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_table(database_factory):
    url = database_factory.empty_url()
    migrate.upgrade(url)
    assert _tables(url) == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_models_and_migrations_do_not_drift(database_factory):
    url = database_factory.empty_url()
    migrate.upgrade(url)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_upgrade_again(database_factory):
    url = database_factory.empty_url()
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    assert _tables(url) == {"alembic_version"}
    migrate.upgrade(url)
    assert "pairing_agreements" in _tables(url)
