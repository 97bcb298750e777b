"""A checkout of several products of one cooperative (购物车结算): a form listing the cooperative's
listed products with a quantity each, the recipient and the address; one order per product."""

from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.services import checkout
from app.web.forms import field_errors, in_unit_of_work, read_form
from app.web.pages import gate, load, unless_fixable
from app.web.templating import render
from app.web.trade_common import finish

FIELDS = ("recipient_name", "recipient_phone", "shipping_address", "note")


async def checkout_page(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    return await _page(request, request.path_params["cooperative_id"])


async def _page(request, cooperative_id, *, values=None, errors=None, status_code=200):
    shelf = await load(request, lambda s: checkout.shelf(session=s, cooperative_id=cooperative_id))
    context = {
        "shelf": shelf,
        "values": values or {},
        "errors": errors or {},
        "confirm_hours": request.app.state.settings.order_confirm_hours,
    }
    return render(
        request,
        "orders/checkout.html",
        context,
        partial="orders/_checkout_form.html",
        status_code=status_code,
    )


async def place_checkout(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    cooperative_id = request.path_params["cooperative_id"]
    data = await read_form(request)
    lines = {
        int(key.removeprefix("quantity_")): value
        for key, value in data.items()
        if key.startswith("quantity_") and key.removeprefix("quantity_").isdigit()
    }
    form = {k: data.get(k, "") for k in FIELDS}
    try:
        placed = await in_unit_of_work(
            request,
            lambda s: [
                o.number
                for o in checkout.checkout(
                    session=s, actor=actor, cooperative_id=cooperative_id, lines=lines, data=form
                )
            ],
        )
    except DomainError as exc:
        unless_fixable(exc)
        return await _page(
            request, cooperative_id, values=data, errors=field_errors(exc), status_code=422
        )
    message = f"已下单 {len(placed)} 笔（结算号 {placed[0]}），库存已为您预留，等待合作社确认"
    return finish(request, "/orders", message)
