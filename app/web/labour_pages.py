"""劳务协作 pages: job postings (public list, the employer's form, a posting with its matched
groups and the village's 报名) and supply groups (the village's list and form, a group with its
matched postings)."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.http import current_actor
from app.labels import label
from app.models.labour import PostingKind, PostingStatus, SupplyStatus
from app.permissions.labour import can_manage_posting, can_match_posting, can_publish_supply
from app.services.labour import hiring, matching, postings, supply
from app.services.paging import page_number
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only
from app.web.pages import form_version, gate, load, page_url, unless_fixable
from app.web.templating import render
from app.web.trade_common import finish, flash_back

POSTING_FIELDS = (
    "title",
    "positions",
    "township_code",
    "wage_min_fen",
    "wage_max_fen",
    "start_month",
    "term_months",
    "housing",
    "meals",
    "skills",
    "head_count",
    "kind",
)
SUPPLY_FIELDS = ("title", "head_count", "skills", "can_travel", "note")
MONTHS = [(str(m), f"{m}月") for m in range(1, 13)]
KINDS = [(k.value, label(k)) for k in PostingKind]


async def posting_list(request: Request) -> Response:
    """GET: the open postings (everyone) and, for an employer, the form. POST: publish."""
    actor = current_actor(request)
    if request.method == "POST":
        gated = gate(request, Role.enterprise, Role.cooperative)
        if isinstance(gated, Response):
            return gated
        data = await read_form(request)
        form = {k: data.get(k, "") for k in POSTING_FIELDS}
        try:
            posting_id = await in_unit_of_work(
                request, lambda s: postings.publish_posting(session=s, actor=gated, data=form).id
            )
        except DomainError as exc:
            unless_fixable(exc)
            return await _postings(request, gated, form, field_errors(exc), 422)
        return finish(request, f"/labour/postings/{posting_id}", "招工岗位已发布")
    return await _postings(request, actor, {"kind": "nearby", "term_months": "3"}, {}, 200)


async def _postings(request, actor, values, errors, status) -> Response:
    number = page_number(request.query_params.get("page"))
    page = await read_only(
        request,
        lambda s: postings.visible_postings(
            session=s, actor=actor, status=PostingStatus.open, page=number
        ),
    )
    context = {
        "page": page,
        "page_url": lambda n: page_url(request, n),
        "can_post": actor.role in (Role.enterprise, Role.cooperative),
        "values": values,
        "errors": errors,
        "months": MONTHS,
        "kinds": KINDS,
    }
    partial = "labour/_posting_form.html" if request.method == "POST" else None
    return render(request, "labour/postings.html", context, partial=partial, status_code=status)


async def posting_detail(request: Request) -> Response:
    actor = current_actor(request)
    posting_id = request.path_params["posting_id"]

    def work(session):
        posting = postings.get_posting(session=session, actor=actor, posting_id=posting_id)
        employer = postings.employer_name(session, posting)
        matches = (
            matching.supplies_for_posting(session=session, actor=actor, posting_id=posting_id)
            if can_match_posting(actor, posting)
            else []
        )
        groups = (
            supply.open_supplies(session=session, actor=actor) if actor.role == Role.village else []
        )
        return posting, employer, matches, groups

    posting, employer, matches, groups = await load(request, work)
    context = {
        "posting": posting,
        "employer": employer,
        "matches": matches,
        "groups": groups,
        "is_employer": can_manage_posting(actor, posting.enterprise_id, posting.cooperative_id),
    }
    return render(request, "labour/posting.html", context)


async def close_posting(request: Request) -> Response:
    actor = gate(request, Role.enterprise, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    posting_id = request.path_params["posting_id"]
    version = form_version(await read_form(request))
    url = f"/labour/postings/{posting_id}"
    try:
        await in_unit_of_work(
            request,
            lambda s: postings.close_posting(
                session=s, actor=actor, posting_id=posting_id, expected_version=version
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        return flash_back(request, url, exc.message)
    return finish(request, url, "招工岗位已关闭")


async def apply(request: Request) -> Response:
    """The village applies to a posting for one of its groups."""
    actor = gate(request, Role.village)
    if isinstance(actor, Response):
        return actor
    posting_id = request.path_params["posting_id"]
    data = await read_form(request)
    url = f"/labour/postings/{posting_id}"
    try:
        supply_id = int(data.get("supply_id") or 0)
        application_id = await in_unit_of_work(
            request,
            lambda s: (
                hiring.apply(
                    session=s,
                    actor=actor,
                    posting_id=posting_id,
                    supply_id=supply_id,
                    data={"head_count": data.get("head_count", ""), "note": data.get("note", "")},
                ).id
            ),
        )
    except ValueError:
        return flash_back(request, url, "请选择劳务组")
    except DomainError as exc:
        unless_fixable(exc)
        return flash_back(request, url, exc.message)
    return finish(request, f"/labour/applications/{application_id}", "已报名，等待企业处理")


async def supply_list(request: Request) -> Response:
    """GET: the village's groups and form, or the open groups for an employer. POST: publish."""
    actor = gate(request, Role.village, Role.enterprise, Role.cooperative, Role.bureau, Role.admin)
    if isinstance(actor, Response):
        return actor
    if request.method == "POST":
        if actor.role != Role.village:
            raise HTTPException(405)
        data = await read_form(request, lists=("available_months",))
        form = {k: data.get(k, "") for k in SUPPLY_FIELDS}
        form["available_months"] = data.get("available_months") or []
        try:
            supply_id = await in_unit_of_work(
                request, lambda s: supply.publish_supply(session=s, actor=actor, data=form).id
            )
        except DomainError as exc:
            unless_fixable(exc)
            return await _supplies(request, actor, form, field_errors(exc), 422)
        return finish(request, f"/labour/supplies/{supply_id}", "劳务供给已发布")
    return await _supplies(request, actor, {"available_months": []}, {}, 200)


async def _supplies(request, actor, values, errors, status) -> Response:
    number = page_number(request.query_params.get("page"))
    only_open = None if actor.role == Role.village else SupplyStatus.open
    page = await read_only(
        request,
        lambda s: supply.visible_supplies(session=s, actor=actor, status=only_open, page=number),
    )
    context = {
        "page": page,
        "page_url": lambda n: page_url(request, n),
        "is_village": actor.role == Role.village,
        "values": values,
        "errors": errors,
        "months": MONTHS,
    }
    partial = "labour/_supply_form.html" if request.method == "POST" else None
    return render(request, "labour/supplies.html", context, partial=partial, status_code=status)


async def supply_detail(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    supply_id = request.path_params["supply_id"]

    def work(session):
        group = supply.get_supply(session=session, actor=actor, supply_id=supply_id)
        matches = matching.postings_for_supply(session=session, actor=actor, supply_id=supply_id)
        return group, matches

    group, matches = await load(request, work)
    context = {
        "group": group,
        "matches": matches,
        "is_village": can_publish_supply(actor, group.village_id),
    }
    return render(request, "labour/supply.html", context)


async def withdraw_supply(request: Request) -> Response:
    actor = gate(request, Role.village)
    if isinstance(actor, Response):
        return actor
    supply_id = request.path_params["supply_id"]
    version = form_version(await read_form(request))
    url = f"/labour/supplies/{supply_id}"
    try:
        await in_unit_of_work(
            request,
            lambda s: supply.withdraw_supply(
                session=s, actor=actor, supply_id=supply_id, expected_version=version
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        return flash_back(request, url, exc.message)
    return finish(request, url, "劳务供给已撤回")
