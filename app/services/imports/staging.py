"""An uploaded import file kept between its preview and the officer's confirmation.

The file is written beside the uploads (``imports/`` under the upload directory, outside the web
root) under a random token, with who uploaded it. Confirming reads the file again, checks it
again and writes only if the preview's fingerprint still holds (app/services/imports/preview.py).
Only the officer who uploaded a file may confirm it; files are deleted once confirmed and, if
never confirmed, a day after upload.
"""

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from app.actors import Actor
from app.errors import NotFoundError

STAGING_SUBDIR = "imports"
KEEP_FOR = timedelta(days=1)
EXPIRED = "导入预览已过期或不存在，请重新上传文件"


@dataclass(frozen=True, slots=True)
class Staged:
    token: str
    path: Path
    filename: str
    kind: str | None


def staging_directory(upload_dir: Path) -> Path:
    return Path(upload_dir) / STAGING_SUBDIR


def _owner(actor: Actor) -> str:
    return f"{actor.role}:{actor.user_id}:{actor.region_code}"


def stage(
    upload_dir: Path, actor: Actor, source: IO[bytes], filename: str, kind: str | None
) -> Staged:
    """Keep ``source`` for a later confirmation; its token."""
    directory = staging_directory(upload_dir)
    directory.mkdir(parents=True, exist_ok=True)
    _purge(directory, datetime.now(UTC))
    token = secrets.token_urlsafe(18)
    path = directory / f"{token}.bin"
    with open(path, "wb") as out:
        shutil.copyfileobj(source, out)
    meta = {"owner": _owner(actor), "filename": filename, "kind": kind}
    (directory / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    return Staged(token, path, filename, kind)


def staged(upload_dir: Path, actor: Actor, token: str) -> Staged:
    """The file ``actor`` staged under ``token``; NotFoundError if none (or someone else's)."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise NotFoundError(EXPIRED, code="import_expired")
    directory = staging_directory(upload_dir)
    try:
        meta = json.loads((directory / f"{token}.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise NotFoundError(EXPIRED, code="import_expired") from None
    path = directory / f"{token}.bin"
    if meta.get("owner") != _owner(actor) or not path.is_file():
        raise NotFoundError(EXPIRED, code="import_expired")
    return Staged(token, path, meta["filename"], meta.get("kind"))


def discard(upload_dir: Path, token: str) -> None:
    directory = staging_directory(upload_dir)
    for suffix in (".bin", ".json"):
        (directory / f"{token}{suffix}").unlink(missing_ok=True)


def _purge(directory: Path, now: datetime) -> None:
    cutoff = (now - KEEP_FOR).timestamp()
    for entry in os.scandir(directory):
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            Path(entry.path).unlink(missing_ok=True)
