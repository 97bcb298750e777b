"""千企帮千村: pairing agreements, outcome reports, recommendations and the coverage planner.

Services take keyword-only ``session`` and ``actor``, check permissions with app.permissions, write
an event for every change and never commit. GraphQL resolvers and page handlers call them alike.
"""

from app.services.pairing.corrections import correct_report
from app.services.pairing.details import get_agreement, get_report
from app.services.pairing.directory import (
    EnterpriseFilters,
    VillageFilters,
    county_overview,
    list_enterprises,
    list_villages,
)
from app.services.pairing.evidence import Upload, open_evidence
from app.services.pairing.followup import remind_overdue, remind_reports, waive_report
from app.services.pairing.lifecycle import (
    accept_draft,
    complete_agreement,
    decline_agreement,
    file_agreement,
    refuse_draft,
    resubmit_agreement,
    return_agreement,
    sign_agreement,
    terminate_agreement,
    transition_agreement,
    withdraw_agreement,
)
from app.services.pairing.planner import accept_plan, plan_assignment, plan_coverage
from app.services.pairing.profiles import enterprise_profile, village_profile
from app.services.pairing.proposals import check_commitments, propose_agreement, revise_proposal
from app.services.pairing.queries import (
    list_agreements,
    list_reports,
    review_queues,
)
from app.services.pairing.recommendations import recommend_enterprises, recommend_villages
from app.services.pairing.reports import (
    check_may_submit,
    confirm_report,
    resubmit_report,
    return_report,
    submit_report,
    verify_report,
)

__all__ = [
    "EnterpriseFilters",
    "Upload",
    "VillageFilters",
    "accept_draft",
    "accept_plan",
    "check_commitments",
    "check_may_submit",
    "complete_agreement",
    "confirm_report",
    "correct_report",
    "county_overview",
    "decline_agreement",
    "enterprise_profile",
    "file_agreement",
    "get_agreement",
    "get_report",
    "list_agreements",
    "list_enterprises",
    "list_reports",
    "list_villages",
    "open_evidence",
    "plan_assignment",
    "plan_coverage",
    "propose_agreement",
    "recommend_enterprises",
    "recommend_villages",
    "refuse_draft",
    "remind_overdue",
    "remind_reports",
    "resubmit_agreement",
    "resubmit_report",
    "return_agreement",
    "return_report",
    "review_queues",
    "revise_proposal",
    "sign_agreement",
    "submit_report",
    "terminate_agreement",
    "transition_agreement",
    "verify_report",
    "village_profile",
    "waive_report",
    "withdraw_agreement",
]
