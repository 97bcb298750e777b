"""Where the index lives on disk: generation directories behind an atomically swapped symlink.

``index_dir`` (``var/index``) is a symlink to one complete generation under
``var/index.generations/``. A rebuild writes a new generation beside it and replaces the symlink
with ``rename(2)``, which is atomic: a searcher opened before keeps reading its own (still
existing) directory, and every open after the swap sees the new one. The previous generation is
kept until the next swap for searchers still reading it.

Each generation holds both Whoosh indexes (products and pairing) and a marker file written last;
a directory without the marker, or with another schema version, is not an index.
"""

import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import FileIndex, LockError

from app.search.schema import INDEX_NAMES, SCHEMA_VERSION, SCHEMAS

log = logging.getLogger(__name__)

MARKER = "cunqi-index.json"
KEEP_GENERATIONS = 2


class IndexMissingError(Exception):
    """No complete index of the current schema version is in place; rebuild it."""


def generations_root(link: Path) -> Path:
    return link.with_name(link.name + ".generations")


def current_directory(link: Path) -> Path | None:
    """The complete generation ``link`` points at, or None."""
    if not link.is_symlink():
        return None
    directory = link.resolve()
    try:
        marker = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if marker.get("schema_version") != SCHEMA_VERSION:
        return None
    return directory


def open_index(directory: Path, name: str) -> FileIndex:
    return whoosh_index.open_dir(str(directory), indexname=name)


def new_generation(link: Path) -> Path:
    """Create an empty generation directory holding both (empty) indexes."""
    root = generations_root(link)
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    directory = root / f"{stamp}-{uuid.uuid4().hex[:8]}"
    directory.mkdir()
    for name in INDEX_NAMES:
        whoosh_index.create_in(str(directory), SCHEMAS[name](), indexname=name)
    return directory


def mark_complete(directory: Path, counts: dict[str, int]) -> None:
    marker = {
        "schema_version": SCHEMA_VERSION,
        "built_at": datetime.now(UTC).isoformat(),
        "documents": counts,
    }
    path = directory / MARKER
    path.write_text(json.dumps(marker, ensure_ascii=False), encoding="utf-8")
    _fsync_directory(directory)


def publish(link: Path, directory: Path) -> None:
    """Point ``link`` at ``directory`` atomically; drop generations older than the previous."""
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists() and not link.is_symlink():
        # An index directory from before generations (or a stray one): move it aside first.
        link.rename(generations_root(link) / f"legacy-{uuid.uuid4().hex[:8]}")
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}.tmp")
    os.symlink(os.path.relpath(directory, link.parent), temporary)
    os.replace(temporary, link)
    _fsync_directory(link.parent)
    _remove_old_generations(link, keep=directory)


def discard(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def _remove_old_generations(link: Path, *, keep: Path) -> None:
    root = generations_root(link)
    others = sorted(
        (p for p in root.iterdir() if p.is_dir() and p.resolve() != keep.resolve()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in others[KEEP_GENERATIONS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def write_locks(directory: Path, names=INDEX_NAMES, *, timeout: float) -> Iterator[None]:
    """Hold the Whoosh write locks of ``names`` in ``directory``: no drain writes meanwhile.

    Raises ``LockError`` when another writer keeps one longer than ``timeout`` seconds.
    """
    with ExitStack() as stack:
        for name in names:
            lock = open_index(directory, name).lock("WRITELOCK")
            if not _acquire(lock, timeout):
                raise LockError(f"index {name} is locked by another writer")
            stack.callback(lock.release)
        yield


def _acquire(lock, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not lock.acquire(blocking=False):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


@contextmanager
def rebuild_lock(link: Path) -> Iterator[None]:
    """One rebuild at a time per index location, across processes (blocks until free)."""
    link.parent.mkdir(parents=True, exist_ok=True)
    path = link.with_name(f".{link.name}.rebuild.lock")
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
