"""Orders: the list for buyers and cooperatives, an order's page and its transitions."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.labels import ORDER_STATUS
from app.models.enums import OrderStatus
from app.money import fen_to_yuan
from app.permissions import is_enterprise_staff
from app.services import consumption, order_timeline, orders
from app.services.consumption import RESERVING_KINDS
from app.services.order_states import ORDER
from app.services.paging import page_number
from app.web.forms import field_errors, in_unit_of_work, read_form
from app.web.pages import (
    error_status,
    form_version,
    gate,
    int_or_none,
    is_stale,
    load,
    page_url,
    take_step,
    unless_fixable,
)
from app.web.templating import render
from app.web.trade_common import enum_param, finish

LIST_ROLES = (Role.enterprise, Role.cooperative, Role.bureau, Role.admin)
# The service taking each step of the order machine a page offers (its message is the machine's).
STEPS = {
    "confirm": orders.confirm_order,
    "ship": orders.ship_order,
    "receive": orders.receive_order,
    "refuse": orders.refuse_order,
    "cancel": orders.cancel_order,
    "rate": orders.rate_order,
}


async def order_list(request: Request) -> Response:
    actor = gate(request, *LIST_ROLES)
    if isinstance(actor, Response):
        return actor
    return await _list_page(request, actor)


async def _list_page(
    request, actor, *, share_values=None, share_errors=None, stale=False, status_code=200
):
    status = enum_param(request, "status", OrderStatus)
    number = page_number(request.query_params.get("page"))

    def work(session):
        page = orders.list_orders(session=session, actor=actor, status=status, page=number)
        share = None
        if actor.role == Role.enterprise and actor.enterprise_id:
            share = consumption.reserved_share_progress(
                session=session, actor=actor, enterprise_id=actor.enterprise_id
            )
        return page, share if share is not None and share.kind in RESERVING_KINDS else None

    page, share = await load(request, work)
    context = {
        "page": page,
        "share": share,
        "share_values": share_values
        or ({"reserved_share": fen_to_yuan(share.reserved_fen)} if share else {}),
        "share_errors": share_errors or {},
        # A form sent back keeps the version it was opened at (a stale one stays a conflict).
        "share_version": form_version(share_values)
        if share_values is not None
        else (share.version if share else 0),
        "share_saved": [("年度预留采购份额（元）", fen_to_yuan(share.reserved_fen))]
        if stale and share
        else None,
        "status": status.value if status else "",
        "statuses": list(ORDER_STATUS.items()),
        "page_url": lambda n: page_url(request, n),
    }
    # The results partial answers the filter bar; the reserved-share form comes back whole.
    return render(
        request,
        "orders/list.html",
        context,
        partial=None if share_errors else "orders/_results.html",
        status_code=status_code,
    )


async def order_detail(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    return await _order_page(request, actor, request.path_params["order_id"])


async def _order_page(
    request, actor, order_id, *, errors=None, values=None, toast=None, status_code=200
):
    def work(session):
        order = orders.get_order(session=session, actor=actor, order_id=order_id)
        steps = order_timeline.timeline(session, order)
        return order, orders.order_actions(actor, order, order.product), steps

    order, actions, steps = await load(request, work)
    context = {
        "order": order,
        "actions": actions,
        "steps": steps,
        "errors": errors or {},
        "values": values or {},
        "toast": toast,
        "is_buyer": is_enterprise_staff(actor, order.buyer_id),
    }
    return render(
        request,
        "orders/detail.html",
        context,
        partial="orders/_order.html",
        status_code=status_code,
    )


async def transition(request: Request) -> Response:
    actor = gate(request, Role.enterprise, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    order_id = request.path_params["order_id"]
    name = request.path_params["action"]
    if name not in STEPS:
        raise HTTPException(404)
    service, message = STEPS[name], ORDER.transition(name).done
    data = await read_form(request)
    extra = {}
    if name in ("cancel", "refuse"):
        extra["reason"] = data.get("reason", "")
    if name == "ship":
        extra["data"] = {k: data.get(k, "") for k in ("carrier", "tracking_number")}
    if name == "rate":
        extra["data"] = {"rating": data.get("rating", ""), "comment": data.get("comment", "")}
    version = int_or_none(data.get("version")) or 0
    return await take_step(
        request,
        lambda s: service(
            session=s, actor=actor, order_id=order_id, expected_version=version, **extra
        ),
        url=f"/orders/{order_id}",
        message=message,
        leave=finish,
        # A failed step shows the posted input again; a stale version is shown, not redirected.
        show=lambda errors=None, **shown: _order_page(
            request,
            actor,
            order_id,
            errors=errors,
            values=None if errors is None else data,
            **shown,
        ),
        redirect_conflicts=False,
    )


async def set_reserved_share(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    data = await read_form(request)
    try:
        await in_unit_of_work(
            request,
            lambda s: consumption.set_reserved_share(
                session=s,
                actor=actor,
                enterprise_id=actor.enterprise_id or 0,
                expected_version=form_version(data),
                data={"reserved_share": data.get("reserved_share", "")},
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        return await _list_page(
            request,
            actor,
            share_values=data,
            share_errors=field_errors(exc),
            stale=is_stale(exc),
            status_code=error_status(exc),
        )
    return finish(request, "/orders", "已保存年度预留采购份额")
