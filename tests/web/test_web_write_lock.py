"""On SQLite, sign-ins and a large import running at once never make another user's write fail.

SQLite has one write lock for everyone, and a writer waits for it only as long as the busy
timeout (the production default here). Argon2 is made expensive, and the import has two thousand
rows (villages and cooperatives that refer to them): while sign-ins and the import go through the
pages, another user writes in a loop. Every one of those writes must succeed, and the import must
be whole. Before decision 0016 (hashing, parsing and checking inside the writer) the import alone
held the lock for seconds and those writes failed with "database is locked".

The structural guarantee — no slow work while a writer is open — is asserted without a clock by
tests/web/test_web_slow_work.py; this test is the end-to-end view of it. A shorter timeout than
production's made it depend on how busy the machine was (a 2-core CI box queueing a 2,000-row
write behind four sign-ins), which is not what it is about.
"""

import io
import threading

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlmodel import select
from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.asgi import create_app
from app.config import Settings, get_settings
from app.db import Database, create_db_engine
from app.models import ApiToken, Cooperative, LoginAttempt, User, Village
from app.models.enums import UserRole
from app.services import accounts, api_tokens
from tests.conftest import PG_URL
from tests.factories import make_county, make_township, valid_credit_code
from tests.web.conftest import csrf_token_of

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's single write lock")

BUSY_TIMEOUT_MS = Settings.model_fields["sqlite_busy_timeout_ms"].default
PASSWORD = "Huanghe2026"
VILLAGES = 1000
SIGN_INS = (4, 6)  # threads, sign-ins each


@pytest.fixture
def expensive_argon2(monkeypatch):
    monkeypatch.setenv("CUNQI_PASSWORD_TIME_COST", "2")
    monkeypatch.setenv("CUNQI_PASSWORD_MEMORY_KIB", "32768")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def database(database_factory):
    db = Database(
        create_db_engine(database_factory.new_url("lock"), busy_timeout_ms=BUSY_TIMEOUT_MS)
    )
    yield db
    db.dispose()


def _users(database: Database) -> dict[str, int]:
    names = [f"user{i}" for i in range(SIGN_INS[0])] + ["pinglu", "other"]
    prepared = [
        accounts.prepare_account({"username": n, "display_name": n, "password": PASSWORD})
        for n in names
    ]
    with database.unit_of_work() as session:
        make_county(session)
        make_township(session)
        for account in prepared:
            accounts.create_user(
                session=session,
                actor=SYSTEM,
                account=account,
                role=UserRole.bureau,
                region_code="140829",
            )
    with database.read_only() as session:
        return {u.username: u.id for u in session.exec(select(User))}


def _large_workbook() -> bytes:
    book = Workbook()
    villages = book.active
    villages.title = "行政村"
    villages.append(["村级统计代码", "村名", "所属县级代码"])
    cooperatives = book.create_sheet("合作社")
    cooperatives.append(["统一社会信用代码", "合作社名称", "所在村统计代码"])
    for i in range(VILLAGES):
        code = f"140829100{i:03d}"
        villages.append([code, f"第{i}村", "140829"])
        cooperatives.append([valid_credit_code(), f"第{i}村合作社", code])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _signed_in(app, username: str) -> TestClient:
    client = TestClient(app)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_token_of(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def test_sign_ins_and_a_large_import_never_make_another_users_write_fail(
    expensive_argon2, database, make_settings
):
    users = _users(database)
    app = create_app(make_settings(sqlite_busy_timeout_ms=BUSY_TIMEOUT_MS), database=database)
    importer = _signed_in(app, "pinglu")
    content = _large_workbook()
    with database.read_only() as session:
        other = accounts.actor_for(session.get(User, users["other"]))
    results = {"sign_ins": [], "import": None, "writes": 0, "write_errors": []}
    stop = threading.Event()

    def sign_ins(username: str) -> None:
        client = TestClient(app)
        for _ in range(SIGN_INS[1]):
            response = client.post(
                "/login",
                data={
                    "username": username,
                    "password": PASSWORD,
                    "csrf_token": csrf_token_of(client),
                },
                follow_redirects=False,
            )
            results["sign_ins"].append(response.status_code)

    def bulk_import() -> None:
        response = importer.post(
            "/imports",
            data={"csrf_token": csrf_token_of(importer)},
            files={"file": ("大批量.xlsx", content)},
            follow_redirects=False,
        )
        results["import"] = response.status_code

    def ordinary_writes() -> None:
        # A person between two saves: without a pause the loop would hold the lock back to back
        # and starve the other writers (SQLite's busy wait is not a queue).
        while not stop.wait(0.02):
            try:
                with database.unit_of_work() as session:
                    api_tokens.create_api_token(session=session, actor=other, name="日常")
                results["writes"] += 1
            except sa.exc.OperationalError as exc:
                results["write_errors"].append(str(exc.orig))

    writer = threading.Thread(target=ordinary_writes)
    workers = [threading.Thread(target=bulk_import)] + [
        threading.Thread(target=sign_ins, args=(f"user{i}",)) for i in range(SIGN_INS[0])
    ]
    writer.start()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    stop.set()
    writer.join()

    assert results["write_errors"] == []
    assert results["sign_ins"] == [303] * (SIGN_INS[0] * SIGN_INS[1])
    assert results["import"] == 303
    with database.read_only() as session:

        def count(model) -> int:
            return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()

        assert (count(Village), count(Cooperative)) == (VILLAGES, VILLAGES)
        assert count(ApiToken) == results["writes"] > 0
        assert count(LoginAttempt) == 0
