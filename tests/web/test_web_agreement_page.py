"""The agreement page's layout (app/web/agreement_page.py): the lifecycle stepper, confirmation of
irreversible steps with and without htmx, the village signing below the commitments, and the
change log saying what changed."""

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.models import Event, PairingAgreement
from app.models.enums import AgreementStatus
from app.web.agreement_page import changes, steps
from tests.web.pairing_web import build_site, hx_post, post

A = AgreementStatus
AT = datetime(2026, 3, 1, 2, tzinfo=UTC)


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path))


def _propose(site) -> int:
    data = {
        "village_id": str(site.village_id),
        "help_kinds": ["sales", "employment"],
        "start_on": "2027-01-01",
        "end_on": "2029-12-31",
        "commit_purchase": "200000",
        "commit_jobs": "10",
    }
    response = post(site.client("qiye"), "/agreements", data)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def _status(site, agreement_id) -> AgreementStatus:
    with site.database.read_only() as session:
        return AgreementStatus(session.get(PairingAgreement, agreement_id).status)


def _agreement(status, **dates):
    fields = {"proposed_at": AT, "signed_at": None, "filed_at": None, "ended_at": None}
    return SimpleNamespace(status=status, **(fields | dates))


@pytest.mark.parametrize(
    ("status", "dates", "expected"),
    [
        (A.proposed, {}, ["current", "upcoming", "upcoming", "upcoming", "upcoming"]),
        (A.signed, {"signed_at": AT}, ["done", "current", "upcoming", "upcoming", "upcoming"]),
        (A.active, {"signed_at": AT, "filed_at": AT}, ["done", "done", "done", "current", "upcoming"]),
        (A.completed, {"signed_at": AT, "filed_at": AT, "ended_at": AT}, ["done"] * 5),
        (A.declined, {"ended_at": AT}, ["ended", "skipped", "skipped", "skipped", "skipped"]),
        (A.withdrawn, {"ended_at": AT}, ["ended", "skipped", "skipped", "skipped", "skipped"]),
        (
            A.terminated,
            {"signed_at": AT, "filed_at": AT, "ended_at": AT},
            ["done", "done", "done", "ended", "skipped"],
        ),
    ],
)  # fmt: skip
def test_the_stepper_marks_done_current_and_ended_steps(status, dates, expected):
    drawn = steps(_agreement(status, **dates))
    assert [s.label for s in drawn] == ["提议", "签约", "备案", "履行", "完成"]
    assert [s.state for s in drawn] == expected
    stopped = [s for s in drawn if s.state in ("current", "ended")]
    assert len(stopped) == (0 if status == A.completed else 1)
    if status in (A.declined, A.withdrawn, A.terminated):
        assert stopped[0].note in ("已婉拒", "已撤回", "已终止") and stopped[0].on == AT


def test_the_page_shows_the_stepper_with_the_current_step(site):
    agreement_id = _propose(site)
    html = site.client("nanpo").get(f"/agreements/{agreement_id}").text
    current = re.findall(
        r'<li class="stepper__step stepper__step--(\w+)"( aria-current="step")?', html
    )
    assert [state for state, _ in current] == [
        "current",
        "upcoming",
        "upcoming",
        "upcoming",
        "upcoming",
    ]
    assert current[0][1] == ' aria-current="step"'
    active = site.client("pinglu").get(f"/agreements/{site.active_id}").text
    assert re.findall(r"stepper__step--(\w+)", active) == [
        "done",
        "done",
        "done",
        "current",
        "upcoming",
    ]


def test_signing_without_javascript_goes_through_a_confirmation_page(site):
    agreement_id = _propose(site)
    village = site.client("nanpo")
    page = village.get(f"/agreements/{agreement_id}").text
    # The button is a GET form: pressing it writes nothing and opens the confirmation.
    assert (
        f'<form class="action-form" method="get" action="/agreements/{agreement_id}#confirm"'
        in page
    )
    confirm = village.get(f"/agreements/{agreement_id}?confirm=sign")
    assert confirm.status_code == 200
    assert '<h2 id="confirm-title">确认签约？</h2>' in confirm.text
    assert f'action="/agreements/{agreement_id}/sign"' in confirm.text
    assert 'name="confirmed" value="1"' in confirm.text
    assert f'<a class="button button--secondary" href="/agreements/{agreement_id}"' in confirm.text
    assert _status(site, agreement_id) == A.proposed
    done = post(village, f"/agreements/{agreement_id}/sign", {"version": "1", "confirmed": "1"})
    assert (done.status_code, done.headers["location"]) == (303, f"/agreements/{agreement_id}")
    assert _status(site, agreement_id) == A.signed


def test_a_post_without_the_confirmation_writes_nothing_and_opens_it(site):
    agreement_id = _propose(site)
    village = site.client("nanpo")
    plain = post(village, f"/agreements/{agreement_id}/sign", {"version": "1"})
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/agreements/{agreement_id}?confirm=sign#confirm"
    htmx = hx_post(village, f"/agreements/{agreement_id}/decline", {"version": "1"})
    assert htmx.status_code == 200 and "<html" not in htmx.text
    assert '<h2 id="confirm-title">确认婉拒这份结对提议？</h2>' in htmx.text
    assert 'name="reason"' in htmx.text
    assert _status(site, agreement_id) == A.proposed
    with site.database.read_only() as session:
        actions = session.exec(
            select(Event.action).where(
                Event.object_type == "PairingAgreement", Event.object_id == str(agreement_id)
            )
        ).all()
    assert actions == ["agreement.propose"]


def test_htmx_swaps_the_confirmation_in_and_confirming_takes_the_step(site):
    agreement_id = _propose(site)
    village = site.client("nanpo")
    page = village.get(f"/agreements/{agreement_id}").text
    assert f'hx-get="/agreements/{agreement_id}" hx-target="#agreement"' in page
    swap = village.get(
        f"/agreements/{agreement_id}?confirm=decline", headers={"HX-Request": "true"}
    )
    assert swap.text.startswith('<div id="agreement"')
    assert 'id="confirm"' in swap.text and 'hx-post="/agreements/' in swap.text
    done = hx_post(
        village,
        f"/agreements/{agreement_id}/decline",
        {"version": "1", "confirmed": "1", "reason": "本村已有结对"},
    )
    assert done.status_code == 200
    assert '<span class="badge' in done.text and "已婉拒" in done.text
    assert 'id="confirm"' not in done.text
    assert _status(site, agreement_id) == A.declined


def test_a_confirmation_for_a_step_the_actor_may_not_take_is_not_offered(site):
    agreement_id = _propose(site)
    # The enterprise cannot sign; asking for the confirmation shows the page without it.
    html = site.client("qiye").get(f"/agreements/{agreement_id}?confirm=sign").text
    assert 'id="confirm"' not in html
    assert (
        'id="confirm"' not in site.client("nanpo").get(f"/agreements/{agreement_id}?confirm=x").text
    )


def test_the_village_signs_below_the_commitments(site):
    agreement_id = _propose(site)
    village = site.client("nanpo")
    for url in (f"/agreements/{agreement_id}", f"/agreements/{agreement_id}?confirm=sign"):
        html = village.get(url).text
        order = [
            html.index('id="agreement-steps"'),
            html.index('id="agreement-terms"'),
            html.index('id="agreement-commitments"'),
            html.index('value="sign"') if "?confirm" not in url else html.index('id="confirm"'),
            html.index('id="agreement-reports"'),
            html.index('id="agreement-log"'),
        ]
        assert order == sorted(order)


def test_the_change_log_says_what_changed(site):
    agreement_id = _propose(site)
    revised = {
        "version": "1",
        "help_kinds": ["sales", "industry", "employment"],
        "start_on": "2027-01-01",
        "end_on": "2029-12-31",
        "commit_purchase": "250000",
        "commit_jobs": "12",
    }
    response = post(site.client("qiye"), f"/agreements/{agreement_id}/edit", revised)
    assert response.status_code == 303, response.text
    post(
        site.client("nanpo"), f"/agreements/{agreement_id}/sign", {"version": "2", "confirmed": "1"}
    )
    html = site.client("nanpo").get(f"/agreements/{agreement_id}").text
    log = html[html.index('id="agreement-log"') :]
    items = [re.sub(r"<[^>]+>", "", i) for i in re.findall(r"<li>(.*?)</li>", log)]
    assert "承诺带动就业：10 人 → 12 人" in items
    assert "承诺采购帮销：¥200,000.00 → ¥250,000.00" in items
    assert "帮扶方式：劳务协作、结对帮销 → 产业合作、劳务协作、结对帮销" in items
    assert "状态：待签约 → 待备案" in items


def test_changes_skip_creations_and_bookkeeping():
    created = SimpleNamespace(
        object_type="PairingAgreement", before=None, after={"status": "proposed"}
    )
    assert changes(created) == ()
    edited = SimpleNamespace(
        object_type="OutcomeReport",
        before={"status": "submitted", "version": 1, "actual_jobs": 3, "end_on": "2027-01-01"},
        after={"status": "returned", "version": 2, "actual_jobs": 3, "end_on": "2027-03-31"},
    )
    assert [c.text for c in changes(edited)] == [
        "状态：待村确认 → 已退回",
        f"结束日期：2027年1月1日 → {date(2027, 3, 31).year}年3月31日",
    ]
