"""Purchase demands: the buyer's list and form, the cooperatives' open list, a demand's page."""

from datetime import timedelta

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.labels import DEMAND_STATUS, PRODUCT_CATEGORY, PRODUCT_UNITS
from app.models.enums import DemandStatus, ProductCategory
from app.permissions import is_enterprise_staff
from app.services import clock, demands, product_images
from app.services.matching import suggest_products
from app.services.paging import page_number
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only
from app.web.pages import form_version, gate, is_stale, load, page_url, unless_fixable
from app.web.templating import render
from app.web.trade_common import enum_param, finish, flash_back

DEMAND_FIELDS = (
    "title",
    "category",
    "keywords",
    "quantity",
    "unit",
    "max_unit_price",
    "deliver_by",
    "destination_region",
    "note",
)


def _options() -> dict:
    return {
        "categories": list(PRODUCT_CATEGORY.items()),
        "units": [(u, u) for u in PRODUCT_UNITS],
        "statuses": list(DEMAND_STATUS.items()),
    }


async def demand_list(request: Request) -> Response:
    """GET: the buyer's demands and form, or the open demands for a cooperative. POST: publish."""
    actor = gate(request, Role.enterprise, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    if actor.role == Role.cooperative:
        if request.method != "GET":
            raise HTTPException(405)
        return await _open_list(request, actor)
    if request.method == "GET":
        defaults = {"unit": "斤", "deliver_by": (clock.today() + timedelta(days=14)).isoformat()}
        return await _my_list(request, actor, values=defaults, errors={})
    data = await read_form(request)
    form = {k: data.get(k, "") for k in DEMAND_FIELDS}
    try:
        demand_id = await in_unit_of_work(
            request, lambda s: demands.post_demand(session=s, actor=actor, data=form).id
        )
    except DomainError as exc:
        unless_fixable(exc)
        return await _my_list(request, actor, values=form, errors=field_errors(exc), status=422)
    return finish(request, f"/demands/{demand_id}", "采购需求已发布，以下是为您推荐的产品")


async def _my_list(request, actor, *, values, errors, status=200) -> Response:
    status_filter = enum_param(request, "status", DemandStatus)
    number = page_number(request.query_params.get("page"))
    page = await read_only(
        request,
        lambda s: demands.my_demands(session=s, actor=actor, status=status_filter, page=number),
    )
    context = {
        "page": page,
        "status": status_filter.value if status_filter else "",
        "values": values,
        "errors": errors,
        "page_url": lambda n: page_url(request, n),
        "toast": None,
        **_options(),
    }
    # A failed post re-renders the form; a filter change re-renders the results.
    partial = "demands/_form.html" if request.method == "POST" else "demands/_mine.html"
    return render(request, "demands/mine.html", context, partial=partial, status_code=status)


async def _open_list(request, actor) -> Response:
    category = enum_param(request, "category", ProductCategory)
    number = page_number(request.query_params.get("page"))
    page = await read_only(
        request,
        lambda s: demands.open_demands(session=s, actor=actor, category=category, page=number),
    )
    context = {
        "page": page,
        "category": category.value if category else "",
        "page_url": lambda n: page_url(request, n),
        **_options(),
    }
    return render(request, "demands/open.html", context, partial="demands/_open_results.html")


async def demand_detail(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    return await _detail_page(request, actor, request.path_params["demand_id"])


async def _detail_page(request, actor, demand_id, *, error=None, status_code=200):
    def work(session):
        demand, suggestions = suggest_products(session=session, actor=actor, demand_id=demand_id)
        ids = [s.product.id for s in suggestions]
        return demand, suggestions, product_images.images_of(session, ids)

    demand, suggestions, images = await load(request, work)
    context = {
        "demand": demand,
        "suggestions": suggestions,
        "images": images,
        "is_buyer": is_enterprise_staff(actor, demand.buyer_id),
        "error": error,
    }
    return render(request, "demands/detail.html", context, status_code=status_code)


async def close_demand(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    demand_id = request.path_params["demand_id"]
    version = form_version(await read_form(request))
    try:
        await in_unit_of_work(
            request,
            lambda s: demands.close_demand(
                session=s, actor=actor, demand_id=demand_id, expected_version=version
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        if is_stale(exc):
            # The demand page again, as saved now, with the message: 409, not a redirect.
            return await _detail_page(request, actor, demand_id, error=exc.message, status_code=409)
        return flash_back(request, f"/demands/{demand_id}", exc.message)
    return finish(request, f"/demands/{demand_id}", "采购需求已关闭")
