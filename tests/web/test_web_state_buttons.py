"""The buttons a detail page shows are the transitions its machine allows the viewer, with the
machine's texts."""

import re
from datetime import date

import pytest

from app.actors import Actor, Role
from app.models import Enterprise, Order, PairingAgreement, Product, Village
from app.models.enums import AgreementStatus, OrderStatus
from app.services.order_states import ORDER, OrderCase
from app.services.pairing.states import AGREEMENT, AgreementCase
from tests.pairing_factories import make_active
from tests.trade_factories import make_order
from tests.web import pairing_web, trade_site

# The bureau's follow-up of missing reports (催报, 免报) posts beside the lifecycle steps but
# changes no state of the agreement (decision 0032): not a step of the machine.
FOLLOW_UP = {"remind", "waive"}


def _posted_steps(html: str, prefix: str) -> dict[str, str]:
    """Each form posting to ``prefix``/<step>, with the text of its submit button."""
    found = {}
    pattern = rf'<form[^>]*action="{re.escape(prefix)}/(\w+)"(.*?)</form>'
    for name, body in re.findall(pattern, html, flags=re.S):
        if name in FOLLOW_UP:
            continue
        found[name] = re.findall(r'<button[^>]*type="submit"[^>]*>([^<]+)</button>', body)[-1]
    return found


def _confirmed_steps(html: str) -> dict[str, str]:
    """Each irreversible step's button, which opens its confirmation (a GET form), with its text."""
    pattern = r'<form[^>]*method="get"[^>]*>\s*<input type="hidden" name="confirm" value="(\w+)">\s*<button[^>]*>([^<]+)</button>'
    return dict(re.findall(pattern, html))


@pytest.fixture
def shop(fresh_db, make_settings, tmp_path):
    return trade_site.build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("rated", [False, True])
def test_an_order_page_offers_exactly_the_allowed_steps(shop, status, rated):
    with shop.db.unit_of_work() as session:
        buyer = session.get(Enterprise, shop.buyer_id)
        product = session.get(Product, shop.product_id)
        order_id = make_order(session, buyer, product, 10, status=status, rating=rated or None).id
        product_id = product.id
    actors = {
        "caigou": Actor(role=Role.enterprise, enterprise_id=shop.buyer_id),
        "hezuoshe": Actor(role=Role.cooperative, cooperative_id=shop.cooperative_id),
        "pinglu": Actor(role=Role.bureau, region_code="140829"),
    }
    seen = set()
    for username, actor in actors.items():
        page = shop.client(username).get(f"/orders/{order_id}")
        with shop.db.read_only() as session:
            order = session.get(Order, order_id)
            allowed = ORDER.allowed(actor, OrderCase(order, session.get(Product, product_id)))
        offered = _posted_steps(page.text, f"/orders/{order_id}")
        assert offered == {name: ORDER.transition(name).button_text for name in allowed}
        assert list(page.context["actions"]) == allowed
        seen.update(offered)
    # Before it is cancelled (or rated), someone has a step to take.
    assert bool(seen) == (status != OrderStatus.cancelled and not (rated and status == "received"))


@pytest.fixture
def pairing(fresh_db, make_settings, tmp_path):
    return pairing_web.build_site(fresh_db, make_settings(upload_dir=tmp_path))


@pytest.mark.parametrize(
    "status", [AgreementStatus.proposed, AgreementStatus.signed, AgreementStatus.active]
)
def test_an_agreement_page_offers_exactly_the_allowed_steps(pairing, status):
    with pairing.database.unit_of_work() as session:
        enterprise = session.get(Enterprise, pairing.enterprise_id)
        village = session.get(Village, pairing.village_id)
        agreement_id = make_active(
            session,
            enterprise=enterprise,
            village=village,
            status=status,
            end_on=date(2099, 12, 31),
        ).id
    url = f"/agreements/{agreement_id}"
    actors = {
        "qiye": Actor(role=Role.enterprise, enterprise_id=pairing.enterprise_id),
        "nanpo": Actor(role=Role.village, village_id=pairing.village_id),
        "pinglu": Actor(role=Role.bureau, region_code="140829"),
        "ruicheng": Actor(role=Role.bureau, region_code="140830"),
        "shiju": Actor(role=Role.bureau, region_code="140800"),
    }
    seen = set()
    for username, actor in actors.items():
        page = pairing.client(username).get(url)
        with pairing.database.read_only() as session:
            agreement = session.get(PairingAgreement, agreement_id)
            # Completing waits for the end of the term (2029 here).
            allowed = AGREEMENT.allowed(actor, AgreementCase(agreement, "140829"))
        if page.status_code != 200:
            assert allowed == [], username
            continue
        offered = _posted_steps(page.text, url) | _confirmed_steps(page.text)
        for name, text in _confirmed_steps(page.text).items():
            confirmation = pairing.client(username).get(f"{url}?confirm={name}").text
            assert _posted_steps(confirmation, url) == {name: f"确认{text}"}
        if f'href="{url}/edit"' in page.text:
            offered["revise"] = AGREEMENT.transition("revise").button_text
        assert offered == {name: AGREEMENT.transition(name).button_text for name in allowed}
        assert page.context["detail"].actions == allowed, username
        seen.update(offered)
    assert seen
