"""The bureau's 消费帮扶 pages: the certification queue, price flags and consumption figures."""

from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.services import certification, clock, consumption
from app.services.pricing import MIN_COMPARABLES, price_flags
from app.web.forms import field_errors, in_unit_of_work, read_form
from app.web.requests import wants_partial
from app.web.templating import render
from app.web.trade_common import finish, gate, int_or_none, load, unless_fixable

BUREAU = (Role.bureau, Role.admin)


async def certification_queue(request: Request) -> Response:
    actor = gate(request, *BUREAU)
    if isinstance(actor, Response):
        return actor
    queue = await load(request, lambda s: certification.certification_queue(session=s, actor=actor))
    context = {
        "queue": queue,
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
    verb = "认定" if decision == "approve" else "驳回"
    message = f"已{verb}“{application.product.name}”"
    if not wants_partial(request):
        return finish(request, "/certifications", message)
    context = {"decided": application, "toast": message}
    return render(request, "certifications/_decided.html", context)


async def _card(request, actor, application_id, values, errors) -> Response:
    """The application's card again with the errors by its fields (422)."""
    queue = await load(request, lambda s: certification.certification_queue(session=s, actor=actor))
    matching = [a for a in queue if a.id == application_id]
    context = {
        "queue": queue,
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
    flags = await load(request, lambda s: price_flags(session=s, actor=actor))
    context = {"flags": flags, "min_comparables": MIN_COMPARABLES}
    return render(request, "certifications/price_flags.html", context)


async def consumption_overview(request: Request) -> Response:
    actor = gate(request, *BUREAU)
    if isinstance(actor, Response):
        return actor
    this_year = clock.today().year
    year = int_or_none(request.query_params.get("year")) or this_year
    if not 2000 <= year <= this_year:
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
