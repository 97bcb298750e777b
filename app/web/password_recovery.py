"""忘记密码: ask for a mailed one-time link, or set a new password with a one-time code an
officer handed over or with the mailed link (``app.services.password_resets``)."""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.config import get_settings
from app.errors import DomainError, ThrottledError
from app.http import client_address
from app.services import password_resets
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_form, redirect
from app.web.templating import render

# The same answer whether or not the account exists or has an address.
REQUEST_ANSWER = (
    "如果该账号登记了接收通知的邮箱，重置密码的链接已发送到该邮箱，1 小时内有效。"
    "没有邮箱的账号，请联系所在县（市、区）乡村振兴局，由其为您生成一次性重置码。"
)


async def forgot(request: Request) -> Response:
    if request.method == "GET":
        return _forgot_page(request, {}, {})
    data = await read_form(request)
    base = get_settings().public_origin or str(request.base_url).rstrip("/")

    def work(session):
        return password_resets.request_reset_link(
            session=session,
            username=data.get("username", ""),
            address=client_address(request),
            link_base=base,
        )

    try:
        await in_unit_of_work(request, work)
    except ThrottledError as exc:
        return _forgot_page(
            request,
            data,
            {"__all__": exc.message},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    return _forgot_page(request, data, {}, answer=REQUEST_ANSWER)


def _forgot_page(request, values, errors, *, answer=None, status_code=200, headers=None):
    context = {"values": values, "errors": errors, "answer": answer}
    return render(
        request,
        "accounts/forgot.html",
        context,
        partial="accounts/_forgot.html",
        status_code=status_code,
        headers=headers,
    )


async def reset(request: Request) -> Response:
    """GET: the form (with ``token`` from a mailed link: the new password only); POST: set it."""
    token = request.query_params.get("token", "")[:100]
    if request.method == "GET":
        return _reset_page(request, {"token": token}, {})
    data = await read_form(request)
    token = data.get("token", "")[:100]
    if data.get("new_password") != data.get("new_password_again"):
        return _reset_page(request, data, {"new_password_again": "两次输入的新密码不一致"}, 422)
    kind = "link" if token else "code"
    try:
        # The new password is hashed (slowly) before the write transaction opens.
        attempt = await run_in_threadpool(
            lambda: password_resets.prepare_reset(
                username=data.get("username", ""),
                secret=token or data.get("code", ""),
                new_password=data.get("new_password", ""),
                kind=kind,
            )
        )
        # A wrong code is returned, not raised, so its counted attempt commits.
        user = await in_unit_of_work(
            request,
            lambda s: password_resets.redeem_reset(
                session=s, attempt=attempt, address=client_address(request)
            ),
        )
    except ThrottledError as exc:
        return _reset_page(
            request, data, {"__all__": exc.message}, 429, {"Retry-After": str(exc.retry_after)}
        )
    except DomainError as exc:
        return _reset_page(request, data, field_errors(exc), 422)
    if user is None:
        failed = password_resets.LINK_FAILED if token else password_resets.CODE_FAILED
        return _reset_page(request, data, {"__all__": failed}, 422)
    flash(request, "密码已重置，请用新密码登录；原来的所有登录已退出", level="success")
    return redirect("/login", request)


def _reset_page(request, values, errors, status_code=200, headers=None):
    values = {k: v for k, v in values.items() if "password" not in k and k != "code"}
    context = {"values": values, "errors": errors, "token": values.get("token", "")}
    response = render(
        request,
        "accounts/reset.html",
        context,
        partial="accounts/_reset.html",
        status_code=status_code,
        headers=headers,
    )
    # The link's token is in the page: not to be kept by any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


ROUTES: list[BaseRoute] = [
    Route("/password/forgot", forgot, methods=["GET", "POST"], name="forgot_password"),
    Route("/password/reset", reset, methods=["GET", "POST"], name="reset_password"),
]
