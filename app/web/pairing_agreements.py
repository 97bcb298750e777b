"""Agreement pages: the list, the proposal form with inline validation, the detail page with its
lifecycle actions, reports and timeline."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.actors import Role
from app.labels import AGREEMENT_STATUS, HELP_KIND
from app.models.enums import AgreementStatus, HelpKind
from app.models.flags import from_mask
from app.money import fen_to_yuan
from app.services.labour import hiring
from app.services.pairing import details, directory, lifecycle, profiles, proposals, queries
from app.services.pairing.listing import page_number
from app.services.pairing.periods import local_today
from app.services.pairing.states import AGREEMENT
from app.web.agreement_page import CONFIRMATIONS, REASONS, confirmation, steps
from app.web.forms import read_form
from app.web.pages import gate, int_or_none, load, page_url, take_step
from app.web.pairing_common import done, page, save
from app.web.requests import wants_partial

LIST_ROLES = (Role.enterprise, Role.village, Role.bureau, Role.admin)
# The fields of the proposal form, in the order their errors are reported.
PROPOSAL_FIELDS = (
    "help_kinds",
    "start_on",
    "end_on",
    "commit_funding_business",
    "commit_funding_welfare",
    "commit_jobs",
    "commit_trainees",
    "commit_purchase",
    "commit_beneficiaries",
    "note",
)


async def agreements(request: Request) -> Response:
    """GET: the list; POST: a new proposal (the collection's create)."""
    if request.method == "POST":
        return await create_proposal(request)
    return await agreement_list(request)


async def agreement_list(request: Request) -> Response:
    actor = gate(request, *LIST_ROLES)
    if isinstance(actor, Response):
        return actor
    query = request.query_params
    try:
        status = AgreementStatus(query.get("status", "")) if query.get("status") else None
    except ValueError:
        status = None
    overdue = query.get("overdue") == "1"
    review = query.get("review") == "1"
    q = (query.get("q") or "").strip()[:40]
    county = (query.get("county") or "").strip()[:6] or None
    number = page_number(query.get("page"))

    def work(session):
        results = queries.list_agreements(
            session=session,
            actor=actor,
            status=status,
            overdue=overdue,
            needs_review=review,
            county_code=county,
            q=q,
            page=number,
        )
        counties = directory.counties(session=session) if actor.role == Role.bureau else []
        return results, counties

    results, counties = await load(request, work)
    context = {
        "page": results,
        "status": status.value if status else "",
        "overdue": overdue,
        "review": review,
        "q": q,
        "county": county or "",
        "counties": [(c.code, c.name) for c in counties],
        "statuses": list(AGREEMENT_STATUS.items()),
        "page_url": lambda n: page_url(request, n),
        "is_enterprise": actor.role == Role.enterprise,
        "is_bureau": actor.role == Role.bureau,
    }
    return page(
        request, "pairing/agreements.html", context, partial="pairing/_agreement_results.html"
    )


# Proposing -------------------------------------------------------------------------------------


def _proposal_data(actor, data: dict) -> dict:
    values = {name: data.get(name, "") for name in PROPOSAL_FIELDS}
    values["help_kinds"] = data.get("help_kinds", [])
    return values


async def new_proposal(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    village_id = int_or_none(request.query_params.get("village_id"))
    if village_id is None:
        return done(request, "/recommendations", "请先选择要结对的村", level="error")
    return await _proposal_form(request, actor, village_id, None, {})


async def _proposal_form(request, actor, village_id, values, errors, status_code=200):
    if actor.enterprise_id is None:
        return page(request, "pairing/not_approved.html", {})

    def work(session):
        village = profiles.village_profile(session=session, actor=actor, village_id=village_id)
        enterprise = profiles.enterprise_profile(
            session=session, actor=actor, enterprise_id=actor.enterprise_id
        )
        return village, enterprise

    village, enterprise = await load(request, work)
    if values is None:
        start, end = proposals.default_term(local_today())
        needed = {n.kind for n in village.needs if n.status == "open"}
        values = {
            "help_kinds": [k.value for k in enterprise.offers if k in needed]
            or [k.value for k in enterprise.offers],
            "start_on": start.isoformat(),
            "end_on": end.isoformat(),
        }
    context = {
        "village": village,
        "values": values,
        "errors": errors,
        "help_kinds": list(HELP_KIND.items()),
        "action": "/agreements",
        "agreement": None,
    }
    return page(
        request,
        "pairing/proposal.html",
        context,
        partial="pairing/_proposal_form.html",
        status_code=status_code,
    )


async def create_proposal(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    data = await read_form(request, lists=("help_kinds",))
    village_id = int_or_none(data.get("village_id")) or 0
    values = _proposal_data(actor, data)

    def propose(session):
        agreement = proposals.propose_agreement(
            session=session,
            actor=actor,
            data=values | {"enterprise_id": actor.enterprise_id, "village_id": village_id},
        )
        return agreement.id, agreement.number

    saved = await save(
        request,
        propose,
        lambda errors, status: _proposal_form(request, actor, village_id, values, errors, status),
    )
    if isinstance(saved, Response):
        return saved
    agreement_id, number = saved
    return done(request, f"/agreements/{agreement_id}", f"结对提议 {number} 已提交，等待村签约")


async def validate_proposal(request: Request) -> Response:
    """Inline validation as the user types: the error of every field, swapped out of band.

    Fields still empty are not blamed yet (“请填写…” waits for the real submission).
    """
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    data = await read_form(request, lists=("help_kinds",))
    values = _proposal_data(actor, data)
    errors = {}
    for error in proposals.check_commitments(data=values):
        blank = values.get(error.field) in ("", [], None)
        if error.field and not blank and error.field not in errors:
            errors[error.field] = error.message
    context = {"fields": PROPOSAL_FIELDS, "errors": errors}
    return page(request, "pairing/_proposal_errors.html", context)


async def revise(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    agreement_id = request.path_params["agreement_id"]
    if request.method == "GET":
        return await _revision_form(request, actor, agreement_id, None, {})
    data = await read_form(request, lists=("help_kinds",))
    values = _proposal_data(actor, data)
    version = int_or_none(data.get("version")) or 0
    saved = await save(
        request,
        lambda s: proposals.revise_proposal(
            session=s,
            actor=actor,
            agreement_id=agreement_id,
            expected_version=version,
            data=values,
        ),
        lambda errors, status: _revision_form(
            request, actor, agreement_id, values, errors, status, version
        ),
    )
    if isinstance(saved, Response):
        return saved
    return done(request, f"/agreements/{agreement_id}", "承诺内容已修改")


async def _revision_form(
    request, actor, agreement_id, values, errors, status_code=200, version=None
):
    detail = await load(
        request,
        lambda s: details.get_agreement(session=s, actor=actor, agreement_id=agreement_id),
    )
    if "revise" not in detail.actions:
        raise HTTPException(404)
    agreement = detail.agreement
    if values is None:
        values = {
            "help_kinds": [k.value for k in from_mask(agreement.help_kinds, HelpKind)],
            "start_on": agreement.start_on.isoformat(),
            "end_on": agreement.end_on.isoformat(),
            "commit_funding_business": _yuan(agreement.commit_funding_business_fen),
            "commit_funding_welfare": _yuan(agreement.commit_funding_welfare_fen),
            "commit_jobs": agreement.commit_jobs,
            "commit_trainees": agreement.commit_trainees,
            "commit_purchase": _yuan(agreement.commit_purchase_fen),
            "commit_beneficiaries": agreement.commit_beneficiaries,
            "note": agreement.note,
        }
    context = {
        "village": None,
        "detail": detail,
        "values": values,
        "errors": errors,
        "help_kinds": list(HELP_KIND.items()),
        "action": f"/agreements/{agreement_id}/edit",
        "agreement": agreement,
        # A stale form keeps the version it was opened with, so saving it again stays a conflict.
        "version": version if version is not None else agreement.version,
    }
    return page(
        request,
        "pairing/proposal.html",
        context,
        partial="pairing/_proposal_form.html",
        status_code=status_code,
    )


def _yuan(fen: int) -> str:
    return fen_to_yuan(fen) if fen else ""


# The detail page and its actions ---------------------------------------------------------------


async def agreement_detail(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    return await show_detail(request, actor, request.path_params["agreement_id"])


async def show_detail(
    request, actor, agreement_id, *, errors=None, toast=None, status_code=200, confirm=None
):
    detail, recorded_jobs = await load(
        request,
        lambda s: (
            details.get_agreement(session=s, actor=actor, agreement_id=agreement_id),
            hiring.hires_for_agreement(s, agreement_id),
        ),
    )
    if confirm is None and not toast:
        confirm = request.query_params.get("confirm")
    context = {
        "detail": detail,
        # The workers its enterprise hired from its village through 劳务协作 (decision 0038).
        "recorded_jobs": recorded_jobs,
        "errors": errors or {},
        "toast": toast,
        "steps": steps(detail.agreement),
        "confirming": confirmation(confirm, detail.actions),
        "confirmations": CONFIRMATIONS,
        "reasons": REASONS,
    }
    return page(
        request,
        "pairing/agreement.html",
        context,
        partial="pairing/_agreement.html",
        status_code=status_code,
    )


async def transition(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    agreement_id = request.path_params["agreement_id"]
    action = request.path_params["action"]
    if action not in lifecycle.TRANSITIONS:
        raise HTTPException(404)
    data = await read_form(request)
    version = int_or_none(data.get("version")) or 0
    if action in CONFIRMATIONS and data.get("confirmed") != "1":
        # Not confirmed (an old page, a stray post): nothing is written; the confirmation opens.
        if wants_partial(request):
            return await show_detail(request, actor, agreement_id, confirm=action)
        return RedirectResponse(f"/agreements/{agreement_id}?confirm={action}#confirm", 303)
    return await take_step(
        request,
        lambda s: lifecycle.transition_agreement(
            session=s,
            actor=actor,
            agreement_id=agreement_id,
            expected_version=version,
            action=action,
            reason=data.get("reason", ""),
        ),
        url=f"/agreements/{agreement_id}",
        message=AGREEMENT.transition(action).done,
        leave=done,
        show=lambda **shown: show_detail(
            request, actor, agreement_id, confirm=action if shown.get("errors") else None, **shown
        ),
        # Each action's reason box has its own error slot.
        slots={"reason": f"{action}_reason"},
    )
