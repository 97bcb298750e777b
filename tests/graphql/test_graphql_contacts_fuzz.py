"""Fuzzing the contact reveal: any organisation id, any party in the URL, any reader — never a
server error, never a number for a reader without a purpose, and a trace for every number."""

import base64

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.models import Event
from tests.authz.world import PASSWORD
from tests.web.conftest import csrf_token_of

FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
REVEAL = (
    "mutation($i: RevealContactInput!) { revealContact(input: $i) { contact { phone } "
    "errors { code } } }"
)
READERS = ["anonymous", "enterprise_a", "enterprise_b", "cooperative", "bureau_other_county"]
KINDS = ["Village", "Enterprise", "Cooperative", "Product", "User", "PairingAgreement", "X"]
ids = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda kind, key: base64.b64encode(f"{kind}:{key}".encode()).decode(),
        st.sampled_from(KINDS),
        st.one_of(st.integers(-5, 40).map(str), st.text(max_size=6)),
    ),
)


def _reveals(database) -> int:
    with database.read_only() as session:
        return session.exec(
            select(sa.func.count()).select_from(Event).where(Event.action == "contact.reveal")
        ).one()


def test_any_organisation_id_from_any_reader(gql_writer):
    @FUZZ
    @given(organisation_id=ids, reader=st.sampled_from(READERS))
    def run(organisation_id, reader):
        before = _reveals(gql_writer.database)
        response = gql_writer.post(REVEAL, {"i": {"organisationId": organisation_id}}, actor=reader)
        assert response.status_code == 200, response.text
        payload = response.json()["data"]["revealContact"]
        codes = [e["code"] for e in payload["errors"]]
        if payload["contact"] is None:
            assert len(codes) == 1 and codes[0] in {
                "invalid_id",
                "not_found",
                "permission_denied",
                "unauthenticated",
            }
            assert _reveals(gql_writer.database) == before
        else:
            assert codes == [] and _reveals(gql_writer.database) == before + 1

    run()


def test_any_party_and_id_in_the_page_route(gql_writer):
    browser = gql_writer.http
    signed_in = browser.post(
        "/login",
        data={
            "username": "enterprise_b",
            "password": PASSWORD,
            "csrf_token": csrf_token_of(browser),
        },
        follow_redirects=False,
    )
    assert signed_in.status_code == 303

    @FUZZ
    @given(
        party=st.one_of(
            st.sampled_from(["village", "enterprise", "cooperative"]),
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
        ),
        party_id=st.one_of(st.integers(0, 40), st.integers(0, 10**6)),
    )
    def run(party, party_id):
        response = browser.post(
            f"/contacts/{party}/{party_id}/reveal",
            data={"csrf_token": csrf_token_of(browser)},
            follow_redirects=False,
        )
        # A number for a party with a purpose, else a refusal or nothing there: never an error.
        assert response.status_code in (200, 403, 404), response.text

    run()
