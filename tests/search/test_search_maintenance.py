"""Start-up, rebuild with an atomic swap, ``search check``, and the ``search`` commands."""

import json
import shutil
import threading
import time

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import app.search
from app.config import Settings, get_settings
from app.models import Cooperative, Product
from app.models.base import utcnow
from app.models.enums import ProductStatus
from app.search.cli import search as search_group
from app.search.index import MARKER, current_directory, generations_root, open_index
from app.search.products import ProductQuery
from app.search.schema import PRODUCTS
from app.search.service import SearchService
from tests.search_factories import cooperative_in, listed


@pytest.fixture
def stocked(fresh_db):
    """Three listed products, committed; returns their ids by name."""
    with fresh_db.unit_of_work() as session:
        cooperative = cooperative_in(session, "140830")
        names = ("红富士苹果", "万荣苹果", "大红袍花椒")
        return {name: listed(session, name, cooperative=cooperative).id for name in names}


def found(service, database, text="苹果", view=None) -> set[str]:
    from app.search.products import search_products

    with database.read_only() as session:
        if view is not None:
            results = search_products(view, session, ProductQuery(text=text))
        else:
            results = service.search_products(session, ProductQuery(text=text))
        return {h.product.name for h in results.hits}


def test_startup_builds_a_missing_index_and_registers_the_drain(fresh_db, stocked, index_dir):
    settings = Settings(index_dir=index_dir, database_url="sqlite://", secret_key="k" * 40)
    service = app.search.startup(fresh_db, settings)
    assert found(service, fresh_db) == {"红富士苹果", "万荣苹果"}
    assert len(fresh_db.after_commit_hooks) == 1
    service.attach(fresh_db)
    assert len(fresh_db.after_commit_hooks) == 1


@pytest.mark.parametrize("damage", ["whole directory", "generation only", "old schema"])
def test_a_deleted_or_outdated_index_is_rebuilt_at_startup(
    fresh_db, stocked, search, index_dir, damage
):
    search.rebuild(fresh_db)
    directory = current_directory(index_dir)
    if damage == "whole directory":
        shutil.rmtree(generations_root(index_dir))
        index_dir.unlink()
    elif damage == "generation only":
        shutil.rmtree(directory)
    else:
        marker = json.loads((directory / MARKER).read_text())
        (directory / MARKER).write_text(json.dumps(marker | {"schema_version": 0}))
    assert current_directory(index_dir) is None

    restarted = SearchService(index_dir)
    assert restarted.startup(fresh_db).rebuilt is True
    assert found(restarted, fresh_db) == {"红富士苹果", "万荣苹果"}


def test_rebuild_swaps_atomically_while_old_searchers_keep_working(fresh_db, stocked, search):
    search.rebuild(fresh_db)
    before = search.view(PRODUCTS)
    old_directory = current_directory(search.index_dir)
    with fresh_db.unit_of_work() as session:  # no outbox row: only a rebuild can see these
        session.get(Product, stocked["万荣苹果"]).status = ProductStatus.delisted
        listed(session, "临猗苹果", cooperative=session.get(Cooperative, 1))

    report = search.rebuild(fresh_db)
    assert report.documents[PRODUCTS] == 3 and report.directory != old_directory
    assert found(search, fresh_db) == {"红富士苹果", "临猗苹果"}
    # A searcher opened before the swap still reads its own generation.
    assert before.doc_count == 3
    assert found(search, fresh_db, view=before) == {"红富士苹果"}  # 万荣 re-checked away
    assert old_directory.exists()


def test_concurrent_searches_share_a_few_views_one_borrower_each(fresh_db, stocked, search):
    search.rebuild(fresh_db)
    pool = search._pools[PRODUCTS]
    results, views, lent, shared, most_lent = [], set(), set(), [], [0]
    lock, start = threading.Lock(), threading.Barrier(8)

    def work():
        start.wait()
        with pool.borrow() as view:
            with lock:
                shared.append(id(view) in lent)
                lent.add(id(view))
                most_lent[0] = max(most_lent[0], len(lent))
                views.add(id(view))
            time.sleep(0.05)  # hold it while the others ask
            results.append(found(search, fresh_db, view=view))
            with lock:
                lent.discard(id(view))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{"红富士苹果", "万荣苹果"}] * 8
    # Never two borrowers of one view; never more views than the pool holds.
    assert shared == [False] * 8
    assert most_lent[0] == pool.size
    assert len(views) == pool.size
    assert found(search, fresh_db) == {"红富士苹果", "万荣苹果"}  # the service borrows too


def test_check_finds_and_repairs_missing_stale_and_extra_documents(fresh_db, stocked, search):
    search.rebuild(fresh_db)
    writer = open_index(current_directory(search.index_dir), PRODUCTS).writer()
    writer.delete_by_term("id", str(stocked["大红袍花椒"]))
    writer.commit()
    with fresh_db.unit_of_work() as session:  # changes that bypass the outbox
        product = session.get(Product, stocked["红富士苹果"])
        product.name, product.updated_at = "冰糖心苹果", utcnow()
        delisted = session.get(Product, stocked["万荣苹果"])
        delisted.status, delisted.updated_at = ProductStatus.delisted, utcnow()

    report = search.check(fresh_db, repair=False)
    drift = report.drift[PRODUCTS]
    assert (drift.index_documents, drift.database_documents) == (2, 2)
    assert drift.missing == [str(stocked["大红袍花椒"])]
    assert drift.stale == [str(stocked["红富士苹果"])]
    assert drift.extra == [str(stocked["万荣苹果"])]
    assert report.drift["pairing"].ok and not report.repaired

    repaired = search.check(fresh_db)
    assert repaired.repaired is True
    assert search.check(fresh_db, repair=False).ok
    assert found(search, fresh_db, "冰糖心") == {"冰糖心苹果"}
    assert found(search, fresh_db, "花椒") == {"大红袍花椒"}
    assert search.view(PRODUCTS).doc_count == 2


def test_check_at_startup_repairs_drift(fresh_db, stocked, search, index_dir):
    search.rebuild(fresh_db)
    with fresh_db.unit_of_work() as session:
        session.get(Product, stocked["万荣苹果"]).name = "万荣冰糖心苹果"
        session.get(Product, stocked["万荣苹果"]).updated_at = utcnow()
    report = SearchService(index_dir).startup(fresh_db)
    assert report.check.drift[PRODUCTS].stale == [str(stocked["万荣苹果"])]
    assert report.check.repaired is True
    assert found(search, fresh_db, "冰糖心") == {"万荣冰糖心苹果"}


@pytest.fixture
def cli(monkeypatch, fresh_db, index_dir):
    monkeypatch.setenv("CUNQI_DATABASE_URL", fresh_db.engine.url.render_as_string(False))
    monkeypatch.setenv("CUNQI_INDEX_DIR", str(index_dir))
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(search_group, list(args), catch_exceptions=False)
    get_settings.cache_clear()


def test_search_commands_rebuild_and_check(cli, stocked, fresh_db, index_dir):
    missing = cli("check")
    assert missing.exit_code == 1 and "请先运行 cunqi search rebuild" in missing.output

    rebuilt = cli("rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "索引已重建并启用" in rebuilt.output
    assert found(SearchService(index_dir), fresh_db) == {"红富士苹果", "万荣苹果"}

    with fresh_db.engine.begin() as conn:
        conn.execute(sa.update(Product).values(name="苹果干", updated_at=utcnow()))
    drift = cli("check", "--no-repair")
    assert drift.exit_code == 1 and "过期 3" in drift.output
    fixed = cli("check")
    assert fixed.exit_code == 0 and "差异已修复" in fixed.output
    assert cli("check").output.strip().endswith("索引与数据库一致。")


def test_a_generation_removed_under_a_running_service_answers_empty_until_rebuilt(
    fresh_db, stocked, search
):
    search.rebuild(fresh_db)
    assert found(search, fresh_db) == {"红富士苹果", "万荣苹果"}
    shutil.rmtree(current_directory(search.index_dir))
    with fresh_db.read_only() as session:
        results = search.search_products(session, ProductQuery(text="苹果"))
    assert results.available is False and results.hits == []
    assert search.startup(fresh_db).rebuilt is True
    assert found(search, fresh_db) == {"红富士苹果", "万荣苹果"}
