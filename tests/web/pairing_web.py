"""A small 千企帮千村 world for the page tests, and signing in as each of its people."""

from dataclasses import dataclass
from datetime import date

from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.asgi import create_app
from app.db import Database
from app.models.enums import AgreementStatus, HelpKind, ReportStatus, UserRole
from app.models.flags import to_mask
from app.services.accounts import create_user
from tests.factories import make_county, make_enterprise, make_township
from tests.pairing_factories import make_active, make_need, make_report
from tests.web.conftest import csrf_token_of
from tests.web.web_factories import village_in

PASSWORD = "Huanghe2026"


@dataclass
class Site:
    app: object
    database: Database
    village_id: int
    other_village_id: int
    enterprise_id: int
    active_id: int
    report_id: int

    def client(self, username: str | None = None) -> TestClient:
        client = TestClient(self.app)
        if username:
            response = client.post(
                "/login",
                data={
                    "username": username,
                    "password": PASSWORD,
                    "csrf_token": csrf_token_of(client),
                },
                follow_redirects=False,
            )
            assert response.status_code == 303, response.text
        return client


def build_site(database: Database, settings) -> Site:
    """平陆 (key county): 南坡村 (key village, contact, needs) and 北坡村; 芮城: none.

    黄河果业 (sales, industry) has an active agreement with 北坡村 with a submitted 2026Q1 report
    (and none since, so it is overdue).
    Users: qiye (黄河果业), nanpo (南坡村), beipo (北坡村), pinglu (bureau 平陆),
    ruicheng (bureau 芮城), shiju (city bureau).
    """
    with database.unit_of_work() as session:
        make_county(session)
        make_county(session, code="140830", name="芮城县", category="overall")
        township = make_township(session)
        south = village_in(
            session,
            township,
            201,
            name="南坡村",
            key_village=True,
            main_industries="苹果、花椒",
            contact_name="王书记",
            contact_phone="13900000001",
        )
        north = village_in(session, township, 202, name="北坡村")
        make_need(session, south, kind=HelpKind.sales, description="苹果滞销，需要帮销 5 万斤")
        enterprise = make_enterprise(
            session,
            name="平陆县黄河果业有限公司",
            offers=to_mask(["sales", "industry"], HelpKind),
            contact_phone="13800000002",
        )
        active = make_active(
            session,
            enterprise=enterprise,
            village=north,
            # A term beyond any date the tests run on: overdue from 2026Q2 on, whatever today is.
            start_on=date(2026, 1, 1),
            end_on=date(2099, 12, 31),
            status=AgreementStatus.active,
        )
        report = make_report(session, active, 2026, 1, status=ReportStatus.submitted)
        accounts = [
            ("qiye", UserRole.enterprise, {"enterprise_id": enterprise.id}),
            ("nanpo", UserRole.village, {"village_id": south.id}),
            ("beipo", UserRole.village, {"village_id": north.id}),
            ("pinglu", UserRole.bureau, {"region_code": "140829"}),
            ("ruicheng", UserRole.bureau, {"region_code": "140830"}),
            ("shiju", UserRole.bureau, {"region_code": "140800"}),
        ]
        for username, role, links in accounts:
            create_user(
                session=session,
                actor=SYSTEM,
                account={"username": username, "display_name": username, "password": PASSWORD},
                role=role,
                **links,
            )
        ids = (south.id, north.id, enterprise.id, active.id, report.id)
    app = create_app(settings, database=database)
    return Site(app, database, *ids)


def post(client: TestClient, url: str, data: dict | None = None, **kwargs):
    """A plain form post with the session's CSRF token."""
    return client.post(
        url,
        data=(data or {}) | {"csrf_token": csrf_token_of(client)},
        follow_redirects=False,
        **kwargs,
    )


def hx_post(client: TestClient, url: str, data: dict | None = None):
    """An htmx post: the token in the header, as htmx sends it from <body hx-headers>."""
    token = csrf_token_of(client)
    return client.post(
        url,
        data=data or {},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        follow_redirects=False,
    )
