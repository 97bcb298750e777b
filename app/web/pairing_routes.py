"""Routes of the 千企帮千村 pages: villages, recommendations, agreements, reports, review queues."""

from starlette.routing import BaseRoute, Route

from app.actors import Role
from app.web import (
    pairing_agreements,
    pairing_enterprises,
    pairing_followup,
    pairing_recommendations,
    pairing_reports,
    pairing_review,
    pairing_villages,
)
from app.web.navigation import VILLAGES, menu

GET_POST = ["GET", "POST"]
POST = ["POST"]

ROUTES: list[BaseRoute] = [
    # Villages: the public list and profiles; the village's own profile and needs list.
    Route("/villages", pairing_villages.village_list, name="villages"),
    Route("/villages/{village_id:id}", pairing_villages.village_detail, name="village"),
    Route("/village", pairing_villages.my_village, methods=GET_POST, name="my_village"),
    Route("/needs", pairing_villages.needs, methods=GET_POST, name="needs"),
    Route("/needs/{need_id:id}", pairing_villages.edit_need, methods=GET_POST),
    Route("/needs/{need_id:id}/status", pairing_villages.need_status, methods=POST),
    # Enterprises and recommendations.
    Route("/enterprises", pairing_enterprises.enterprise_list, name="enterprises"),
    Route("/enterprises/{enterprise_id:id}", pairing_enterprises.enterprise_detail),
    Route("/recommendations", pairing_recommendations.recommendations, name="recommendations"),
    # Agreements: list, proposal form (with inline validation), detail, lifecycle steps.
    Route("/agreements", pairing_agreements.agreements, methods=GET_POST, name="agreements"),
    Route("/agreements/new", pairing_agreements.new_proposal),
    Route("/agreements/validate", pairing_agreements.validate_proposal, methods=POST),
    Route("/agreements/{agreement_id:id}", pairing_agreements.agreement_detail),
    Route("/agreements/{agreement_id:id}/edit", pairing_agreements.revise, methods=GET_POST),
    Route("/agreements/{agreement_id:id}/reports/new", pairing_reports.new_report),
    Route("/agreements/{agreement_id:id}/reports", pairing_reports.submit, methods=POST),
    Route("/agreements/{agreement_id:id}/remind", pairing_followup.remind, methods=POST),
    Route("/agreements/{agreement_id:id}/waive", pairing_followup.waive, methods=POST),
    Route(
        "/agreements/{agreement_id:id}/{action:str}",
        pairing_agreements.transition,
        methods=POST,
    ),
    # Outcome reports and their evidence.
    Route("/reports", pairing_reports.report_list, name="reports"),
    Route("/reports/{report_id:id}", pairing_reports.report_detail),
    Route("/reports/{report_id:id}/edit", pairing_reports.resubmit, methods=GET_POST),
    Route("/reports/{report_id:id}/correct", pairing_reports.correct, methods=GET_POST),
    Route("/reports/{report_id:id}/{action:str}", pairing_reports.step, methods=POST),
    Route("/evidence/{evidence_id:id}", pairing_reports.evidence_file),
    Route("/evidence/{evidence_id:id}/thumbnail", pairing_reports.evidence_thumbnail),
    # The bureau.
    Route("/review", pairing_review.review, name="review"),
    Route("/review/remind", pairing_followup.remind_selected, methods=POST),
    Route("/coverage", pairing_review.coverage, methods=GET_POST, name="coverage"),
]

MENU = (
    menu(Role.anonymous, 30, VILLAGES),
    menu(Role.enterprise, 20, "推荐帮扶村", "/recommendations"),
    menu(Role.enterprise, 30, VILLAGES),
    menu(Role.enterprise, 40, "我的结对", "/agreements"),
    menu(Role.enterprise, 50, "成效报告", "/reports"),
    menu(Role.village, 20, "本村概况", "/village"),
    menu(Role.village, 30, "需求清单", "/needs"),
    menu(Role.village, 40, "结对协议", "/agreements"),
    menu(Role.village, 50, "成效确认", "/reports"),
    menu(Role.bureau, 20, "结对管理", "/agreements"),
    menu(Role.bureau, 30, "成效审核", "/reports"),
    menu(Role.bureau, 60, "覆盖规划", "/coverage"),
)
