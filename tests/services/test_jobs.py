"""app/services/jobs.py and the runner of app/jobs.py: claims, leases, retries, periods."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.config import Settings
from app.jobs import HANDLERS, Handler, JobRunner
from app.models import Job
from app.models.base import utcnow
from app.services import jobs


def _add(database, kind="test.kind", **fields) -> int:
    with database.unit_of_work() as session:
        job = jobs.enqueue(session, kind, {"n": 1}, **fields)
        session.flush()
        return job.id


def _row(database, job_id) -> Job:
    with database.read_only() as session:
        return session.get(Job, job_id)


def test_a_job_is_claimed_by_one_runner_and_not_before_its_time(fresh_db):
    later = _add(fresh_db, run_after=utcnow() + timedelta(minutes=5))
    first = _add(fresh_db)
    now = utcnow()
    claimed = jobs.claim(fresh_db, "a", 60, now)
    assert (claimed.id, claimed.kind, claimed.payload, claimed.attempts) == (
        first,
        "test.kind",
        {"n": 1},
        1,
    )
    assert jobs.claim(fresh_db, "b", 60, now) is None  # the other is not due, this one is taken
    row = _row(fresh_db, first)
    assert (row.state, row.locked_by) == ("running", "a")
    assert row.lease_expires_at == now + timedelta(seconds=60)
    jobs.complete(fresh_db, claimed, "a")
    assert _row(fresh_db, first).state == "done"
    assert jobs.claim(fresh_db, "b", 60, now + timedelta(minutes=6)).id == later


def test_an_expired_lease_is_claimed_again_then_abandoned_after_the_last_attempt(fresh_db):
    job_id = _add(fresh_db, max_attempts=2)
    now = utcnow()
    assert jobs.claim(fresh_db, "dead", 10, now).id == job_id
    assert jobs.claim(fresh_db, "b", 10, now + timedelta(seconds=5)) is None  # lease holds
    claimed = jobs.Claimed(job_id, "test.kind", {"n": 1}, 1, 2)
    assert jobs.renew(fresh_db, claimed, "someone else", 10) is False
    assert jobs.renew(fresh_db, claimed, "dead", 10) is True
    with fresh_db.unit_of_work() as session:  # it died right after: its lease runs out
        session.get(Job, job_id).lease_expires_at = now + timedelta(seconds=10)
    assert jobs.abandon_expired(fresh_db, now + timedelta(seconds=11)) == []
    again = jobs.claim(fresh_db, "b", 10, now + timedelta(seconds=11))
    assert (again.id, again.attempts, again.is_last_attempt) == (job_id, 2, True)
    # "b" dies too: no third attempt, the job fails.
    assert jobs.claim(fresh_db, "c", 10, now + timedelta(seconds=30)) is None
    [abandoned] = jobs.abandon_expired(fresh_db, now + timedelta(seconds=30))
    assert abandoned.id == job_id
    row = _row(fresh_db, job_id)
    assert (row.state, row.error) == ("failed", jobs.ABANDONED)
    # The dead runner can no longer finish it.
    jobs.complete(fresh_db, again, "b")
    assert _row(fresh_db, job_id).state == "failed"


def test_a_period_has_one_row_however_many_runners_ask(fresh_db):
    now = utcnow()
    assert jobs.ensure_period(fresh_db, "p", 3600, now) is True
    assert jobs.ensure_period(fresh_db, "p", 3600, now + timedelta(seconds=1)) in (True, False)
    assert jobs.period_start(now, 60) <= now < jobs.period_start(now, 60) + timedelta(seconds=60)
    start = jobs.period_start(now, 10**9)
    assert jobs.ensure_period(fresh_db, "q", 10**9, now) is True
    assert jobs.ensure_period(fresh_db, "q", 10**9, now) is False
    with fresh_db.read_only() as session:
        rows = session.exec(select(Job).where(Job.kind == "q")).all()
    assert [(row.period_start, row.state) for row in rows] == [(start, "queued")]


@pytest.fixture
def handlers():
    added = []

    def add(kind, handler):
        HANDLERS[kind] = handler
        added.append(kind)

    yield add
    for kind in added:
        HANDLERS.pop(kind, None)


def test_a_failing_job_is_retried_later_then_fails_and_says_why(fresh_db, handlers):
    calls, failed = [], []

    def broken(ctx):
        calls.append(ctx.job.attempts)
        raise RuntimeError("磁盘已满")

    handlers("test.broken", Handler(broken, lambda db, payload, error: failed.append(error)))
    job_id = _add(fresh_db, "test.broken", max_attempts=2)
    runner = JobRunner(fresh_db, Settings())
    assert runner.run_pending(periodic=False) == 1
    row = _row(fresh_db, job_id)
    assert (row.state, row.attempts, row.error) == ("queued", 1, "RuntimeError: 磁盘已满")
    assert row.run_after > utcnow()  # waits before the next attempt
    assert runner.run_pending(periodic=False) == 0
    with fresh_db.unit_of_work() as session:
        session.get(Job, job_id).run_after = utcnow()
    assert runner.run_pending(periodic=False) == 1
    assert (_row(fresh_db, job_id).state, calls, failed) == (
        "failed",
        [1, 2],
        ["RuntimeError: 磁盘已满"],
    )


def test_an_unknown_kind_fails_with_a_message(fresh_db):
    job_id = _add(fresh_db, "test.nobody", max_attempts=1)
    JobRunner(fresh_db, Settings()).run_pending(periodic=False)
    row = _row(fresh_db, job_id)
    assert (row.state, row.error) == ("failed", "LookupError: 未知的任务类型 test.nobody")


def test_an_interrupted_job_goes_back_without_using_an_attempt(fresh_db, handlers):
    runner = JobRunner(fresh_db, Settings())

    def stopping(ctx):
        runner.stop.set()
        ctx.checkpoint()

    handlers("test.stopping", Handler(stopping))
    job_id = _add(fresh_db, "test.stopping", max_attempts=1)
    assert runner.run_one() is True
    row = _row(fresh_db, job_id)
    assert (row.state, row.attempts, row.locked_by) == ("queued", 0, "")
