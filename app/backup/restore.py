"""``cunqi restore``: bring an archive back onto an empty installation, check every table and
file against the manifest, bring the schema to the code's head, and rebuild the search index."""

import hashlib
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from app.backup import postgres
from app.backup.archive import FORMAT, MANIFEST, UPLOADS, BackupError, Report, audit, log
from app.backup.fingerprints import file_sha256, table_fingerprints, upload_files
from app.config import Settings
from app.db import Database, create_db_engine

# Rows the migrations themselves write: a database holding only these is empty.
BOOKKEEPING = {"alembic_version", "change_stamps"}
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest = json.load(tar.extractfile(MANIFEST))
    except (OSError, tarfile.TarError, KeyError, ValueError, TypeError) as exc:
        raise BackupError(f"无法读取备份文件 {archive}：{type(exc).__name__}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受支持（应为 {FORMAT}）")
    return manifest


def installation_problems(settings: Settings) -> list[str]:
    """What this installation already holds (a restore would overwrite it), in Chinese."""
    problems = []
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or Path(url.database or "").is_file():
        engine = create_db_engine(settings.database_url)
        try:
            with engine.connect() as conn:
                for name, table in table_fingerprints(conn).items():
                    if name not in BOOKKEEPING and table["rows"]:
                        problems.append(f"数据表 {name} 已有 {table['rows']} 行")
        finally:
            engine.dispose()
    files = upload_files(settings.upload_dir)
    if files:
        problems.append(f"上传目录 {settings.upload_dir} 已有 {len(files)} 个文件")
    return problems


def _known_revision(settings: Settings, revision: str | None) -> bool:
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    if revision is None:
        return False
    try:
        script = ScriptDirectory.from_config(alembic_config(settings.database_url))
        return script.get_revision(revision) is not None
    except Exception:
        return False


def restore_backup(settings: Settings, archive: Path, *, rebuild_search: bool = True) -> Report:
    archive = Path(archive)
    manifest = read_manifest(archive)
    backend = make_url(settings.database_url).get_backend_name()
    if manifest["backend"] != backend:
        raise BackupError(
            f"备份来自 {BACKENDS.get(manifest['backend'], manifest['backend'])} 数据库，"
            f"当前配置的是 {BACKENDS.get(backend, backend)}：只能恢复到同一种数据库"
        )
    if not _known_revision(settings, manifest["migration_head"]):
        raise BackupError(
            f"备份的数据库结构版本 {manifest['migration_head']} 不为本程序所知："
            "请用不早于备份时的程序版本恢复"
        )
    problems = installation_problems(settings)
    if problems:
        raise BackupError(
            "只能恢复到空的安装（新建的数据库与空的上传目录），以免覆盖现有数据："
            + "；".join(problems)
        )
    with tempfile.TemporaryDirectory(prefix="cunqi-restore-") as scratch:
        scratch = Path(scratch)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(scratch, filter="data")  # no absolute paths, links out or devices
        dump = scratch / manifest["database_file"]
        if file_sha256(dump) != manifest["database_sha256"]:
            raise BackupError("备份中的数据库文件校验和不符：文件已损坏")
        if backend == "sqlite":
            _sqlite_restore(settings, dump)
        else:
            _pg_restore(settings, dump)
        _check_tables(settings, manifest)
        _restore_files(settings, scratch / UPLOADS, manifest["files"])
    from app import migrate

    migrate.upgrade(settings.database_url)
    warnings = []
    if manifest["secret_key_sha256"] != hashlib.sha256(settings.secret_key.encode()).hexdigest():
        warnings.append(
            "当前 CUNQI_SECRET_KEY 与备份时的不同：已登录的会话全部失效，对公示的异议无法再识别"
            "同一联系人的重复提交。如需沿用，请把 CUNQI_SECRET_KEY 设为备份中 "
            "config/secret_key 的内容"
        )
    if rebuild_search:
        _rebuild_search(settings)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    audit(
        settings,
        "backup.restore",
        archive.name,
        f"从备份恢复：数据 {rows} 行，上传文件 {len(manifest['files'])} 个",
    )
    return Report(archive, manifest, warnings)


def _sqlite_restore(settings: Settings, dump: Path) -> None:
    target = Path(make_url(settings.database_url).database or "")
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):  # an empty database: nothing of value
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    partial = target.with_name(target.name + ".restoring")
    shutil.copyfile(dump, partial)
    partial.replace(target)


def _pg_restore(settings: Settings, dump: Path) -> None:
    engine = create_db_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            postgres.check_versions(settings, conn, settings.pg_restore)
    finally:
        engine.dispose()
    # --clean drops what an empty migrated database already has; one transaction: all or nothing.
    arguments = ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
    database = make_url(settings.database_url).database
    postgres.run(settings, settings.pg_restore, [*arguments, f"--dbname={database}", str(dump)])


def _check_tables(settings: Settings, manifest: dict) -> None:
    engine = create_db_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            restored = table_fingerprints(conn)
    finally:
        engine.dispose()
    wrong = sorted(
        name
        for name in manifest["tables"].keys() | restored.keys()
        if manifest["tables"].get(name) != restored.get(name)
    )
    if wrong:
        raise BackupError("恢复后的数据与备份清单不符：" + "，".join(wrong))


def _restore_files(settings: Settings, source: Path, files: dict[str, dict]) -> None:
    target = Path(settings.upload_dir)
    for relative, expected in files.items():
        path = source / relative
        if not path.is_file() or file_sha256(path) != expected["sha256"]:
            raise BackupError(f"备份中的上传文件 {relative} 缺失或校验和不符")
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
    log.info("restored %d uploaded files into %s", len(files), target)


def _rebuild_search(settings: Settings) -> None:
    from app.search.service import SearchService

    database = Database(create_db_engine(settings.database_url))
    try:
        SearchService(settings.index_dir).rebuild(database)
    finally:
        database.dispose()
