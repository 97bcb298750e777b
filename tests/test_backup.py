"""`cunqi backup` → `cunqi restore` round trip on the suite's backend (SQLite, or PostgreSQL with
CUNQI_TEST_DATABASE_URL: restored into a new database ``test_restore_<random>``, dropped after)."""

import json
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from app import migrate
from app.actors import Actor, Role
from app.backup import table_fingerprints, upload_files
from app.cli import main
from app.config import get_settings
from app.db import Database, create_db_engine
from app.models import Product
from app.search.service import SearchService
from app.seed import seed_database
from app.services import ledger_jobs, product_images
from tests.conftest import PG_URL, _admin_engine
from tests.image_factories import jpeg_bytes

SECRET = "backup-test-secret-" + "k" * 30


def cli(monkeypatch, directory: Path, url: str, *args: str):
    monkeypatch.setenv("CUNQI_DATABASE_URL", url)
    monkeypatch.setenv("CUNQI_UPLOAD_DIR", str(directory / "uploads"))
    monkeypatch.setenv("CUNQI_INDEX_DIR", str(directory / "index"))
    monkeypatch.setenv("CUNQI_SECRET_KEY", SECRET)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        get_settings.cache_clear()


def fingerprints(url: str) -> dict[str, dict]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return table_fingerprints(conn)
    finally:
        engine.dispose()


def events_up_to(url: str, last_id: int) -> list:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            query = sa.text("SELECT * FROM events WHERE id <= :last ORDER BY id")
            return [tuple(row) for row in conn.execute(query, {"last": last_id})]
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def source(database_factory, tmp_path_factory) -> tuple[str, Path]:
    """A seeded database with product photos (and an export file that is no upload)."""
    directory = tmp_path_factory.mktemp("backup-source")
    url = database_factory.new_url("backupsrc")
    database = Database(create_db_engine(url))
    seed_database(database, scale="tiny", seed=3)
    with database.unit_of_work() as session:
        products = session.execute(
            sa.select(Product.id, Product.cooperative_id).order_by(Product.id).limit(2)
        ).all()
        for product_id, cooperative_id in products:
            product_images.add_product_image(
                session=session,
                actor=Actor(role=Role.cooperative, user_id=None, cooperative_id=cooperative_id),
                product_id=product_id,
                content=jpeg_bytes((40, 30)),
                upload_dir=directory / "uploads",
            )
    database.dispose()
    exports = directory / "uploads" / ledger_jobs.EXPORTS_SUBDIR
    exports.mkdir(parents=True)
    (exports / "ledger-1.csv").write_bytes(b"not a backup's business")
    return url, directory


@pytest.fixture(params=["blank", "migrated"])
def empty_target(request, tmp_path) -> Iterator[str]:
    """A new database: without tables, or as `cunqi db upgrade` leaves it."""
    if not PG_URL:
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        if request.param == "migrated":
            migrate.upgrade(url)
        yield url
        return
    name = f"test_restore_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        if request.param == "migrated":
            migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def test_backup_then_restore_brings_back_every_row_and_file(
    monkeypatch, source, empty_target, tmp_path
):
    url, directory = source
    before = fingerprints(url)
    archive = tmp_path / "备份.tar.gz"
    result = cli(monkeypatch, directory, url, "backup", "--output", str(archive))
    assert result.exit_code == 0, result.output
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        assert tar.extractfile("config/secret_key").read().decode() == SECRET
    assert manifest["tables"] == before
    head = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()
    assert manifest["migration_head"] == head and manifest["backend"] in ("sqlite", "postgresql")
    assert set(manifest["files"]) == set(upload_files(directory / "uploads"))
    assert len(manifest["files"]) == 4  # two photos, two thumbnails; the export is left out
    assert not any("exports" in name for name in names)
    assert not any(name.startswith("index") for name in names)

    target_dir = tmp_path / "target"
    result = cli(monkeypatch, target_dir, empty_target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    after = fingerprints(empty_target)
    # Every table equal, but for the restore's own audit event and the search outbox, whose
    # rows the index rebuild has applied (restore compared it too, before the rebuild).
    changed = {"events", "search_outbox"}
    assert {k: v for k, v in after.items() if k not in changed} == {
        k: v for k, v in before.items() if k not in changed
    }
    assert before["search_outbox"]["rows"] > 0 and after["search_outbox"]["rows"] == 0
    assert after["events"]["rows"] == before["events"]["rows"] + 1
    last = max(row[0] for row in events_up_to(url, 10**9) if row)  # the backup's own event
    assert events_up_to(empty_target, last - 1) == events_up_to(url, last - 1)
    source_files = upload_files(directory / "uploads")
    assert upload_files(target_dir / "uploads") == source_files
    for relative in source_files:
        assert (target_dir / "uploads" / relative).read_bytes() == (
            directory / "uploads" / relative
        ).read_bytes()
    # The search index was rebuilt from the restored database.
    database = Database(create_db_engine(empty_target))
    try:
        report = SearchService(target_dir / "index").check(database, repair=False)
        assert all(drift.ok and drift.database_documents for drift in report.drift.values())
        with database.read_only() as session:
            actions = session.execute(
                sa.text("SELECT action FROM events WHERE object_type = 'Backup' ORDER BY id")
            ).scalars()
            actions = list(actions)
        # The source's earlier backups are history; the restore is recorded once, last.
        assert (actions[-1], actions.count("backup.restore")) == ("backup.restore", 1)
    finally:
        database.dispose()

    # Restoring again would overwrite the data: refused, nothing written.
    again = cli(monkeypatch, target_dir, empty_target, "restore", str(archive))
    assert again.exit_code == 1
    assert "只能恢复到空的安装" in again.output
    assert fingerprints(empty_target) == after
