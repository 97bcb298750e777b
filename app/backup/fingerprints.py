"""Row counts and content checksums of every table, checksums of every uploaded file."""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from app.services.ledger_jobs import EXPORTS_SUBDIR


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return str(value)
    return value


def table_fingerprints(conn: Connection) -> dict[str, dict]:
    """Each table's row count and a SHA-256 of its rows in primary-key order."""
    inspector = sa.inspect(conn)
    result = {}
    for name in sorted(inspector.get_table_names()):
        columns = [c["name"] for c in inspector.get_columns(name)]
        order = inspector.get_pk_constraint(name).get("constrained_columns") or columns
        table = sa.table(name, *(sa.column(c) for c in columns))
        query = sa.select(table).order_by(*(table.c[c] for c in order))
        digest, rows = hashlib.sha256(), 0
        for row in conn.execute(query):
            text = json.dumps([_plain(v) for v in row], sort_keys=True, ensure_ascii=False)
            digest.update(text.encode() + b"\n")
            rows += 1
        result[name] = {"rows": rows, "sha256": digest.hexdigest()}
    return result


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def upload_files(upload_dir: Path) -> dict[str, dict]:
    """Every uploaded file (ledger exports aside) by its path under the upload directory."""
    upload_dir = Path(upload_dir)
    if not upload_dir.is_dir():
        return {}
    files = {}
    for path in sorted(upload_dir.rglob("*")):
        relative = path.relative_to(upload_dir)
        if path.is_file() and relative.parts[0] != EXPORTS_SUBDIR:
            files[relative.as_posix()] = {"size": path.stat().st_size, "sha256": file_sha256(path)}
    return files


def migration_head(conn: Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
