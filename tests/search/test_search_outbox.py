"""The outbox keeps the index consistent with committed data, through rollbacks, crashes and locks.

Product services arrive with a later issue: these tests change rows inside a unit of work and call
``enqueue_search`` in the same transaction, as every service does.
"""

import pytest
import sqlalchemy as sa

from app.models import Cooperative, Enterprise, Product, SearchOutbox, Village
from app.models.base import utcnow
from app.models.enums import OutboxOp, ProductStatus, RegistrationStatus
from app.search import outbox
from app.search.index import current_directory, open_index
from app.search.pairing import PairingQuery
from app.search.products import ProductQuery
from app.search.schema import PRODUCTS
from app.search.service import SearchService
from app.services.search_outbox import enqueue_search
from tests.search_factories import approved_enterprise, cooperative_in, listed


def found(service: SearchService, database, text: str) -> list[str]:
    with database.read_only() as session:
        return [
            h.product.name for h in service.search_products(session, ProductQuery(text=text)).hits
        ]


def outbox_rows(database) -> list[SearchOutbox]:
    with database.read_only() as session:
        return list(session.execute(sa.select(SearchOutbox)).scalars())


def add_product(database, cooperative_id: int, name: str) -> int:
    with database.unit_of_work() as session:
        cooperative = session.get(Cooperative, cooperative_id)
        product = listed(session, name, cooperative=cooperative)
        enqueue_search(session, "product", product.id)
        return product.id


def test_created_changed_and_delisted_products_show_right_after_commit(live, fresh_db):
    service, cooperative_id = live
    product_id = add_product(fresh_db, cooperative_id, "红富士苹果")
    assert found(service, fresh_db, "苹果") == ["红富士苹果"]

    with fresh_db.unit_of_work() as session:
        product = session.get(Product, product_id)
        product.name = "芮城冰糖心苹果"
        product.updated_at = utcnow()
        enqueue_search(session, "product", product.id)
    assert found(service, fresh_db, "冰糖心") == ["芮城冰糖心苹果"]
    assert found(service, fresh_db, "红富士") == []

    with fresh_db.unit_of_work() as session:
        product = session.get(Product, product_id)
        product.status = ProductStatus.delisted
        product.updated_at = utcnow()
        enqueue_search(session, "product", product.id, OutboxOp.delete)
    assert found(service, fresh_db, "苹果") == []
    assert service.view(PRODUCTS).doc_count == 0
    assert outbox_rows(fresh_db) == []


def test_a_rolled_back_change_never_reaches_the_index(live, fresh_db):
    service, cooperative_id = live
    with pytest.raises(RuntimeError), fresh_db.unit_of_work() as session:
        product = listed(
            session, "红富士苹果", cooperative=session.get(Cooperative, cooperative_id)
        )
        enqueue_search(session, "product", product.id)
        raise RuntimeError("the service refused")
    assert found(service, fresh_db, "苹果") == []
    assert service.view(PRODUCTS).doc_count == 0
    assert outbox_rows(fresh_db) == []


def test_a_process_killed_between_commit_and_drain_loses_nothing(fresh_db, index_dir):
    crashed = SearchService(index_dir)
    with fresh_db.unit_of_work() as session:
        cooperative_id = cooperative_in(session, "140830").id
    crashed.rebuild(fresh_db)
    # No hook attached: the process "dies" after the commit, before any drain.
    add_product(fresh_db, cooperative_id, "红富士苹果")
    assert found(crashed, fresh_db, "苹果") == []
    assert [(r.doc_type, r.op) for r in outbox_rows(fresh_db)] == [("product", OutboxOp.upsert)]

    restarted = SearchService(index_dir)
    report = restarted.startup(fresh_db)
    assert report.rebuilt is False and report.drained.rows == 1
    assert found(restarted, fresh_db, "苹果") == ["红富士苹果"]
    assert outbox_rows(fresh_db) == []


def test_a_held_index_lock_leaves_the_rows_for_a_later_drain(live, fresh_db, index_dir):
    service, cooperative_id = live
    other_writer = open_index(current_directory(index_dir), PRODUCTS).writer()
    try:
        add_product(fresh_db, cooperative_id, "红富士苹果")  # the after-commit drain meets the lock
        rows = outbox_rows(fresh_db)
        assert [(r.doc_type, r.attempts, r.last_error) for r in rows] == [("product", 0, "")]
        assert found(service, fresh_db, "苹果") == []
        assert service.drain(fresh_db).locked is True
    finally:
        other_writer.cancel()
    report = service.drain(fresh_db)
    assert (report.rows, report.updated, report.locked) == (1, 1, False)
    assert found(service, fresh_db, "苹果") == ["红富士苹果"]
    assert outbox_rows(fresh_db) == []


def test_a_failed_drain_marks_its_rows_and_keeps_them(live, fresh_db, monkeypatch):
    service, cooperative_id = live

    def broken(session, ids):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(outbox, "product_batch", broken)
    add_product(fresh_db, cooperative_id, "红富士苹果")  # no exception reaches the caller
    [row] = outbox_rows(fresh_db)
    assert row.attempts == 1 and row.last_error == "RuntimeError: 磁盘已满"

    monkeypatch.undo()
    assert service.drain(fresh_db).rows == 1
    assert found(service, fresh_db, "苹果") == ["红富士苹果"]


def test_rows_that_keep_failing_are_left_for_search_check(live, fresh_db):
    service, cooperative_id = live
    with fresh_db.unit_of_work() as session:
        session.add(SearchOutbox(doc_type="unknown", doc_id=1, attempts=outbox.MAX_ATTEMPTS - 1))
    [row] = outbox_rows(fresh_db)
    assert row.attempts == outbox.MAX_ATTEMPTS
    add_product(fresh_db, cooperative_id, "红富士苹果")  # later rows still drain
    assert found(service, fresh_db, "苹果") == ["红富士苹果"]
    report = service.check(fresh_db)
    assert report.dead_rows == 1 and report.repaired is True
    assert outbox_rows(fresh_db) == []


def test_renaming_a_village_reindexes_its_products(live, fresh_db):
    service, cooperative_id = live
    add_product(fresh_db, cooperative_id, "红富士苹果")
    with fresh_db.unit_of_work() as session:
        village = session.get(Village, session.get(Cooperative, cooperative_id).village_id)
        village.name = "龙泉村"
        village.updated_at = utcnow()
        enqueue_search(session, "village", village.id)
    assert found(service, fresh_db, "龙泉") == ["红富士苹果"]
    with fresh_db.read_only() as session:
        hits = service.search_pairing(session, PairingQuery(text="龙泉")).hits
        assert [(h.kind, h.obj.name) for h in hits] == [("village", "龙泉村")]


def test_enterprises_are_searchable_once_approved(live, fresh_db):
    service, _cooperative_id = live
    with fresh_db.unit_of_work() as session:
        enterprise = approved_enterprise(
            session, name="运城果业集团有限公司", status=RegistrationStatus.pending
        )
        enqueue_search(session, "enterprise", enterprise.id)
        enterprise_id = enterprise.id

    def enterprises() -> list[str]:
        with fresh_db.read_only() as session:
            query = PairingQuery(text="果业", kinds=("enterprise",))
            return [h.obj.name for h in service.search_pairing(session, query).hits]

    assert enterprises() == []
    with fresh_db.unit_of_work() as session:
        session.get(Enterprise, enterprise_id).status = RegistrationStatus.approved
        session.get(Enterprise, enterprise_id).updated_at = utcnow()
        enqueue_search(session, "enterprise", enterprise_id)
    assert enterprises() == ["运城果业集团有限公司"]
