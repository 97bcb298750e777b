"""Rebuilding both indexes from the database into a fresh generation, then swapping it in.

Search keeps answering from the old generation meanwhile. Its write locks are held for the whole
rebuild, so drains leave their rows in the outbox instead of writing into a directory about to be
replaced; after the swap those rows drain into the new one (replaying is idempotent).
"""

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.db import Database
from app.search.analysis import load_dictionary
from app.search.documents import all_product_documents, count_products
from app.search.index import (
    current_directory,
    discard,
    mark_complete,
    new_generation,
    open_index,
    publish,
    rebuild_lock,
    write_locks,
)
from app.search.pairing_documents import all_pairing_documents, count_pairing
from app.search.schema import PAIRING, PRODUCTS

log = logging.getLogger(__name__)

# Documents per segment: each segment's postings are sorted in memory (no spill to disk) and
# a 100,000-product rebuild stays well under 1 GB.
SEGMENT_DOCUMENTS = 25_000
WRITER_LIMIT_MB = 256
PROGRESS_EVERY = 500
LABELS = {PRODUCTS: "产品索引", PAIRING: "村庄与帮扶主体索引"}

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class RebuildReport:
    directory: Path | None = None
    documents: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False


def rebuild(
    database: Database,
    link: Path,
    *,
    progress: Progress | None = None,
    lock_timeout: float = 60.0,
    only_if_missing: bool = False,
) -> RebuildReport:
    """Build a new generation from the database and publish it atomically.

    With ``only_if_missing``, do nothing when a complete index is in place by the time this
    process gets the rebuild lock (another process starting at the same time built it).
    """
    started = time.monotonic()
    load_dictionary()
    with rebuild_lock(link):
        old = current_directory(link)
        if only_if_missing and old is not None:
            return RebuildReport(old, skipped=True)
        locks = write_locks(old, timeout=lock_timeout) if old else nullcontext()
        with locks:
            directory = new_generation(link)
            try:
                counts = _build(database, directory, progress)
                mark_complete(directory, counts)
                publish(link, directory)
            except BaseException:
                discard(directory)
                raise
    seconds = time.monotonic() - started
    log.info("search index rebuilt in %.1f s: %s", seconds, counts)
    return RebuildReport(directory, counts, seconds)


def _build(database: Database, directory: Path, progress: Progress | None) -> dict[str, int]:
    counts = {}
    with database.read_only() as session:
        totals = {PRODUCTS: count_products(session), PAIRING: count_pairing(session)}
        streams = {PRODUCTS: all_product_documents, PAIRING: all_pairing_documents}
        for name in (PRODUCTS, PAIRING):
            report = _reporter(progress, LABELS[name], totals[name])
            counts[name] = write_all(directory, name, streams[name](session), report)
    return counts


def _reporter(progress: Progress | None, label: str, total: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        if progress is not None:
            progress(label, done, max(total, done))

    report(0)
    return report


def write_all(
    directory: Path, name: str, documents: Iterable[dict[str, Any]], report: Callable[[int], None]
) -> int:
    """Add documents to an empty index, committing a segment every ``SEGMENT_DOCUMENTS``."""
    index = open_index(directory, name)
    writer = index.writer(limitmb=WRITER_LIMIT_MB)
    count = 0
    try:
        for count, doc in enumerate(documents, 1):
            writer.add_document(**doc)
            if count % SEGMENT_DOCUMENTS == 0:
                writer.commit(merge=False)
                writer = index.writer(limitmb=WRITER_LIMIT_MB)
            if count % PROGRESS_EVERY == 0:
                report(count)
        writer.commit(merge=False)
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    report(count)
    return count
