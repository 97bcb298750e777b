"""``cunqi backup``: write the archive (see app/backup/__init__.py)."""

import hashlib
import io
import json
import platform
import sqlite3
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path

from sqlalchemy.engine import make_url

from app.backup import postgres
from app.backup.archive import FORMAT, MANIFEST, SECRET, UPLOADS, BackupError, Report, audit, log
from app.backup.fingerprints import file_sha256, migration_head, table_fingerprints, upload_files
from app.config import Settings
from app.db import create_db_engine
from app.models.base import utcnow


def default_archive(settings: Settings) -> Path:
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.backup_dir) / f"cunqi-{stamp}.tar.gz"


def _version() -> str:
    try:
        return metadata.version("cunqi")
    except metadata.PackageNotFoundError:
        return "unknown"


def create_backup(
    settings: Settings, output: Path | None = None, *, include_secret: bool = True
) -> Report:
    """Write one archive of the database, the uploads and the secret key; logged and audited."""
    archive = Path(output) if output else default_archive(settings)
    archive.parent.mkdir(parents=True, exist_ok=True)
    url = make_url(settings.database_url)
    with tempfile.TemporaryDirectory(prefix="cunqi-backup-") as scratch:
        scratch = Path(scratch)
        if url.get_backend_name() == "sqlite":
            dump, tables, head = _sqlite_copy(Path(url.database or ""), scratch)
            tools = {"sqlite": sqlite3.sqlite_version}
        else:
            dump, tables, head, tools = _pg_dump(settings, scratch)
        files = upload_files(settings.upload_dir)
        manifest = {
            "format": FORMAT,
            "created_at": utcnow().isoformat(),
            "application": {"name": "cunqi", "version": _version()},
            "python": platform.python_version(),
            "backend": url.get_backend_name(),
            "tools": tools,
            "migration_head": head,
            "database_file": dump.name,
            "database_sha256": file_sha256(dump),
            "tables": tables,
            "files": files,
            "secret_key_included": include_secret,
            # Tells a restore whether its CUNQI_SECRET_KEY is the one the data was made with.
            "secret_key_sha256": hashlib.sha256(settings.secret_key.encode()).hexdigest(),
        }
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            tar.add(dump, arcname=dump.name)
            if include_secret:
                _add_bytes(tar, SECRET, settings.secret_key.encode())
            for relative in files:
                tar.add(Path(settings.upload_dir) / relative, arcname=f"{UPLOADS}/{relative}")
        partial.chmod(0o600)  # every account's data, and perhaps the secret key
        partial.replace(archive)
    total = sum(t["rows"] for t in tables.values())
    audit(
        settings, "backup.create", archive.name, f"备份：数据 {total} 行，上传文件 {len(files)} 个"
    )
    return Report(archive, manifest, [])


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(utcnow().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _sqlite_copy(path: Path, scratch: Path):
    if not path.is_file():
        raise BackupError(f"数据库文件不存在：{path}")
    target = scratch / "database.sqlite3"
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # SQLite's online backup API: consistent while the site writes
    finally:
        source.close()
        copy.close()
    engine = create_db_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return target, table_fingerprints(conn), migration_head(conn)
    finally:
        engine.dispose()


def _pg_dump(settings: Settings, scratch: Path):
    target = scratch / "database.pgdump"
    engine = create_db_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                # pg_dump reads this transaction's snapshot: the checksums describe exactly
                # what it wrote.
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                tools = postgres.check_versions(settings, conn, settings.pg_dump)
                postgres.run(
                    settings,
                    settings.pg_dump,
                    ["--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}"],
                )
                tables, head = table_fingerprints(conn), migration_head(conn)
    finally:
        engine.dispose()
    log.info("pg_dump wrote %s", target)
    return target, tables, head, tools
