"""A small 消费帮扶 site for the page tests: accounts for each party, a product, helpers."""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import SQLModel
from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.asgi import create_app
from app.db import Database
from app.models.enums import EnterpriseKind, ProductStatus, UserRole
from app.services.accounts import create_user
from tests.factories import make_cooperative, make_county, make_enterprise, make_village
from tests.trade_factories import make_listed_product
from tests.web.conftest import csrf_token_of

PASSWORD = "Huanghe2026"


@dataclass
class Site:
    app: object
    db: Database
    cooperative_id: int
    other_cooperative_id: int
    buyer_id: int
    product_id: int

    def client(self, username: str | None = None) -> TestClient:
        client = TestClient(self.app)
        if username:
            response = post(client, "/login", {"username": username, "password": PASSWORD})
            assert response.status_code == 303, response.text
        return client


def build_site(db: Database, settings) -> Site:
    """Users: hezuoshe (cooperative), qita (another cooperative), caigou (agency buyer),
    pinglu (平陆 bureau), ruicheng (芮城 bureau)."""
    with db.unit_of_work() as session:
        make_county(session)
        make_county(session, code="140830", name="芮城县", category="overall")
        village = make_village(session, name="南坡村")
        cooperative = make_cooperative(session, village=village, name="南坡百合专业合作社")
        other = make_cooperative(session, village=village, name="北坡合作社")
        buyer = make_enterprise(session, name="运城市机关事务管理局", kind=EnterpriseKind.agency)
        product = make_listed_product(
            session,
            cooperative=cooperative,
            name="平陆杜马百合",
            price_fen=3500,
            stock=100,
            min_order=5,
        )
        accounts = [
            ("hezuoshe", UserRole.cooperative, {"cooperative_id": cooperative.id}),
            ("qita", UserRole.cooperative, {"cooperative_id": other.id}),
            ("caigou", UserRole.enterprise, {"enterprise_id": buyer.id}),
            ("pinglu", UserRole.bureau, {"region_code": "140829"}),
            ("ruicheng", UserRole.bureau, {"region_code": "140830"}),
        ]
        for username, role, links in accounts:
            create_user(
                session=session,
                actor=SYSTEM,
                account={"username": username, "display_name": username, "password": PASSWORD},
                role=role,
                **links,
            )
    app = create_app(settings, database=db)
    return Site(app, db, cooperative.id, other.id, buyer.id, product.id)


def post(client: TestClient, url: str, data: dict, *, htmx: bool = False, **kwargs):
    headers = kwargs.pop("headers", {})
    if htmx:
        headers |= {"HX-Request": "true"}
    return client.post(
        url,
        data=data | {"csrf_token": csrf_token_of(client)},
        headers=headers,
        follow_redirects=False,
        **kwargs,
    )


def row_counts(db: Database) -> dict[str, int]:
    with db.read_only() as session:
        return {
            name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
            # Sign-in bookkeeping (a test's client signs in lazily during the action): every
            # sign-in, a success too, counts its attempt and opens a session.
            if name not in ("login_attempts", "rate_limit_counters", "user_sessions")
        }


def field_error(html: str, field: str) -> str | None:
    """The error text shown under a field (``field-<name>-error`` or an inline ``<id>-error``)."""
    match = re.search(rf'id="[^"]*{field}[^"]*-error">([^<]+)</p>', html)
    return match.group(1) if match else None


def set_status(db: Database, product_id: int, status: ProductStatus) -> None:
    from app.models import Product

    with db.unit_of_work() as session:
        session.get(Product, product_id).status = status
