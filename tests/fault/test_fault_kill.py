"""kill -9 of the server in the middle of a stream of writes, then a restart."""

import sqlite3
import threading
from pathlib import Path

import httpx2 as httpx
from sqlalchemy.engine import make_url

from app.search.index import current_directory, write_locks
from tests.fault.conftest import Cooperative, indexed_product_ids

WRITERS = 3
ACKNOWLEDGED_BEFORE_KILL = 12


class Stream:
    """Writers publishing products until the server dies; what it acknowledged is recorded."""

    def __init__(self, base: str):
        self.acknowledged: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        self.enough = threading.Event()
        self.clients = [Cooperative(base) for _ in range(WRITERS)]
        self.threads = [
            threading.Thread(target=self._write, args=(n, c)) for n, c in enumerate(self.clients)
        ]

    def _write(self, writer: int, client: Cooperative) -> None:
        for n in range(1000):
            name = f"故障测试苹果{writer}-{n:03d}"
            try:
                product_id = client.publish(name)
            except (httpx.TransportError, AssertionError):
                return  # the server died mid-request: this write was never acknowledged
            with self.lock:
                self.acknowledged.append((name, product_id))
                if len(self.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                    self.enough.set()

    def __enter__(self) -> "Stream":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for thread in self.threads:
            thread.join(timeout=60)
        for client in self.clients:
            client.close()


def test_kill_during_writes_loses_nothing_acknowledged_and_search_catches_up(site):
    server = site.server()
    server.start()
    directory = current_directory(server.index_dir)
    # Given the index held by another writer, so every drain leaves its outbox rows waiting,
    with write_locks(directory, timeout=5), Stream(server.base) as stream:
        assert stream.enough.wait(timeout=60), server.log()
        # when the server is killed while writes are in flight,
        server.kill()
    acknowledged = dict(stream.acknowledged)
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL

    # then the database file is intact and holds every acknowledged write, listed, once;
    if site.database.is_sqlite:
        path = Path(make_url(site.url).database)
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    stored = site.products(list(acknowledged))
    assert {name: product_id for name, (product_id, _) in stored.items()} == acknowledged
    assert {status for _, status in stored.values()} == {"listed"}
    # the index missed them all (their outbox rows wait),
    assert site.pending_outbox() >= 2 * len(acknowledged)
    assert indexed_product_ids(server.index_dir).isdisjoint(acknowledged.values())

    # and after a restart the start-up drain has put exactly the listed products in the index.
    server.start()
    try:
        assert site.pending_outbox() == 0
        assert indexed_product_ids(server.index_dir) == site.listed_ids()
        assert set(acknowledged.values()) <= site.listed_ids()
        with Cooperative(server.base) as after:
            new_id = after.publish("重启后新上架的苹果")
        assert new_id in indexed_product_ids(server.index_dir)
    finally:
        server.stop()
