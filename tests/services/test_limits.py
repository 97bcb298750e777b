"""Abuse limits in the database: fixed windows, sign-in delays, retention, concurrent writers."""

import itertools
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config import get_settings
from app.db import Database, create_db_engine
from app.errors import ThrottledError
from app.models import RateLimitCounter
from app.services import limits

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a whole hour: windows of 60 s and 3600 s start here
LIMIT = limits.Limit("test.scope", 3, 60)
EXAMPLES = itertools.count()  # hypothesis examples share the test's session: a scope each


def _counters(session) -> list[tuple[str, str, int]]:
    rows = session.execute(
        sa.select(RateLimitCounter.scope, RateLimitCounter.key, RateLimitCounter.hits).order_by(
            RateLimitCounter.scope, RateLimitCounter.key, RateLimitCounter.window_start
        )
    )
    return [tuple(row) for row in rows]


# Fixed windows ---------------------------------------------------------------------------------


@pytest.mark.parametrize("hits", [1, 2, 5])
@pytest.mark.parametrize("key", ["10.0.0.1", "2001:db8::/64", "credit_code:91140800MA0K0000X1"])
def test_a_key_gets_its_hits_in_a_window_and_the_next_is_refused_without_counting(
    session, key, hits
):
    limit = limits.Limit("test.scope", hits, 3600)
    assert [limits.hit(session, limit, key, now=T0) for _ in range(hits)] == list(
        range(1, hits + 1)
    )
    with pytest.raises(ThrottledError) as caught:
        limits.hit(session, limit, key, now=T0 + timedelta(minutes=10))
    assert caught.value.retry_after == 50 * 60
    assert caught.value.message == "操作过于频繁，请 50 分钟后再试"
    assert _counters(session) == [("test.scope", key, hits)]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 179)), min_size=1, max_size=40))
def test_many_keys_over_rolling_windows_match_a_model(session, plan):
    # Given hits by eight keys at seconds 0…179 (three one-minute windows), in time order,
    # when each is counted, then exactly those a per-(key, window) model allows get through.
    scope = f"test.model.{next(EXAMPLES)}"
    limit = limits.Limit(scope, LIMIT.hits, LIMIT.window_seconds)
    seen: dict[tuple[int, int], int] = {}
    for key, second in sorted(plan, key=lambda p: p[1]):
        window = second // 60
        allowed = seen.get((key, window), 0) < limit.hits
        now = T0 + timedelta(seconds=second)
        if allowed:
            seen[(key, window)] = seen.get((key, window), 0) + 1
            assert limits.hit(session, limit, f"k{key}", now=now) == seen[(key, window)]
        else:
            with pytest.raises(ThrottledError) as caught:
                limits.hit(session, limit, f"k{key}", now=now)
            assert caught.value.retry_after == 60 - second % 60
    stored = session.execute(
        sa.select(sa.func.sum(RateLimitCounter.hits)).where(RateLimitCounter.scope == scope)
    ).scalar_one()
    assert stored == sum(seen.values())


def test_a_new_window_starts_afresh(session):
    for _ in range(3):
        limits.hit(session, LIMIT, "k", now=T0 + timedelta(seconds=59))
    with pytest.raises(ThrottledError) as caught:
        limits.hit(session, LIMIT, "k", now=T0 + timedelta(seconds=59, microseconds=500_000))
    assert caught.value.retry_after == 1
    assert limits.hit(session, LIMIT, "k", now=T0 + timedelta(seconds=60)) == 1


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("testclient", "testclient"),
        ("", "unknown"),
    ],
)
def test_addresses_are_keyed_by_what_one_client_holds(address, key):
    assert limits.address_key(address) == key


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1, "1 秒"),
        (59, "59 秒"),
        (60, "1 分钟"),
        (61, "2 分钟"),
        (3570, "1 小时"),
        (3601, "2 小时"),
    ],
)
def test_waits_read_as_people_say_them(seconds, text):
    assert limits.wait_text(seconds) == text


def test_concurrent_writers_in_two_databases_never_pass_the_limit(fresh_db):
    # Given two Database objects on one file (two processes' worth of engines) and 8 threads
    # each trying 5 hits of one key, when they race, then exactly the limit gets through.
    other = Database(create_db_engine(fresh_db.engine.url.render_as_string(hide_password=False)))
    limit = limits.Limit("test.race", 17, 3600)
    passed, refused = [], []

    def worker(database):
        for _ in range(5):
            try:
                with database.unit_of_work() as session:
                    passed.append(limits.hit(session, limit, "same", now=T0))
            except ThrottledError:
                refused.append(1)

    threads = [threading.Thread(target=worker, args=(db,)) for db in [fresh_db, other] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()
    assert sorted(passed) == list(range(1, 18))
    assert len(refused) == 40 - 17
    with fresh_db.read_only() as session:
        assert _counters(session) == [("test.race", "same", 17)]


# Sign-in delays ---------------------------------------------------------------------------------


def _attempt(session, *, username="lisi", address="10.0.0.9", at=T0):
    """One attempt that fails (the claim stays): None if let through, else the wait."""
    try:
        limits.claim_sign_in(session, username=username, address=address, now=at)
    except ThrottledError as exc:
        return exc.retry_after
    return None


def test_failures_past_the_free_ones_double_the_wait_up_to_the_cap(session):
    # Given the defaults (5 free, 1 s doubling, 300 s cap), an attacker who retries the moment
    # each wait ends waits 1, 2, 4 … 256, then 300 s for ever: slowed, never locked out.
    free = get_settings().login_max_failures_per_account
    at = T0
    for _ in range(free):
        assert _attempt(session, at=at) is None
    waits = []
    for _ in range(12):
        wait = _attempt(session, at=at)
        waits.append(wait)
        assert _attempt(session, at=at + timedelta(seconds=wait) - timedelta(milliseconds=1)) == 1
        at += timedelta(seconds=wait)
        assert _attempt(session, at=at) is None
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


@pytest.mark.parametrize("attacker_attempts", [5, 9, 40])
def test_the_owner_signs_in_from_another_address_while_an_attacker_hammers(
    session, attacker_attempts
):
    at = T0
    for _ in range(attacker_attempts):
        if (wait := _attempt(session, address="198.51.100.7", at=at)) is not None:
            at += timedelta(seconds=wait)
            assert _attempt(session, address="198.51.100.7", at=at) is None
    # The account is not locked: the owner's own address has no failures.
    assert _attempt(session, address="10.1.1.1", at=at) is None
    limits.clear_sign_in(session, username="lisi", address="10.1.1.1", now=at)
    # The attacker still waits.
    assert _attempt(session, address="198.51.100.7", at=at) is not None


@pytest.mark.parametrize("address", ["10.9.9.9", "2001:db8:9::1"])
def test_one_password_sprayed_over_many_accounts_from_one_address_is_slowed(session, address):
    free = get_settings().login_max_failures_per_ip
    for i in range(free):
        assert _attempt(session, username=f"user{i}", address=address) is None
    # Every further account from that address (or its /64) waits, doubling.
    assert _attempt(session, username="fresh-name", address=address) == 1
    neighbour = "2001:db8:9::beef" if ":" in address else "10.9.9.10"
    expected = 1 if ":" in address else None
    assert _attempt(session, username="fresh-name", address=neighbour) == expected


def test_a_success_forgets_the_pair_and_takes_itself_off_the_address(session):
    for _ in range(4):
        _attempt(session)
    limits.claim_sign_in(session, username="lisi", address="10.0.0.9", now=T0)
    limits.clear_sign_in(session, username="lisi", address="10.0.0.9", now=T0)
    assert _counters(session) == [
        (limits.SIGN_IN_PAIR, "lisi|10.0.0.9", 0),
        (limits.SIGN_IN_ADDRESS, "10.0.0.9", 4),
    ]


def test_attempts_are_forgotten_after_a_quiet_window(session):
    free = get_settings().login_max_failures_per_account
    for _ in range(free):
        _attempt(session)
    assert _attempt(session) == 1
    later = T0 + timedelta(seconds=get_settings().login_window_seconds)
    assert _attempt(session, at=later) is None
    assert _counters(session)[0] == (limits.SIGN_IN_PAIR, "lisi|10.0.0.9", 1)


def test_concurrent_attempts_cannot_slip_past_the_free_ones(fresh_db):
    # Given 12 attempts racing at one instant on two Database objects, then exactly the free
    # ones get through: each claim is a compare-and-set on the counter.
    other = Database(create_db_engine(fresh_db.engine.url.render_as_string(hide_password=False)))
    through, waited = [], []

    def worker(database):
        try:
            with database.unit_of_work() as session:
                limits.claim_sign_in(session, username="lisi", address="10.0.0.9", now=T0)
            through.append(1)
        except ThrottledError:
            waited.append(1)

    threads = [threading.Thread(target=worker, args=(db,)) for db in [fresh_db, other] * 6]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()
    assert (len(through), len(waited)) == (get_settings().login_max_failures_per_account, 7)


# Retention --------------------------------------------------------------------------------------


def test_counters_are_purged_by_their_last_update(session):
    limits.hit(session, LIMIT, "old", now=T0)
    limits.hit(session, LIMIT, "new", now=T0 + timedelta(days=2))
    assert limits.purge(session, before=T0 + timedelta(days=1)) == 1
    assert _counters(session) == [("test.scope", "new", 1)]
