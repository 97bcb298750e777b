"""The search index directory unwritable or full: database writes go on, search catches up."""

import os
import shutil
import stat
import subprocess
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from app.search.outbox import MAX_ATTEMPTS
from tests.fault.conftest import indexed_product_ids

# More writes than a failing outbox row is retried: none may be given up on.
WRITES_WHILE_UNWRITABLE = MAX_ATTEMPTS + 2


@contextmanager
def unwritable(directory: Path):
    """Make ``directory`` unwritable for the server until the block ends.

    As an ordinary user, take the write bits away. Root ignores permission bits, so there the
    directory is moved aside and a plain file put in its place: nothing can be created in it.
    """
    if os.geteuid() != 0:
        mode = directory.stat().st_mode
        directory.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield
        finally:
            directory.chmod(mode)
        return
    aside = directory.with_name(directory.name + ".aside")
    directory.rename(aside)
    directory.write_text("不是目录")
    try:
        yield
    finally:
        directory.unlink()
        aside.rename(directory)


@contextmanager
def full(directory: Path):
    """Put ``directory`` on a filesystem with no space left, its files still readable.

    A small tmpfs is mounted over it (root only), the index files copied in and the rest filled:
    opening and locking work, every new segment fails with ENOSPC inside Whoosh's writer.
    """
    snapshot = directory.with_name(directory.name + ".snapshot")
    shutil.copytree(directory, snapshot)
    mount = ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(directory)]
    if os.geteuid() != 0 or subprocess.run(mount, capture_output=True).returncode != 0:
        pytest.skip("simulating a full filesystem needs root and a mountable tmpfs")
    try:
        for path in snapshot.iterdir():
            shutil.copy2(path, directory / path.name)
        with (directory / "filler").open("wb") as filler, suppress(OSError):
            while True:
                filler.write(bytes(65536))
                filler.flush()
        yield
    finally:
        # Lazily: the server may still hold files of the tmpfs open.
        subprocess.run(["umount", "--lazy", str(directory)], check=True)


@pytest.mark.parametrize(
    "fault",
    [unwritable, full],
    ids=["unwritable", "full"],
)
def test_writes_succeed_while_the_index_fails_and_search_catches_up(site, fault):
    with site.serving() as (server, cooperative):
        check_failing_index(site, server, cooperative, fault)


def check_failing_index(site, server, cooperative, fault):
    before = cooperative.publish("索引正常时上架的苹果")
    assert before in indexed_product_ids(server.index_dir)
    generation = server.index_dir.resolve()

    # Given an index directory the server cannot write to,
    with fault(generation):
        # when products are published, then every write is acknowledged and stored,
        names = [f"索引不可写时上架的梨{n}" for n in range(WRITES_WHILE_UNWRITABLE)]
        published = {name: cooperative.publish(name) for name in names}
        stored = site.products(names)
        assert {name: product_id for name, (product_id, _) in stored.items()} == published
        assert site.pending_outbox() >= WRITES_WHILE_UNWRITABLE
    assert indexed_product_ids(server.index_dir).isdisjoint(published.values())

    # and once it is writable again the next write's drain brings the index up to date.
    after = cooperative.publish("索引恢复后上架的苹果")
    assert site.pending_outbox() == 0
    assert indexed_product_ids(server.index_dir) == site.listed_ids()
    assert {before, after, *published.values()} <= site.listed_ids()
