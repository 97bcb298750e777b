"""Change stamps (migration 0009): the database's triggers move them on every write to a tracked
table, whoever writes, and what is cached under a stamp is never served after a change or a
rollback. Committed transactions on a database of its own, SQLite and PostgreSQL alike."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa

from app.actors import Actor, Role
from app.db import Database, create_db_engine
from app.models import OutcomeReport, Village, VillageNeed
from app.models.enums import HelpKind
from app.services.pairing import recommend_villages
from app.services.stamps import PAIRING, TRACKED, StampedCache, current_stamp
from tests.conftest import PG_URL
from tests.factories import make_enterprise, make_village
from tests.pairing_factories import make_active, make_need, make_report

TODAY = date(2026, 11, 29)


@pytest.fixture
def database(database_factory):
    database = Database(create_db_engine(database_factory.new_url("stamps")))
    yield database
    database.dispose()


@pytest.fixture
def rows(database) -> dict[str, int]:
    """One committed row in each tracked table (ids by table name)."""
    with database.unit_of_work() as session:
        village = make_village(session)
        agreement = make_active(session, village=village)
        need = make_need(session, village, kind=HelpKind.sales)
        report = make_report(session, agreement, 2026, 3)
        return {
            "counties": village.county_code,
            "villages": village.id,
            "village_needs": need.id,
            "enterprises": agreement.enterprise_id,
            "pairing_agreements": agreement.id,
            "outcome_reports": report.id,
        }


def _stamp(database: Database) -> str | None:
    with database.read_only() as session:
        return current_stamp(session, PAIRING)


def _key(table: str) -> str:
    return "code" if table == "counties" else "id"


def test_every_write_to_a_tracked_table_moves_the_stamp(database, rows):
    assert set(rows) == set(TRACKED[PAIRING])
    seen = {_stamp(database)}
    for table, row_id in rows.items():
        with database.unit_of_work() as session:  # a write no service makes: raw SQL
            session.execute(
                sa.text(
                    f"UPDATE {table} SET {_key(table)} = {_key(table)} WHERE {_key(table)} = :k"
                ),
                {"k": row_id},
            )
        seen.add(_stamp(database))
    with database.unit_of_work() as session:
        session.execute(sa.delete(OutcomeReport).where(OutcomeReport.id == rows["outcome_reports"]))
    seen.add(_stamp(database))
    assert None not in seen
    assert len(seen) == len(rows) + 2  # the first, one per update, the delete: all different


def test_every_tracked_table_has_its_triggers(database):
    with database.engine.connect() as conn:
        if database.is_sqlite:
            names = conn.execute(
                sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            expected = {
                f"stamp_{t}_{op}" for t in TRACKED[PAIRING] for op in ("insert", "update", "delete")
            }
        else:
            names = conn.execute(
                sa.text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            ).scalars()
            expected = {f"stamp_{t}{s}" for t in TRACKED[PAIRING] for s in ("", "_truncate")}
        assert expected <= set(names)


def test_a_value_cached_inside_a_rolled_back_write_is_never_served(database, rows):
    cache = StampedCache(PAIRING)
    before = _stamp(database)
    with pytest.raises(RuntimeError), database.unit_of_work() as session:
        session.get(Village, rows["villages"]).population = 4321
        session.flush()
        inside = current_stamp(session, PAIRING)
        assert inside != before  # SQLite: its own fresh stamp; PostgreSQL: None, never cached
        assert cache.get(session, "population", lambda: "uncommitted") == "uncommitted"
        raise RuntimeError("roll back")
    assert _stamp(database) == before
    with database.read_only() as session:
        assert cache.get(session, "population", lambda: "committed") == "committed"


def test_cached_until_a_committed_write(database, rows):
    cache = StampedCache(PAIRING)
    computed: list[int] = []

    def open_needs() -> int:
        with database.read_only() as session:
            return cache.get(
                session,
                "needs",
                lambda: (
                    computed.append(1)
                    or session.execute(sa.select(sa.func.count(VillageNeed.id))).scalar()
                ),
            )

    assert (open_needs(), open_needs(), len(computed)) == (1, 1, 1)
    with database.unit_of_work() as session:
        make_need(session, session.get(Village, rows["villages"]), kind=HelpKind.funding)
    assert (open_needs(), open_needs(), len(computed)) == (2, 2, 2)


def test_recommendations_follow_a_committed_change(database, rows):
    with database.unit_of_work() as session:
        enterprise = make_enterprise(session, max_villages=5)

    def total() -> int:
        actor = Actor(role=Role.enterprise, enterprise_id=enterprise.id)
        with database.read_only() as session:
            found = recommend_villages(
                session=session, actor=actor, enterprise_id=enterprise.id, today=TODAY
            )
            return found.total

    first = total()
    assert total() == first
    with database.unit_of_work() as session:
        make_village(session, name="新村")
    assert total() == first + 1


@pytest.mark.skipif(
    not PG_URL, reason="SQLite serialises writers (BEGIN IMMEDIATE): the interleaving cannot happen"
)
def test_crossing_writers_do_not_deadlock_on_the_stamp(database, rows):
    """T1 holds a village and waits for an enterprise T2 holds, while T2 writes a tracked table:
    with immediate triggers T2 would wait for the stamp T1 took (deadlock); the stamp is written
    only at commit, so both commit."""
    errors: list[BaseException] = []
    t1_holds = threading.Event()
    t2_wrote = threading.Event()

    def first() -> None:
        try:
            with database.unit_of_work() as session:
                session.execute(
                    sa.text("UPDATE villages SET population = 11 WHERE id = :v"),
                    {"v": rows["villages"]},
                )
                t1_holds.set()
                t2_wrote.wait(10)
                session.execute(
                    sa.text("UPDATE enterprises SET max_villages = 7 WHERE id = :e"),
                    {"e": rows["enterprises"]},
                )
        except BaseException as error:
            errors.append(error)

    def second() -> None:
        try:
            t1_holds.wait(10)
            with database.unit_of_work() as session:
                session.execute(
                    sa.text("UPDATE enterprises SET max_villages = 9 WHERE id = :e"),
                    {"e": rows["enterprises"]},
                )
                session.execute(
                    sa.text("UPDATE village_needs SET amount_fen = 100 WHERE id = :n"),
                    {"n": rows["village_needs"]},
                )
                t2_wrote.set()
        except BaseException as error:
            t2_wrote.set()
            errors.append(error)

    before = _stamp(database)
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert _stamp(database) != before
