"""Migration 0018 on a seeded database: proposals committing nothing become drafts, every other
agreement keeps its status, nothing is deleted, and a downgrade brings the statuses back."""

import sqlalchemy as sa

from app import migrate
from app.db import Database, create_db_engine
from app.seed import seed_database

NOTHING = (
    "commit_funding_business_fen = 0, commit_funding_welfare_fen = 0, commit_jobs = 0,"
    " commit_trainees = 0, commit_purchase_fen = 0, commit_beneficiaries = 0"
)


def _statuses(url: str) -> dict[int, str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, status FROM pairing_agreements")).all()
    finally:
        engine.dispose()
    return dict(rows)


def _empty_first(url: str, status: str) -> int:
    engine = create_db_engine(url)
    try:
        with engine.begin() as conn:
            first = conn.execute(
                sa.text("SELECT min(id) FROM pairing_agreements WHERE status = :s"), {"s": status}
            ).scalar_one()
            conn.execute(
                sa.text(f"UPDATE pairing_agreements SET {NOTHING} WHERE id = :i"), {"i": first}
            )
    finally:
        engine.dispose()
    return first


def test_empty_proposals_become_drafts_and_nothing_else_changes(database_factory):
    url = database_factory.new_url("m0018")
    database = Database(create_db_engine(url))
    seed_database(database, scale="tiny", seed=3)
    database.dispose()
    migrate.downgrade(url, "0016")
    empty_proposal = _empty_first(url, "proposed")
    empty_signed = _empty_first(url, "signed")
    before = _statuses(url)
    migrate.upgrade(url)
    after = _statuses(url)
    assert set(after) == set(before)  # nothing deleted
    assert after[empty_proposal] == "draft"
    assert after[empty_signed] == "signed"  # kept: the bureau may return it for correction
    assert {k: v for k, v in after.items() if k != empty_proposal} == {
        k: v for k, v in before.items() if k != empty_proposal
    }
    migrate.downgrade(url, "0016")
    assert _statuses(url) == before
