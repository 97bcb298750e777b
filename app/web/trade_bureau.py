"""The bureau's 消费帮扶 pages: the certification queue, objections to certifications on
notice, price flags and consumption figures."""

from collections import Counter
from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.services import certification, clock, consumption, objections, product_images
from app.services.paging import page_number
from app.services.pricing import MIN_COMPARABLES, price_checks, price_flags
from app.web.forms import field_errors, in_unit_of_work, read_form
from app.web.inbox import INBOX_CHANGED
from app.web.pages import gate, int_or_none, load, unless_fixable
from app.web.requests import wants_partial
from app.web.templating import render
from app.web.trade_common import finish

BUREAU = (Role.bureau, Role.admin)


async def _queue(request: Request, actor) -> tuple[list, dict]:
    """The waiting applications and, per product, what its review card shows besides: the
    price check and the photos (one query each)."""

    def work(session):
        queue = certification.certification_queue(session=session, actor=actor)
        ids = [a.product_id for a in queue]
        checks = price_checks(session, ids)
        images = product_images.images_of(session, ids)
        return queue, {i: {"check": checks.get(i), "images": images.get(i, [])} for i in ids}

    return await load(request, work)


async def certification_queue(request: Request) -> Response:
    actor = gate(request, *BUREAU)
    if isinstance(actor, Response):
        return actor
    queue, reviews = await _queue(request, actor)
    context = {
        "queue": queue,
        "reviews": reviews,
        "default_expiry": (clock.today() + timedelta(days=365)).isoformat(),
        "errors": {},
        "values": {},
        "decided": None,
        "toast": None,
    }
    return render(request, "certifications/queue.html", context)


async def decide(request: Request) -> Response:
    """Approve with an expiry date or reject with a reason; htmx swaps the application's card."""
    actor = gate(request, *BUREAU)
    if isinstance(actor, Response):
        return actor
    application_id = request.path_params["application_id"]
    decision = request.path_params["decision"]
    services = {
        "approve": certification.approve_certification,
        "reject": certification.reject_certification,
    }
    if decision not in services:
        raise HTTPException(404)
    data = await read_form(request)

    def apply(session):
        application = services[decision](
            session=session, actor=actor, application_id=application_id, data=data
        )
        _ = application.product.village
        return application

    try:
        application = await in_unit_of_work(request, apply)
    except DomainError as exc:
        unless_fixable(exc)
        return await _card(request, actor, application_id, data, field_errors(exc))
    name = application.product.name
    message = f"“{name}”审核通过，进入公示期" if decision == "approve" else f"已驳回“{name}”"
    if not wants_partial(request):
        return finish(request, "/certifications", message)
    context = {"decided": application, "toast": message}
    response = render(request, "certifications/_decided.html", context)
    response.headers["HX-Trigger"] = INBOX_CHANGED
    return response


async def objection_queue(request: Request) -> Response:
    actor = gate(request, *BUREAU)
    if isinstance(actor, Response):
        return actor
    queue = await load(request, lambda s: _objection_queue(s, actor))
    context = {"queue": queue, "errors": {}, "values": {}, "failed_id": None, "resolved": None}
    return render(request, "certifications/objections.html", _with_floods(context))


def _with_floods(context: dict) -> dict:
    """The certifications with two or more open objections, each offered for bulk dismissal."""
    floods: dict[int, list] = {}
    for objection in context["queue"]:
        floods.setdefault(objection.application_id, []).append(objection)
    context["floods"] = [group for group in floods.values() if len(group) > 1]
    # Reasons given more than once on one certification: the copies a flood is made of.
    reasons = Counter((o.application_id, " ".join(o.reason.split())) for o in context["queue"])
    context["repeated_ids"] = {
        o.id
        for o in context["queue"]
        if reasons[(o.application_id, " ".join(o.reason.split()))] > 1
    }
    context.setdefault("bulk_id", None)
    return context


async def dismiss_objections(request: Request) -> Response:
    """Dismiss the chosen objections to one certification at once (a flood of copies)."""
    actor = gate(request, *BUREAU)
    if isinstance(actor, Response):
        return actor
    application_id = request.path_params["application_id"]
    data = await read_form(request, lists=("objection_ids",))
    ids = [int(v) for v in data["objection_ids"] if v.isdigit()]
    payload = {"objection_ids": ids, "resolution": data.get("resolution", "")}
    try:
        dismissed = await in_unit_of_work(
            request,
            lambda s: len(
                objections.dismiss_objections(
                    session=s, actor=actor, application_id=application_id, data=payload
                )
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        queue = await load(request, lambda s: _objection_queue(s, actor))
        context = {
            "queue": queue,
            "errors": field_errors(exc),
            "values": data,
            "failed_id": None,
            "bulk_id": application_id,
            "resolved": None,
        }
        return render(
            request, "certifications/objections.html", _with_floods(context), status_code=422
        )
    return finish(request, "/certifications/objections", f"已驳回 {dismissed} 条异议")


def _objection_queue(session, actor):
    queue = objections.objection_queue(session=session, actor=actor)
    for objection in queue:
        _ = objection.application.product.village
    return queue


async def resolve_objection(request: Request) -> Response:
    """Uphold or dismiss an objection; htmx swaps its card for the outcome."""
    actor = gate(request, *BUREAU)
    if isinstance(actor, Response):
        return actor
    objection_id = request.path_params["objection_id"]
    data = await read_form(request)

    def apply(session):
        objection = objections.resolve_objection(
            session=session, actor=actor, objection_id=objection_id, data=data
        )
        _ = objection.application.product
        return objection

    try:
        objection = await in_unit_of_work(request, apply)
    except DomainError as exc:
        unless_fixable(exc)
        return await _objection_card(request, actor, objection_id, data, field_errors(exc))
    message = f"已处理对“{objection.application.product.name}”的异议"
    if not wants_partial(request):
        return finish(request, "/certifications/objections", message)
    context = {"resolved": objection, "toast": message}
    response = render(request, "certifications/_objection_resolved.html", context)
    response.headers["HX-Trigger"] = INBOX_CHANGED
    return response


async def _objection_card(request, actor, objection_id, values, errors) -> Response:
    queue = await load(request, lambda s: _objection_queue(s, actor))
    matching = [o for o in queue if o.id == objection_id]
    if not matching:  # resolved meanwhile by someone else
        return finish(request, "/certifications/objections", errors.get("__all__", "该异议已处理"))
    context = {
        "queue": queue,
        "objection": matching[0],
        "errors": errors,
        "values": values,
        "failed_id": objection_id,
        "resolved": None,
    }
    if wants_partial(request):
        return render(request, "certifications/_objection.html", context, status_code=422)
    return render(request, "certifications/objections.html", _with_floods(context), status_code=422)


async def _card(request, actor, application_id, values, errors) -> Response:
    """The application's card again with the errors by its fields (422)."""
    queue, reviews = await _queue(request, actor)
    matching = [a for a in queue if a.id == application_id]
    context = {
        "queue": queue,
        "reviews": reviews,
        "application": matching[0] if matching else None,
        "default_expiry": values.get("expires_on", ""),
        "errors": errors,
        "values": values,
        "decided": None,
        "toast": None,
    }
    if wants_partial(request) and matching:
        return render(request, "certifications/_application.html", context, status_code=422)
    if not matching:  # decided meanwhile by someone else
        return finish(request, "/certifications", errors.get("__all__", "该申请已处理"))
    context["failed_id"] = application_id
    return render(request, "certifications/queue.html", context, status_code=422)


async def price_flag_list(request: Request) -> Response:
    actor = gate(request, *BUREAU)
    if isinstance(actor, Response):
        return actor
    page = page_number(request.query_params.get("page"))
    found = await load(request, lambda s: price_flags(session=s, actor=actor, page=page))
    context = {
        "flags": found.items,
        "found": found,
        "page_url": lambda n: f"/price-flags?page={n}",
        "min_comparables": MIN_COMPARABLES,
    }
    return render(request, "certifications/price_flags.html", context)


async def consumption_overview(request: Request) -> Response:
    actor = gate(request, *BUREAU)
    if isinstance(actor, Response):
        return actor
    this_year = clock.today().year
    year = int_or_none(request.query_params.get("year")) or this_year
    if not clock.FIRST_YEAR <= year <= this_year:
        year = this_year
    since, until = clock.year_bounds(year)

    def work(session):
        return (
            consumption.consumption_by_county(
                session=session, actor=actor, since=since, until=until
            ),
            consumption.consumption_by_agreement(
                session=session, actor=actor, since=since, until=until
            ),
            consumption.reserved_share_overview(session=session, actor=actor, year=year),
        )

    counties, agreements, shares = await load(request, work)
    context = {
        "year": year,
        "years": list(range(this_year, this_year - 5, -1)),
        "counties": counties,
        "county_items": [(c.name, c.amount_fen) for c in counties],
        "agreements": agreements[:50],
        "shares": shares,
        "total_fen": sum(c.amount_fen for c in counties),
        "paired_fen": sum(c.paired_amount_fen for c in counties),
        "order_count": sum(c.orders for c in counties),
    }
    return render(request, "trade/consumption.html", context, partial="trade/_consumption.html")
