"""The dashboard's cache on PostgreSQL, where event ids can commit out of order: figures computed
while another transaction is still writing are not kept, so the cache never answers with fewer
changes than the database holds."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.actors import Actor, Role
from app.db import Database, create_db_engine
from app.models.enums import CITY_CODE
from app.services import stats
from app.services.audit import add_record
from app.services.domain_events import DomainEvent
from tests.conftest import PG_URL
from tests.factories import make_village
from tests.pairing_factories import make_active

TODAY = date(2026, 11, 29)
CITY = Actor(role=Role.bureau, name="市局", region_code=CITY_CODE)

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="SQLite serialises writers: its event ids commit in order"
)


@pytest.fixture
def database(database_factory):
    database = Database(create_db_engine(database_factory.new_url("stats_cache")))
    yield database
    database.dispose()


def _dashboard(database: Database, *, reuse: bool):
    with database.read_only() as session:
        return stats.dashboard(session=session, actor=CITY, today=TODAY, reuse=reuse)


def test_an_earlier_event_committed_later_is_not_missed(database):
    with database.unit_of_work() as session:
        village = make_village(session)
        other = make_village(session)
    stats.clear_cache()
    # T1 takes the smaller event id and stays open.
    slow = database.unit_of_work()
    session = slow.__enter__()
    agreement = make_active(session, village=session.get(type(village), village.id))
    add_record(
        session,
        DomainEvent(actor_id=None, actor_label="测试", action="agreement.file", obj=agreement),
    )
    session.flush()
    # T2 takes a larger one and commits first.
    with database.unit_of_work() as quick:
        add_record(
            quick,
            DomainEvent(
                actor_id=None,
                actor_label="测试",
                action="village.update",
                obj=quick.get(type(other), other.id),
            ),
        )
    before = _dashboard(database, reuse=True)  # T1 still open: its agreement is not counted
    slow.__exit__(None, None, None)  # T1 commits; the newest event id does not move
    after = _dashboard(database, reuse=True)
    assert after == _dashboard(database, reuse=False)
    assert after.coverage != before.coverage
    # With no writer in progress the figures are kept: the next view is the version look-up alone.
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        sent.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", count)
    try:
        assert _dashboard(database, reuse=True) == after
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", count)
    assert len([s for s in sent if not s.lstrip().upper().startswith("BEGIN")]) == 1
