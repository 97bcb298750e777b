"""The API request limit: counted in memory per process, shared through the database."""

import itertools
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.actors import ANONYMOUS, Actor, Role
from app.config import Settings
from app.db import Database, create_db_engine
from app.errors import ThrottledError
from app.models import RateLimitCounter
from app.services.api_limits import ApiRateLimiter

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
PER_ACCOUNT, PER_ADDRESS = 8, 4
USERS = itertools.count(1000)  # hypothesis examples share the fixture's database: a user each


def _settings(**overrides) -> Settings:
    values = {
        "api_requests_per_minute": PER_ACCOUNT,
        "api_anonymous_requests_per_minute": PER_ADDRESS,
        "api_limit_sync_seconds": 1.0,
    }
    return Settings(**values | overrides)


def _user(user_id: int) -> Actor:
    return Actor(role=Role.enterprise, user_id=user_id, name=f"用户{user_id}")


def _admitted(limiter, actor, *, at=T0, address="10.0.0.1") -> bool:
    try:
        limiter.admit(actor, address, now=at)
    except ThrottledError:
        return False
    return True


@pytest.fixture
def two_processes(fresh_db):
    """Two limiters on two Database objects over one database: two server processes."""
    other = Database(create_db_engine(fresh_db.engine.url.render_as_string(hide_password=False)))
    yield (
        ApiRateLimiter(fresh_db, _settings(), background=False),
        ApiRateLimiter(other, _settings(), background=False),
    )
    other.dispose()


@contextmanager
def _statements(engine):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _stored(database) -> dict[str, int]:
    with database.read_only() as session:
        rows = session.execute(sa.select(RateLimitCounter.key, RateLimitCounter.hits))
        return dict(rows.all())


def test_admitting_a_request_runs_no_sql(fresh_db):
    # Below a quarter of its limit a client never reaches the database, even with the
    # background sync on: the hot path is memory only.
    limiter = ApiRateLimiter(fresh_db, _settings(api_requests_per_minute=600))
    with _statements(fresh_db.engine) as statements:
        for i in range(149):
            limiter.admit(_user(1), "10.0.0.1", now=T0 + timedelta(milliseconds=i))
    assert statements == []
    assert _stored(fresh_db) == {}


@pytest.mark.parametrize("user_id", [1, 2, 77])
def test_one_process_refuses_past_the_limit_until_the_minute_ends(fresh_db, user_id):
    limiter = ApiRateLimiter(fresh_db, _settings(), background=False)
    at = T0 + timedelta(seconds=45)
    assert [_admitted(limiter, _user(user_id), at=at) for _ in range(10)] == [True] * 8 + [
        False
    ] * 2
    with pytest.raises(ThrottledError) as caught:
        limiter.admit(_user(user_id), "10.0.0.1", now=at)
    assert (caught.value.code, caught.value.retry_after) == ("throttled", 15)
    assert caught.value.message == "接口请求过于频繁，请 15 秒后再试"
    # Another account, and the same account in the next minute, start afresh.
    assert _admitted(limiter, _user(user_id + 1), at=at)
    assert _admitted(limiter, _user(user_id), at=T0 + timedelta(seconds=60))


def test_anonymous_requests_count_per_address(fresh_db):
    limiter = ApiRateLimiter(fresh_db, _settings(), background=False)
    results = [_admitted(limiter, ANONYMOUS, address="203.0.113.5") for _ in range(5)]
    assert results == [True] * 4 + [False]
    assert _admitted(limiter, ANONYMOUS, address="203.0.113.6")
    # A signed-in client behind the same address has its own limit.
    assert _admitted(limiter, _user(1), address="203.0.113.5")


def test_the_limit_holds_across_two_processes(two_processes, fresh_db):
    first, second = two_processes
    user = _user(5)
    assert [_admitted(first, user) for _ in range(5)] == [True] * 5
    first.sync(now=T0)
    # The second process learns of the first one's five at its first sync.
    assert _admitted(second, user)
    second.sync(now=T0)
    assert [_admitted(second, user) for _ in range(3)] == [True, True, False]
    second.sync(now=T0)
    assert _stored(fresh_db) == {"user:5": 8}
    # The first process has not synced since it knew five: it admits once more (the price of
    # counting in memory), then learns the total and refuses like the second.
    assert _admitted(first, user)
    first.sync(now=T0)
    assert (_admitted(first, user), _admitted(second, user)) == (False, False)
    second.sync(now=T0)
    assert _stored(fresh_db) == {"user:5": 9}
    assert not _admitted(second, user)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(st.tuples(st.sampled_from(["admit", "sync"]), st.integers(0, 1)), max_size=60)
)
def test_a_process_admits_past_the_limit_only_by_what_it_has_not_yet_seen(two_processes, steps):
    # A model of two processes and the shared counter: a process knows the counter as it read it
    # at its last sync (of a key it had seen since), plus its own unsent requests. ``unseen`` is
    # what the other process admitted that this one does not know of: a process admits past the
    # limit only by that much, and when it has seen everything it admits exactly to the limit.
    processes = two_processes
    user = _user(next(USERS))
    shared, total = 0, 0
    known, unsent, touched = [0, 0], [0, 0], [False, False]
    for action, p in steps:
        if action == "sync":
            processes[p].sync(now=T0)
            if touched[p]:
                shared += unsent[p]
                known[p], unsent[p], touched[p] = shared, 0, False
            continue
        touched[p] = True
        unseen = total - known[p] - unsent[p]
        admitted = _admitted(processes[p], user)
        assert admitted == (total - unseen < PER_ACCOUNT)
        if unseen == 0:
            assert admitted == (total < PER_ACCOUNT)
        if admitted:
            total += 1
            unsent[p] += 1
    for process in processes:
        process.sync(now=T0)
    # Every admitted request reached the shared counter: none lost, none counted twice.
    assert _stored(processes[0].database).get(f"user:{user.user_id}", 0) == total


def test_counts_being_sent_still_count(fresh_db, monkeypatch):
    # While a sync is writing, the counts it carries are in neither the unsent count nor the
    # total read back: they must still hold requests back.
    limiter = ApiRateLimiter(fresh_db, _settings(), background=False)
    user = _user(9)
    assert [_admitted(limiter, user) for _ in range(8)] == [True] * 8
    writing, release = threading.Event(), threading.Event()
    write = limiter._write

    def slow_write(batch, now):
        writing.set()
        release.wait(10)
        return write(batch, now)

    monkeypatch.setattr(limiter, "_write", slow_write)
    sync = threading.Thread(target=limiter.sync, kwargs={"now": T0})
    sync.start()
    writing.wait(10)
    assert not _admitted(limiter, user)
    release.set()
    sync.join()
    assert not _admitted(limiter, user)
    assert _stored(fresh_db) == {"user:9": 8}


def test_counts_a_failed_sync_could_not_send_are_kept_for_the_next(fresh_db, monkeypatch):
    limiter = ApiRateLimiter(fresh_db, _settings(), background=False)
    user = _user(10)
    for _ in range(5):
        limiter.admit(user, "10.0.0.1", now=T0)

    def broken(batch, now):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(limiter, "_write", broken)
    with pytest.raises(RuntimeError):
        limiter.sync(now=T0)
    assert [_admitted(limiter, user) for _ in range(4)] == [True, True, True, False]
    monkeypatch.undo()
    limiter.sync(now=T0)
    assert _stored(fresh_db) == {"user:10": 8}


def test_a_busy_client_is_shared_by_a_background_sync_at_most_once_per_interval(fresh_db):
    # Given the background sync on and a limit of 8 (shared from 2 requests on), when one client
    # sends requests, then one thread adds them to the database, and not again within a second.
    limiter = ApiRateLimiter(fresh_db, _settings())
    user = _user(11)
    limiter.admit(user, "10.0.0.1", now=T0)
    assert limiter.sync_thread is None  # one request: below a quarter, nothing shared
    limiter.admit(user, "10.0.0.1", now=T0)
    first = limiter.sync_thread
    first.join(10)
    assert _stored(fresh_db) == {"user:11": 2}
    limiter.admit(user, "10.0.0.1", now=T0 + timedelta(milliseconds=500))
    assert limiter.sync_thread is first
    limiter.admit(user, "10.0.0.1", now=T0 + timedelta(seconds=1))
    limiter.sync_thread.join(10)
    assert limiter.sync_thread is not first
    assert _stored(fresh_db) == {"user:11": 4}
