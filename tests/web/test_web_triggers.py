"""The to-do badge is told to refresh after every successful htmx action that changed state."""

import json

import pytest

from app.web.triggers import with_inbox_changed
from tests.web.pairing_web import build_site as build_pairing_site
from tests.web.pairing_web import hx_post
from tests.web.trade_site import build_site, post


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "inbox-changed"),
        ("", "inbox-changed"),
        ("inbox-changed", "inbox-changed"),
        ("toast", "toast, inbox-changed"),
        ("a, inbox-changed", "a, inbox-changed"),
    ],
)
def test_event_names_get_inbox_changed_once(given, expected):
    assert with_inbox_changed(given) == expected


def test_a_json_trigger_keeps_its_events_and_values():
    merged = json.loads(with_inbox_changed(json.dumps({"toast": "已提交"}, ensure_ascii=False)))
    assert merged == {"toast": "已提交", "inbox-changed": True}
    kept = json.loads(with_inbox_changed(json.dumps({"inbox-changed": 3})))
    assert kept == {"inbox-changed": 3}


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


ORDER = {
    "quantity": "10",
    "unit": "斤",
    "recipient_name": "王主任",
    "recipient_phone": "13903591234",
    "shipping_address": "运城市盐湖区机关食堂",
    "note": "",
}


def test_a_successful_htmx_action_refreshes_the_badge(site):
    client = site.client("caigou")
    placed = post(client, f"/products/{site.product_id}/orders", ORDER, htmx=True)
    assert placed.status_code == 204
    assert "inbox-changed" in placed.headers["HX-Trigger"]


def test_a_refused_or_plain_action_does_not(site):
    client = site.client("caigou")
    refused = post(
        client, f"/products/{site.product_id}/orders", {**ORDER, "quantity": "0"}, htmx=True
    )
    assert refused.status_code == 422
    assert "HX-Trigger" not in refused.headers
    plain = post(client, f"/products/{site.product_id}/orders", ORDER)
    assert plain.status_code == 303
    assert "HX-Trigger" not in plain.headers
    assert client.get("/orders").headers.get("HX-Trigger") is None


def test_a_successful_action_that_changes_nothing_does_not(fresh_db, make_settings, tmp_path):
    pairing = build_pairing_site(fresh_db, make_settings(upload_dir=tmp_path / "pairing"))
    proposal = {
        "village_id": str(pairing.village_id),
        "help_kinds": ["sales"],
        "start_on": "2027-01-01",
        "end_on": "2029-12-31",
        "commit_purchase": "200000",
    }
    checked = hx_post(pairing.client("qiye"), "/agreements/validate", proposal)
    assert checked.status_code == 200  # checked inline, nothing written: no event, no refresh
    assert "HX-Trigger" not in checked.headers
