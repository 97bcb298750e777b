"""Agreement and report lists scoped to the actor, the agreement detail, and the review queues."""

from datetime import date

import pytest

from app.actors import ANONYMOUS, Actor, Role
from app.errors import PermissionDeniedError
from app.models.enums import AgreementStatus, ReportStatus
from app.services.pairing.details import get_agreement, get_report
from app.services.pairing.lifecycle import transition_agreement
from app.services.pairing.periods import Quarter
from app.services.pairing.proposals import propose_agreement
from app.services.pairing.queries import (
    list_agreements,
    list_reports,
    review_queues,
)
from tests.factories import make_county, make_enterprise, make_township
from tests.pairing_factories import (
    ADMIN,
    bureau_actor,
    enterprise_actor,
    make_active,
    make_report,
    village_actor,
)
from tests.web.web_factories import village_in

TODAY = date(2026, 8, 10)  # 2026Q2 is the last closed quarter


@pytest.fixture
def book(session):
    make_county(session)
    make_county(session, code="140830", name="芮城县", category="overall")
    pinglu = make_township(session)
    ruicheng = make_township(session, code="140830100", name="古魏镇", county_code="140830")
    south = village_in(session, pinglu, 201, name="南坡村")
    north = village_in(session, pinglu, 202, name="北坡村")
    far = village_in(session, ruicheng, 201)
    apple, lily = (
        make_enterprise(session, name="苹果公司"),
        make_enterprise(session, name="百合公司"),
    )
    agreements = {
        "late": make_active(session, enterprise=apple, village=south),
        "on_time": make_active(session, enterprise=apple, village=north),
        "signed": make_active(
            session, enterprise=lily, village=south, status=AgreementStatus.signed
        ),
        "far": make_active(session, enterprise=lily, village=far),
    }
    make_report(session, agreements["late"], 2026, 1, status=ReportStatus.verified)
    make_report(session, agreements["on_time"], 2026, 2, status=ReportStatus.confirmed)
    make_report(session, agreements["far"], 2026, 2, status=ReportStatus.confirmed)
    # Every quarter counts: the punctual ones reported 2026Q1 too.
    for name in ("on_time", "far"):
        make_report(session, agreements[name], 2026, 1, status=ReportStatus.verified)
    return agreements, (south, north, far), (apple, lily)


def _ids(page) -> set[int]:
    return {row.id for row in page.items}


def test_each_actor_lists_only_the_agreements_it_may_see(session, book):
    agreements, (south, _north, _far), (apple, _lily) = book
    by = {
        "apple": enterprise_actor(apple),
        "south": village_actor(south),
        "pinglu": bureau_actor("140829"),
        "city": bureau_actor("140800"),
        "admin": ADMIN,
    }
    expected = {
        "apple": {"late", "on_time"},
        "south": {"late", "signed"},
        "pinglu": {"late", "on_time", "signed"},
        "city": set(agreements),
        "admin": set(agreements),
    }
    for name, actor in by.items():
        page = list_agreements(session=session, actor=actor, today=TODAY)
        assert _ids(page) == {agreements[k].id for k in expected[name]}, name


@pytest.mark.parametrize(
    "actor",
    [ANONYMOUS, Actor(role=Role.cooperative, cooperative_id=1), Actor(role=Role.enterprise)],
)
def test_those_without_agreements_cannot_list_them(session, book, actor):
    with pytest.raises(PermissionDeniedError):
        list_agreements(session=session, actor=actor)


def test_agreements_are_filtered_by_status_overdue_and_text(session, book):
    agreements, _villages, _enterprises = book
    city = bureau_actor("140800")
    signed = list_agreements(session=session, actor=city, status=AgreementStatus.signed)
    assert _ids(signed) == {agreements["signed"].id}
    late = list_agreements(session=session, actor=city, overdue=True, today=TODAY)
    assert _ids(late) == {agreements["late"].id}
    assert [row.overdue for row in late.items] == [True]
    named = list_agreements(session=session, actor=city, q="苹果")
    assert _ids(named) == {agreements["late"].id, agreements["on_time"].id}
    county = list_agreements(session=session, actor=city, county_code="140830")
    assert _ids(county) == {agreements["far"].id}


def test_reports_are_listed_in_scope(session, book):
    _agreements, (south, _north, _far), _enterprises = book
    pinglu = list_reports(
        session=session, actor=bureau_actor("140829"), status=ReportStatus.confirmed
    )
    assert [(r.village_name, r.period) for r in pinglu.items] == [("北坡村", "2026Q2")]
    assert list_reports(session=session, actor=village_actor(south)).total == 1


def test_the_detail_shows_actions_reports_totals_and_timeline(session, book):
    agreements, _villages, (apple, _lily) = book
    agreement = agreements["late"]
    detail = get_agreement(
        session=session, actor=enterprise_actor(apple), agreement_id=agreement.id, today=TODAY
    )
    assert detail.actions == ["terminate"]
    assert detail.overdue and detail.last_closed == Quarter(2026, 2)
    # Only ended quarters are reportable: 2026Q3 is still running on TODAY.
    assert detail.reportable == [Quarter(2026, 2)]
    jobs = next(t for t in detail.totals if t.name == "jobs")
    assert (jobs.label, jobs.committed, jobs.verified, jobs.reported) == ("带动就业", 0, 5, 5)
    assert detail.completion_blocked == "协议期限至 2027年12月31日，期满后可办结"
    assert [s.report.period for s in detail.reports] == ["2026Q1"]


def test_the_timeline_holds_the_agreement_s_and_its_reports_events(session):
    make_county(session)
    village = village_in(session, make_township(session), 201)
    enterprise = make_enterprise(session)
    proposal = propose_agreement(
        session=session,
        actor=enterprise_actor(enterprise),
        data={
            "enterprise_id": enterprise.id,
            "village_id": village.id,
            "help_kinds": ["sales"],
            "start_on": "2026-01-01",
            "end_on": "2027-12-31",
            "commit_purchase": "100,000",
        },
        today=date(2026, 1, 10),
    )
    transition_agreement(
        session=session,
        actor=village_actor(village),
        agreement_id=proposal.id,
        expected_version=1,
        action="sign",
    )
    detail = get_agreement(
        session=session, actor=village_actor(village), agreement_id=proposal.id, today=TODAY
    )
    assert [e.action for e in detail.events] == ["agreement.propose", "agreement.sign"]
    assert detail.actions == ["terminate"]


def test_outsiders_cannot_open_an_agreement_or_its_reports(session, book):
    agreements, _villages, _enterprises = book
    agreement = agreements["on_time"]
    for actor in (
        ANONYMOUS,
        bureau_actor("140830"),
        enterprise_actor(agreements["far"].enterprise_id),
    ):
        with pytest.raises(PermissionDeniedError):
            get_agreement(session=session, actor=actor, agreement_id=agreement.id)
    report_id = (
        get_agreement(session=session, actor=ADMIN, agreement_id=agreement.id, today=TODAY)
        .reports[-1]  # 2026Q2, confirmed
        .report.id
    )
    with pytest.raises(PermissionDeniedError):
        get_report(session=session, actor=ANONYMOUS, report_id=report_id)
    detail = get_report(session=session, actor=bureau_actor("140829"), report_id=report_id)
    assert detail.actions == ["verify", "return"]


def test_the_bureau_queues(session, book):
    agreements, _villages, _enterprises = book
    queues = review_queues(session=session, actor=bureau_actor("140829"), today=TODAY)
    assert _ids(queues.pending_filings) == {agreements["signed"].id}
    assert [r.agreement_id for r in queues.reports_to_verify.items] == [agreements["on_time"].id]
    assert _ids(queues.overdue) == {agreements["late"].id}
    with pytest.raises(PermissionDeniedError):
        review_queues(session=session, actor=ADMIN)
