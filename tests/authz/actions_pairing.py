"""Matrix actions for pairing: village profiles and needs, the agreement lifecycle, outcome
reports and their evidence, recommendations, review queues and the coverage planner."""

from datetime import date

from app.models import Village, VillageNeed
from app.services import versioning, villages
from app.services.pairing import (
    accept_draft,
    accept_plan,
    check_may_submit,
    complete_agreement,
    confirm_report,
    correct_report,
    decline_agreement,
    file_agreement,
    get_agreement,
    get_report,
    list_agreements,
    list_reports,
    list_villages,
    open_evidence,
    plan_coverage,
    recommend_enterprises,
    recommend_villages,
    refuse_draft,
    remind_overdue,
    remind_reports,
    resubmit_agreement,
    resubmit_report,
    return_agreement,
    return_report,
    review_queues,
    sign_agreement,
    submit_report,
    terminate_agreement,
    verify_report,
    village_profile,
    waive_report,
    withdraw_agreement,
)
from tests.authz.pairing_world import UPLOAD_DIR
from tests.authz.world import ACTORS, COUNTY_BUREAUS, SIGNED_IN, Action
from tests.edit_paths import EditPath, need_form, need_row, profile_form, village_row

EVERYONE = frozenset(ACTORS)
BUREAUS = COUNTY_BUREAUS | {"bureau_other_county"}
# Who may open the active agreement between 乙 and the world's village, and its reports.
ACTIVE_READERS = frozenset({"enterprise_b", "village", "admin"}) | COUNTY_BUREAUS
LISTERS = SIGNED_IN - {"cooperative"}
VILLAGE = frozenset({"village"})
REPORT = {
    "narrative": "本季度采购苹果 2 万斤，带动 6 户脱贫户增收。",
    "actual_purchase": "80000",
}


def _transition(fn, agreement_field: str, **extra):
    return lambda s, w, a: fn(
        session=s,
        actor=a,
        agreement_id=getattr(w, agreement_field),
        expected_version=1,
        **extra,
    )


def _report_step(fn, report_field: str, **extra):
    return lambda s, w, a: fn(
        session=s, actor=a, report_id=getattr(w, report_field), expected_version=1, **extra
    )


ACTIONS = [
    # Village profile and needs ------------------------------------------------------------
    Action(
        "villages.update_village_profile",
        lambda s, w, a: villages.update_village_profile(
            session=s,
            actor=a,
            village_id=w.village_id,
            expected_version=s.get(Village, w.village_id).version,
            data={"households": "320", "main_industries": "苹果、花椒"},
        ),
        VILLAGE,
        covers=("village.update",),
    ),
    Action(
        "villages.add_need",
        lambda s, w, a: villages.add_need(
            session=s,
            actor=a,
            village_id=w.village_id,
            data={"kind": "sales", "description": "苹果滞销，需要帮销 5 万斤"},
        ),
        VILLAGE,
        covers=("need.add",),
    ),
    Action(
        "villages.update_need",
        lambda s, w, a: villages.update_need(
            session=s,
            actor=a,
            need_id=w.need_id,
            expected_version=s.get(VillageNeed, w.need_id).version,
            data={"kind": "employment", "description": "采摘季用工 20 人", "headcount": "20"},
        ),
        VILLAGE,
        covers=("need.update",),
    ),
    Action(
        "villages.set_need_status",
        lambda s, w, a: villages.set_need_status(
            session=s,
            actor=a,
            need_id=w.need_id,
            expected_version=s.get(VillageNeed, w.need_id).version,
            status="met",
        ),
        VILLAGE,
        covers=("need.status",),
    ),
    Action(
        "pairing.village_profile",
        lambda s, w, a: village_profile(session=s, actor=a, village_id=w.village_id),
        EVERYONE,
        writes=False,
    ),
    Action(
        "pairing.list_villages",
        lambda s, w, a: list_villages(session=s, actor=a),
        EVERYONE,
        writes=False,
    ),
    # Agreement lifecycle -------------------------------------------------------------------
    Action(
        "pairing.sign_agreement",
        _transition(sign_agreement, "proposal_id"),
        VILLAGE,
        covers=("agreement.sign",),
    ),
    Action(
        "pairing.decline_agreement",
        _transition(decline_agreement, "proposal_id", reason="本村已有结对"),
        VILLAGE,
        covers=("agreement.decline",),
    ),
    Action(
        "pairing.withdraw_agreement",
        _transition(withdraw_agreement, "proposal_id"),
        frozenset({"enterprise_a"}),
        covers=("agreement.withdraw",),
    ),
    Action(
        "pairing.file_agreement",
        _transition(file_agreement, "signed_id"),
        COUNTY_BUREAUS,
        covers=("agreement.file",),
    ),
    Action(
        "pairing.return_agreement",
        _transition(return_agreement, "signed_id", reason="缺少签字页"),
        COUNTY_BUREAUS,
        covers=("agreement.return",),
    ),
    Action(
        "pairing.resubmit_agreement",
        _transition(resubmit_agreement, "returned_id"),
        frozenset({"enterprise_b"}),
        covers=("agreement.resubmit",),
    ),
    Action(
        "pairing.accept_draft",
        _transition(accept_draft, "draft_id"),
        frozenset({"enterprise_b"}),
        covers=("agreement.accept",),
    ),
    Action(
        "pairing.refuse_draft",
        _transition(refuse_draft, "draft_id", reason="产能已满"),
        frozenset({"enterprise_b"}),
        covers=("agreement.refuse",),
    ),
    Action(
        "pairing.complete_agreement",
        _transition(complete_agreement, "ended_id", today=date(2026, 6, 1)),
        COUNTY_BUREAUS,
        covers=("agreement.complete",),
    ),
    Action(
        "pairing.terminate_agreement",
        _transition(terminate_agreement, "active_id", reason="企业搬迁"),
        COUNTY_BUREAUS | {"enterprise_b", "village"},
        covers=("agreement.terminate",),
    ),
    # Missing reports: reminders (催报) and waivers (免报) -----------------------------------------
    Action(
        "pairing.remind_reports",
        lambda s, w, a: remind_reports(
            session=s, actor=a, agreement_id=w.active_id, today=date(2027, 1, 20)
        ),
        COUNTY_BUREAUS,
        covers=("agreement.remind",),
    ),
    Action(
        "pairing.remind_overdue",
        lambda s, w, a: remind_overdue(
            session=s, actor=a, agreement_ids=[w.active_id], today=date(2027, 1, 20)
        ),
        COUNTY_BUREAUS,
    ),
    Action(
        "pairing.waive_report",
        lambda s, w, a: waive_report(
            session=s, actor=a, agreement_id=w.active_id, period="2026Q4", reason="企业停产整顿"
        ),
        COUNTY_BUREAUS,
        covers=("agreement.waive",),
    ),
    Action(
        "pairing.get_agreement",
        lambda s, w, a: get_agreement(session=s, actor=a, agreement_id=w.active_id),
        ACTIVE_READERS,
        writes=False,
    ),
    Action(
        "pairing.list_agreements",
        lambda s, w, a: list_agreements(session=s, actor=a),
        LISTERS,
        writes=False,
    ),
    # Outcome reports -----------------------------------------------------------------------
    Action(
        "pairing.submit_report",
        lambda s, w, a: submit_report(
            session=s,
            actor=a,
            agreement_id=w.active_id,
            data=REPORT | {"period": "2026Q4"},
            upload_dir=UPLOAD_DIR,
            today=date(2027, 1, 5),  # 2026Q4 has ended
        ),
        frozenset({"enterprise_b"}),
        covers=("report.submit",),
    ),
    Action(
        "pairing.check_may_submit",
        lambda s, w, a: check_may_submit(session=s, actor=a, agreement_id=w.active_id),
        frozenset({"enterprise_b"}),
        writes=False,
    ),
    Action(
        "pairing.resubmit_report",
        lambda s, w, a: resubmit_report(
            session=s,
            actor=a,
            report_id=w.returned_report_id,
            expected_version=1,
            data=REPORT,
            upload_dir=UPLOAD_DIR,
        ),
        frozenset({"enterprise_b"}),
        covers=("report.resubmit",),
    ),
    Action(
        "pairing.correct_report",
        lambda s, w, a: correct_report(
            session=s,
            actor=a,
            report_id=w.verified_report_id,
            expected_version=1,
            data=REPORT,
            reason="采购金额按发票更正",
            upload_dir=UPLOAD_DIR,
        ),
        frozenset({"enterprise_b"}),
        covers=("report.correct",),
    ),
    Action(
        "pairing.confirm_report",
        _report_step(confirm_report, "submitted_report_id"),
        VILLAGE,
        covers=("report.confirm",),
    ),
    Action(
        "pairing.return_report (village stage)",
        _report_step(return_report, "submitted_report_id", comment="金额与发票不符"),
        VILLAGE,
        covers=("report.return",),
    ),
    Action(
        "pairing.return_report (bureau stage)",
        _report_step(return_report, "confirmed_report_id", comment="缺少采购凭证"),
        COUNTY_BUREAUS,
        covers=("report.return",),
    ),
    Action(
        "pairing.verify_report",
        _report_step(verify_report, "confirmed_report_id"),
        COUNTY_BUREAUS,
        covers=("report.verify",),
    ),
    Action(
        "pairing.get_report",
        lambda s, w, a: get_report(session=s, actor=a, report_id=w.submitted_report_id),
        ACTIVE_READERS,
        writes=False,
    ),
    Action(
        "pairing.list_reports",
        lambda s, w, a: list_reports(session=s, actor=a),
        LISTERS,
        writes=False,
    ),
    Action(
        "pairing.open_evidence",
        lambda s, w, a: open_evidence(
            session=s, actor=a, evidence_id=w.evidence_id, upload_dir=UPLOAD_DIR
        ),
        ACTIVE_READERS,
        writes=False,
    ),
    # Recommendations, queues and the planner ----------------------------------------------
    Action(
        "pairing.recommend_villages",
        lambda s, w, a: recommend_villages(session=s, actor=a, enterprise_id=w.enterprise_a),
        BUREAUS | {"enterprise_a", "admin"},
        writes=False,
    ),
    Action(
        "pairing.recommend_enterprises",
        lambda s, w, a: recommend_enterprises(session=s, actor=a, village_id=w.village_id),
        COUNTY_BUREAUS | {"village", "admin"},
        writes=False,
    ),
    Action(
        "pairing.review_queues",
        lambda s, w, a: review_queues(session=s, actor=a),
        BUREAUS,
        writes=False,
    ),
    Action(
        "pairing.plan_coverage",
        lambda s, w, a: plan_coverage(session=s, actor=a),
        BUREAUS,
        writes=False,
    ),
    Action(
        "pairing.accept_plan",
        lambda s, w, a: accept_plan(
            session=s,
            actor=a,
            lines=[(w.spare_village_id, w.enterprise_a)],
            data={"start_on": "2027-01-01", "years": "3"},
        ),
        COUNTY_BUREAUS,
        covers=("agreement.plan",),
    ),
]

# Edits at a version (tests/edit_paths.py); the lifecycle's named steps pass the version on to
# transition_agreement.
EDITS = (
    EditPath(
        "villages.update_village_profile",
        Village,
        versioning.VILLAGE_STALE,
        village_row,
        lambda s, g, v, n: villages.update_village_profile(
            session=s, actor=g.actor, village_id=g.row_id, expected_version=v, data=profile_form(n)
        ),
    ),
    EditPath(
        "villages.update_need",
        VillageNeed,
        versioning.NEED_STALE,
        need_row,
        lambda s, g, v, n: villages.update_need(
            session=s, actor=g.actor, need_id=g.row_id, expected_version=v, data=need_form(n)
        ),
    ),
    EditPath(
        "villages.set_need_status",
        VillageNeed,
        versioning.NEED_STALE,
        need_row,
        lambda s, g, v, n: villages.set_need_status(
            session=s,
            actor=g.actor,
            need_id=g.row_id,
            expected_version=v,
            status=("met", "withdrawn")[n],
        ),
    ),
)
UNVERSIONED = ()
LIFECYCLE_STEPS = (
    "pairing.lifecycle.transition_agreement",
    "pairing.proposals.revise_proposal",
    "pairing.reports.resubmit_report",
    "pairing.corrections.correct_report",
    "pairing.reports.confirm_report",
    "pairing.reports.verify_report",
    "pairing.reports.return_report",
)
