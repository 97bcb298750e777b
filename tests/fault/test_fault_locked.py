"""SQLite's write lock held past the busy timeout: 503 with Retry-After, never 500, nothing lost."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.fault.conftest import indexed_product_ids

BUSY_TIMEOUT_MS = 300
CREATE_TOKEN = (
    'mutation { createApiToken(input: {name: "省级平台对接"}) { token errors { code } } }'
)


@pytest.fixture
def locked(site):
    """A writer in another process that holds the database's write lock until released."""
    if not site.database.is_sqlite:
        pytest.skip("the write lock and its busy timeout are SQLite's")
    conn = sqlite3.connect(Path(make_url(site.url).database), isolation_level=None)
    yield conn
    conn.close()


def test_write_while_locked_gets_503_then_succeeds_once(site, locked):
    with site.serving(CUNQI_SQLITE_BUSY_TIMEOUT_MS=str(BUSY_TIMEOUT_MS)) as (server, cooperative):
        check_locked_writes(site, server, cooperative, locked)


def check_locked_writes(site, server, cooperative, locked):
    # Given another writer holding the write lock past the busy timeout,
    locked.execute("BEGIN IMMEDIATE")
    # when the cooperative saves a product, then it is told to retry, in Chinese, in the layout;
    refused = cooperative.create("锁表期间的红富士苹果")
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "2"
    assert refused.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>系统繁忙</h1>" in refused.text
    assert "您这次提交没有保存" in refused.text
    # a GraphQL mutation gets the masked error with its own code;
    answer = cooperative.client.post(
        "/graphql",
        json={"query": CREATE_TOKEN},
        headers={"X-CSRF-Token": cooperative.token},
    ).json()
    assert answer["errors"][0]["extensions"] == {"code": "database_busy"}
    assert answer["errors"][0]["message"].startswith("系统繁忙")
    # and pages still read.
    assert cooperative.client.get("/my/products").status_code == 200
    assert site.products(["锁表期间的红富士苹果"]) == {}

    # Once the lock is released the same post succeeds, exactly once.
    locked.execute("ROLLBACK")
    product_id = cooperative.publish("锁表期间的红富士苹果")
    assert site.products(["锁表期间的红富士苹果"]) == {
        "锁表期间的红富士苹果": (product_id, "listed")
    }
    assert product_id in indexed_product_ids(server.index_dir)
