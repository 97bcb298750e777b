"""Acceptance scan (#16): no phone number reaches a pending, an unrelated or an anonymous reader.

Every organisation of the authorization world gets a contact and every account a phone. Each
reader crawls every page reachable from the navigation and the links on those pages, plus the
detail page of every object, and runs GraphQL operations selecting every contact-bearing field
of the schema; no response may hold a phone number — neither in full nor masked. An allowed
party sees the masked number and, after 显示完整号码, the full one, with an audit event.
"""

import html
import re
from collections import deque

import pytest
import sqlalchemy as sa
from sqlmodel import select
from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.models import (
    Cooperative,
    Demand,
    Enterprise,
    Event,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    User,
    Village,
)
from app.models.enums import UserRole
from app.schema.execution import core_schema
from app.schema.schema import create_schema
from app.services import accounts, api_tokens
from app.services.contacts import mask_phone
from tests.authz.world import PASSWORD
from tests.factories import make_enterprise, valid_credit_code
from tests.graphql.payload_checks import gid
from tests.web.conftest import csrf_token_of

# A mainland mobile number however it is written, or any masked number.
PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?![0-9A-Za-z])")
MASKED = re.compile(r"\d{3}\*{4}\d{4}")
SKIPPED = ("/static", "/logout", "/product-images", "/evidence", "/graphql", "/exports/")
MAX_PAGES = 400

CONTACT = "contactName contactPhone"
QUERIES = {
    "lists": f"""{{
      villages(first: 100) {{ nodes {{ {CONTACT} }} }}
      enterprises(first: 100) {{ nodes {{ {CONTACT} }} }}
      cooperatives(first: 100) {{ nodes {{ {CONTACT} village {{ {CONTACT} }} }} }}
    }}""",
    "nested": f"""{{
      agreements(first: 100) {{ nodes {{ village {{ {CONTACT} }} enterprise {{ {CONTACT} }} }} }}
      products(first: 100) {{ nodes {{ village {{ {CONTACT} }} cooperative {{ {CONTACT} }} }} }}
      orders(first: 100) {{ nodes {{ buyer {{ {CONTACT} }} product {{ cooperative {{ {CONTACT} }} }} }} }}
      demands(first: 100) {{ nodes {{ buyer {{ {CONTACT} }} }} }}
    }}""",
    "accounts": f"""{{
      me {{ phone registration {{ phone enterprise {{ {CONTACT} }} cooperative {{ {CONTACT} }}
           village {{ {CONTACT} }} }} }}
      pendingRegistrations(first: 100) {{ nodes {{ phone }} }}
    }}""",
    # 用户管理: admins and bureau officers only (the readers here are refused).
    "administration": "{ managedUsers(first: 100) { nodes { phone } } }",
}
NODE = f"""query($id: ID!) {{ node(id: $id) {{
  ... on Village {{ {CONTACT} }} ... on Enterprise {{ {CONTACT} }} ... on Cooperative {{ {CONTACT} }}
  ... on Registration {{ phone }} }} }}"""
# The types whose fields carry a contact or a phone; a new one must join the queries above.
COVERED = {"Village", "Enterprise", "Cooperative", "Me", "Registration", "Contact", "ManagedUser"}


@pytest.fixture
def scan(gql_writer):
    """The world with a contact on every organisation, a phone on every account, and two more
    readers: an approved enterprise that deals with no one, and the pending applicant."""
    database = gql_writer.database
    with database.unit_of_work() as session:
        unrelated = make_enterprise(
            session, name="无往来企业", credit_code=valid_credit_code("91140829"[:6] + "99")
        )
        user = accounts.create_user(
            session=session,
            actor=SYSTEM,
            account={"username": "unrelated", "display_name": "无往来", "password": PASSWORD},
            role=UserRole.enterprise,
            enterprise_id=unrelated.id,
        )
        n = 0
        for model in (Village, Enterprise, Cooperative):
            for row in session.exec(select(model)).all():
                n += 1
                row.contact_name, row.contact_phone = f"联系人{n:02d}", f"139{n:08d}"
        for m, account in enumerate(session.exec(select(User)).all()):
            account.phone = f"137{m:08d}"
        session.flush()
        tokens = dict(gql_writer.world.tokens)
        for name in ("unrelated", "pending1"):
            account = session.exec(select(User).where(User.username == name)).one()
            _, tokens[name] = api_tokens.create_api_token(
                session=session, actor=accounts.actor_for(account), name="扫描"
            )
        phones = {
            "contacts": {
                p
                for model in (Village, Enterprise, Cooperative)
                for p in session.exec(select(model.contact_phone)).all()
            },
            "users": {u.username: u.phone for u in session.exec(select(User)).all()},
            # The reader's own organisation: its staff see its contact, masked.
            "own": {"unrelated": mask_phone(session.get(Enterprise, unrelated.id).contact_phone)},
        }
        ids = {
            model.__name__: session.exec(select(model.id)).all()
            for model in (
                Village,
                Enterprise,
                Cooperative,
                Product,
                Demand,
                Order,
                PairingAgreement,
                OutcomeReport,
                User,
            )
        }
        assert user.id in ids["User"]
    gql_writer.world.tokens = tokens
    return gql_writer, phones, ids


def _signed_in(app, username: str | None) -> TestClient:
    client = TestClient(app)
    if username is not None:
        response = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf_token_of(client)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    return client


def _detail_pages(ids: dict) -> list[str]:
    paths = {
        "Village": "/villages/{}",
        "Enterprise": "/enterprises/{}",
        "Product": "/products/{}",
        "Demand": "/demands/{}",
        "Order": "/orders/{}",
        "PairingAgreement": "/agreements/{}",
        "OutcomeReport": "/reports/{}",
    }
    return [path.format(i) for kind, path in paths.items() for i in ids[kind]]


def crawl(client: TestClient, start: list[str]) -> dict[str, str]:
    """Every page reachable from ``start`` by links (GET only, query strings dropped)."""
    pages: dict[str, str] = {}
    queue = deque(start)
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        if url in pages:
            continue
        response = client.get(url, follow_redirects=True)
        pages[url] = response.text
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for href in re.findall(r'href="(/[^"#]*)"', response.text):
            path = html.unescape(href).split("?")[0]
            if not path.startswith(SKIPPED) and path not in pages:
                queue.append(path)
    assert len(pages) < MAX_PAGES, "the crawl hit its limit: raise it"
    return pages


def _leaks(text: str, phones: dict, username: str | None) -> list[str]:
    """Phone numbers in ``text`` beyond the reader's own, masked, and its organisation's."""
    found = PHONE.findall(text)
    found += [p for p in phones["contacts"] | set(phones["users"].values()) if p and p in text]
    allowed_masks = set()
    if username is not None:
        allowed_masks = {mask_phone(phones["users"][username]), phones["own"].get(username)}
    found += [m for m in MASKED.findall(text) if m not in allowed_masks]
    return found


READERS = ["pending1", "unrelated", None]


@pytest.mark.parametrize("username", READERS, ids=["pending", "unrelated", "anonymous"])
def test_no_page_shows_a_phone_to_a_reader_without_a_purpose(scan, username):
    client, phones, ids = scan
    browser = _signed_in(client.http.app, username)
    pages = crawl(browser, ["/", "/account", "/privacy", *_detail_pages(ids)])
    assert "/villages" in pages and "/enterprises" in pages and "/products" in pages
    leaks = {url: _leaks(text, phones, username) for url, text in pages.items()}
    assert {url: found for url, found in leaks.items() if found} == {}


@pytest.mark.parametrize("username", READERS, ids=["pending", "unrelated", "anonymous"])
def test_no_graphql_answer_holds_a_phone_for_a_reader_without_a_purpose(scan, username):
    client, phones, ids = scan
    actor = username or "anonymous"
    answers = [client.post(query, actor=actor).text for query in QUERIES.values()]
    for kind in ("Village", "Enterprise", "Cooperative"):
        answers += [client.post(NODE, {"id": gid(kind, i)}, actor=actor).text for i in ids[kind]]
    answers += [
        client.post(NODE, {"id": gid("Registration", i)}, actor=actor).text for i in ids["User"]
    ]
    # Every contact field answers null, but the unrelated reader's own organisation's.
    shown = set(re.findall(r'"contactPhone":"([^"]*)"', "".join(answers)))
    assert shown == ({phones["own"]["unrelated"]} if username == "unrelated" else set())
    assert [found for text in answers if (found := _leaks(text, phones, username))] == []


def test_the_scan_selects_every_field_that_carries_a_contact_or_a_phone():
    schema = core_schema(create_schema())
    carrying = {
        name
        for name, kind in schema.type_map.items()
        if not name.startswith("__")
        and not name.endswith("Input")
        and hasattr(kind, "fields")
        and {"contactName", "contactPhone", "phone"} & set(kind.fields)
    }
    assert carrying == COVERED


def test_a_party_with_an_agreement_sees_the_mask_then_reveals_the_number_with_a_trace(scan):
    client, _, _ = scan
    with client.database.read_only() as session:
        village = session.get(Village, client.world.world.village_id)
        full, masked = village.contact_phone, mask_phone(village.contact_phone)
        user_id = session.exec(select(User.id).where(User.username == "enterprise_b")).one()
    browser = _signed_in(client.http.app, "enterprise_b")
    page = browser.get(f"/villages/{village.id}").text
    assert masked in page and full not in page and "显示完整号码" in page
    url = f"/contacts/village/{village.id}/reveal"
    revealed = browser.post(
        url, headers={"HX-Request": "true", "X-CSRF-Token": csrf_token_of(browser)}
    )
    assert revealed.status_code == 200
    assert revealed.template.name == "contacts/_contact.html"
    assert f'<a href="tel:{full}">{full}</a>' in revealed.text
    assert revealed.headers["cache-control"] == "no-store"
    plain = browser.post(url, data={"csrf_token": csrf_token_of(browser)})
    assert plain.template.name == "contacts/revealed.html" and full in plain.text
    gql = client.data(
        "mutation($i: RevealContactInput!) { revealContact(input: $i) { contact { name phone } "
        "errors { code } } }",
        {"i": {"organisationId": gid("Village", village.id)}},
        actor="enterprise_b",
    )
    assert gql["revealContact"] == {
        "contact": {"name": village.contact_name, "phone": full},
        "errors": [],
    }
    with client.database.read_only() as session:
        events = session.exec(
            select(Event).where(Event.action == "contact.reveal").order_by(Event.id)
        ).all()
    assert [(e.actor_id, e.object_type, e.object_id) for e in events] == [
        (user_id, "Village", str(village.id))
    ] * 3


@pytest.mark.parametrize("username", ["pending1", "unrelated"])
def test_a_reader_without_a_purpose_cannot_reveal_and_leaves_no_trace(scan, username):
    client, phones, _ = scan
    village_id = client.world.world.village_id
    browser = _signed_in(client.http.app, username)
    refused = browser.post(
        f"/contacts/village/{village_id}/reveal", data={"csrf_token": csrf_token_of(browser)}
    )
    # Answered as if the village did not exist: a page never tells a stranger what is there.
    assert refused.status_code == 404
    assert _leaks(refused.text, phones, username) == []
    gql = client.data(
        "mutation($i: RevealContactInput!) { revealContact(input: $i) { contact { phone } "
        "errors { code } } }",
        {"i": {"organisationId": gid("Village", village_id)}},
        actor=username,
    )
    assert gql["revealContact"] == {"contact": None, "errors": [{"code": "permission_denied"}]}
    with client.database.read_only() as session:
        count = session.exec(
            select(sa.func.count()).select_from(Event).where(Event.action == "contact.reveal")
        ).one()
    assert count == 0
