"""`cunqi worker` as real processes: an export survives its runner being killed, and periodic jobs
run once per period however many workers there are (docs/decisions/0028)."""

import itertools
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.actors import Actor, Role
from app.db import Database, create_db_engine
from app.models import ExportJob, Job
from app.models.enums import CITY_CODE
from app.services import ledger, ledger_jobs

ROOT = Path(__file__).resolve().parent.parent
BUREAU = Actor(role=Role.bureau, user_id=None, region_code=CITY_CODE)
# Generous: a shared 2-core machine may be slow to start a process; no test waits this long
# unless something is wrong.
WAIT_SECONDS = 90


def wait_for(check: Callable[[], object], what: str, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


class Workers:
    """Starts `python -m app worker` processes on one database and stops them at the end."""

    def __init__(self, url: str, directory: Path):
        self.url = url
        self.directory = directory
        self.started: list[subprocess.Popen] = []

    def start(self, **settings) -> subprocess.Popen:
        env = os.environ | {
            "CUNQI_DATABASE_URL": self.url,
            "CUNQI_UPLOAD_DIR": str(self.directory / "uploads"),
            "CUNQI_INDEX_DIR": str(self.directory / "index"),
            "CUNQI_JOB_POLL_SECONDS": "0.1",
            "CUNQI_JOB_LEASE_SECONDS": "2",
        }
        env |= {f"CUNQI_{name.upper()}": str(value) for name, value in settings.items()}
        log = open(self.directory / f"worker-{len(self.started)}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        log.close()
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def world(database_factory, tmp_path) -> Iterator[tuple[Database, Workers]]:
    database = Database(create_db_engine(database_factory.new_url("worker")))
    workers = Workers(database.engine.url.render_as_string(hide_password=False), tmp_path)
    try:
        yield database, workers
    finally:
        workers.stop_all()
        database.dispose()


def export(database: Database, *, max_attempts: int) -> int:
    with database.unit_of_work() as session:
        job = ledger.request_export(
            session=session, actor=BUREAU, fmt="csv", max_attempts=max_attempts
        )
        session.flush()
        return job.id


def status(database: Database, export_id: int) -> ExportJob:
    with database.read_only() as session:
        return session.get(ExportJob, export_id)


def queue_row(database: Database, export_id: int) -> Job:
    with database.read_only() as session:
        rows = session.execute(
            sa.select(Job).where(Job.kind == ledger.EXPORT_KIND).order_by(Job.id.desc())
        ).scalars()
        return next(job for job in rows if job.payload == {"export_id": export_id})


def killed_mid_export(database: Database, workers: Workers, export_id: int) -> None:
    """Start a worker whose export pauses after its first section, and SIGKILL it there."""
    first = workers.start(export_pause_seconds=600)
    wait_for(lambda: status(database, export_id).status == "running", "the export to start")
    first.send_signal(signal.SIGKILL)
    first.wait()
    assert status(database, export_id).status == "running"  # what used to stay for ever
    assert queue_row(database, export_id).state == "running"


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=WAIT_SECONDS) == 0


def test_an_export_whose_worker_was_killed_is_finished_after_restart(world, tmp_path):
    database, workers = world
    export_id = export(database, max_attempts=3)
    killed_mid_export(database, workers, export_id)

    second = workers.start()
    done = wait_for(
        lambda: (job := status(database, export_id)).status == "done" and job,
        "the export to finish after the restart",
    )
    stop(second)
    row = queue_row(database, export_id)
    assert (row.state, row.attempts) == ("done", 2)
    path = tmp_path / "uploads" / ledger_jobs.EXPORTS_SUBDIR / done.storage_key
    with zipfile.ZipFile(path) as archive:
        assert len(archive.namelist()) == len(ledger.sections())
    assert done.rows_done == done.rows_total


def test_an_export_killed_on_its_last_attempt_fails_visibly_and_can_be_retried(world):
    database, workers = world
    export_id = export(database, max_attempts=1)
    killed_mid_export(database, workers, export_id)

    second = workers.start()
    failed = wait_for(
        lambda: (job := status(database, export_id)).status == "failed" and job,
        "the export to be marked failed",
    )
    assert "中断" in failed.error
    assert queue_row(database, export_id).state == "failed"
    with database.unit_of_work() as session:
        ledger_jobs.retry_export(session=session, actor=BUREAU, export_id=export_id)
    wait_for(lambda: status(database, export_id).status == "done", "the retried export")
    stop(second)
    assert queue_row(database, export_id).state == "done"


def test_two_workers_run_each_periodic_job_once_per_period(world):
    database, workers = world
    # Notice periods and mail retries every second: several periods within a short run.
    both = [workers.start(mail_retry_seconds=1) for _ in range(2)]

    def periods() -> int:
        with database.read_only() as session:
            return session.scalar(
                sa.select(sa.func.count()).where(
                    Job.kind == "certification.notice_periods", Job.state == "done"
                )
            )

    wait_for(lambda: periods() >= 5, "five periods of the notice-period job")
    for process in both:
        stop(process)
    with database.read_only() as session:
        rows = session.execute(
            sa.select(Job.kind, Job.period_start, Job.state, Job.attempts, Job.locked_by).where(
                Job.period_start.is_not(None)
            )
        ).all()
    assert {kind for kind, *_ in rows} == {
        "certification.notice_periods",
        "mail.deliver",
        "orders.expire",
        "retention.purge",
        "ledger.export_files",
    }
    # Counted in the database: one row per (kind, period), and a row that ran ran once.
    keys = [(kind, start) for kind, start, *_ in rows]
    assert len(keys) == len(set(keys))
    for kind, start, state, attempts, runner in rows:
        assert (state, attempts) in (("done", 1), ("queued", 0)), (kind, start, state, attempts)
        assert state == "queued" or runner
    seconds = sorted(start for kind, start, *_ in rows if kind == "certification.notice_periods")
    assert len(seconds) >= 5
    assert all((b - a).total_seconds() >= 1 for a, b in itertools.pairwise(seconds))


def test_sigterm_gives_a_running_export_back_to_the_queue(world):
    database, workers = world
    export_id = export(database, max_attempts=1)
    worker = workers.start(export_pause_seconds=600)
    wait_for(lambda: status(database, export_id).status == "running", "the export to start")
    stop(worker)  # exits at once: the pause after the first section ends with the stop
    row = queue_row(database, export_id)
    assert (row.state, row.attempts, row.locked_by) == ("queued", 0, "")
    assert status(database, export_id).status == "queued"
    second = workers.start()
    wait_for(lambda: status(database, export_id).status == "done", "the export after the restart")
    stop(second)
    assert queue_row(database, export_id).attempts == 1


def test_the_server_runs_jobs_itself_only_when_the_setting_says_so(fresh_db, tmp_path):
    from starlette.testclient import TestClient

    from app.asgi import create_app
    from app.config import Settings

    assert Settings(database_url="sqlite:///x.sqlite3").server_runs_jobs is True
    assert Settings(database_url="postgresql+psycopg://u@h/d").server_runs_jobs is False
    url = fresh_db.engine.url.render_as_string(hide_password=False)
    for in_server in (True, False):
        settings = Settings(
            database_url=url,
            index_dir=tmp_path / "index",
            upload_dir=tmp_path / "uploads",
            jobs_in_server=in_server,
            # One period for the whole test.
            mail_retry_seconds=10**9,
            retention_interval_seconds=10**9,
        )
        app = create_app(settings, database=fresh_db)
        with TestClient(app):
            background = app.state.background
            assert (background.thread is not None) is in_server
            if in_server:
                wait_for(lambda: periodic_rows(fresh_db) == 5, "the server's periodic jobs")
        assert background.runner.stop.is_set() and (
            background.thread is None or not background.thread.is_alive()
        )
    assert periodic_rows(fresh_db) == 5


def periodic_rows(database: Database) -> int:
    with database.read_only() as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(Job).where(Job.period_start.is_not(None))
        )
