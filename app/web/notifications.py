"""The notifications page (消息): read and unread, mark read, the email address. The job that
sends the mail and ends notice periods runs in app/jobs.py."""

import json

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.errors import DomainError, NotFoundError
from app.services import notifications
from app.services.paging import page_number
from app.web.forms import field_errors, in_unit_of_work, read_form
from app.web.inbox import INBOX_CHANGED
from app.web.pages import gate, load, page_url, unless_fixable
from app.web.requests import wants_partial
from app.web.templating import render
from app.web.trade_common import finish


async def notification_list(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    unread_only = request.query_params.get("unread") == "1"
    number = page_number(request.query_params.get("page"))
    return await _render_list(request, actor, unread_only, number)


async def _render_list(
    request, actor, unread_only, number, *, errors=None, values=None, toast=None, **kw
):
    def work(session):
        page = notifications.list_notifications(
            session=session, actor=actor, unread_only=unread_only, page=number
        )
        unread = notifications.unread_count(session=session, actor=actor)
        address = notifications.mail_address(session=session, actor=actor)
        return page, unread, address

    page, unread, address = await load(request, work)
    context = {
        "page": page,
        "unread": unread,
        "unread_only": unread_only,
        "page_url": lambda n: page_url(request, n),
        "address": address,
        "errors": errors or {},
        "values": values or {},
        "mail_enabled": request.app.state.settings.mail_enabled,
        "toast": toast,
    }
    return render(
        request, "notifications/list.html", context, partial="notifications/_list.html", **kw
    )


async def mark_read(request: Request) -> Response:
    """Mark one notification (``/notifications/{id}/read``) or all (``/notifications/read``)."""
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    notification_id = request.path_params.get("notification_id")
    ids = None if notification_id is None else [notification_id]
    try:
        changed = await in_unit_of_work(
            request,
            lambda s: notifications.mark_read(session=s, actor=actor, notification_ids=ids),
        )
    except NotFoundError as exc:  # someone else's notification
        raise HTTPException(404) from exc
    message = "已全部标为已读" if ids is None else "已标为已读"
    if not wants_partial(request):
        return finish(request, "/notifications", message)
    unread_only = request.query_params.get("unread") == "1"
    response = await _render_list(request, actor, unread_only, 1, toast=message)
    response.headers["HX-Trigger"] = json.dumps({INBOX_CHANGED: changed})
    return response


async def set_mail_address(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    data = await read_form(request)
    address = str(data.get("address", ""))
    try:
        saved = await in_unit_of_work(
            request,
            lambda s: notifications.set_mail_address(session=s, actor=actor, address=address),
        )
    except DomainError as exc:
        unless_fixable(exc)
        return await _render_list(
            request, actor, False, 1, errors=field_errors(exc), values=data, status_code=422
        )
    return finish(request, "/notifications", "邮件地址已保存" if saved else "已停止邮件通知")
