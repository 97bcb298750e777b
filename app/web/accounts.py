"""Sign-in, sign-out, the account page, passwords and API tokens."""

from starlette.requests import Request
from starlette.responses import Response

from app.errors import AuthenticationError, DomainError, ThrottledError
from app.services import accounts, api_tokens
from app.web.auth import current_user, sign_in, sign_out
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only, redirect, safe_next
from app.web.guards import login_redirect
from app.web.requests import client_address, current_actor
from app.web.templating import render


async def login(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    if request.method == "GET":
        if current_actor(request).is_authenticated:
            return redirect(next_url)
        return _login_form(request, {}, {}, next_url)
    data = await read_form(request)
    next_url = safe_next(data.get("next"), next_url)
    ip = client_address(request)

    def check(session):
        return accounts.check_sign_in(
            session=session,
            username=data.get("username", ""),
            password=data.get("password", ""),
            ip=ip,
        )

    def record(session, checked):
        # A failure is returned, not raised, so its recorded attempt commits with the unit of work.
        try:
            user = accounts.record_sign_in(session=session, attempt=checked)
        except AuthenticationError as exc:
            return None, exc
        return (user.id, user.auth_version), None

    try:
        # The password is verified (slowly) with a read-only session; the write that records
        # the attempt is short, so sign-ins never hold SQLite's one write lock while hashing.
        checked = await read_only(request, check)
        signed, failure = await in_unit_of_work(request, lambda s: record(s, checked))
    except ThrottledError as exc:
        return _login_form(
            request,
            data,
            {"__all__": exc.message},
            next_url,
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if failure is not None:
        return _login_form(request, data, {"__all__": failure.message}, next_url, status_code=422)
    sign_in(request, user_id=signed[0], auth_version=signed[1])
    flash(request, "已登录", level="success")
    return redirect(next_url, request)


def _login_form(request, values, errors, next_url, *, status_code=200, headers=None):
    values = {k: v for k, v in values.items() if k != "password"}
    context = {"values": values, "errors": errors, "next": next_url}
    return render(
        request,
        "accounts/login.html",
        context,
        partial="accounts/_login_form.html",
        status_code=status_code,
        headers=headers,
    )


async def logout(request: Request) -> Response:
    sign_out(request)
    flash(request, "已退出登录", level="success")
    return redirect("/")


async def account(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    tokens = await read_only(request, lambda s: api_tokens.list_api_tokens(session=s, actor=actor))
    return _account_page(request, tokens=tokens)


def _account_page(request, *, tokens, errors=None, new_token=None, status_code=200):
    context = {
        "user": current_user(request),
        "tokens": tokens,
        "errors": errors or {},
        "new_token": new_token,
    }
    return render(request, "accounts/account.html", context, status_code=status_code)


async def change_password(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    data = await read_form(request)
    if data.get("new_password") != data.get("new_password_again"):
        return await _account_with_errors(request, {"new_password_again": "两次输入的新密码不一致"})

    def check(session):
        return accounts.check_password_change(
            session=session,
            actor=actor,
            old_password=data.get("old_password", ""),
            new_password=data.get("new_password", ""),
        )

    def change(session, checked):
        user = accounts.apply_password_change(session=session, actor=actor, change=checked)
        return user.id, user.auth_version

    try:
        checked = await read_only(request, check)
        user_id, auth_version = await in_unit_of_work(request, lambda s: change(s, checked))
    except DomainError as exc:
        return await _account_with_errors(request, field_errors(exc))
    # This browser stays signed in with the new version; every other session is now refused.
    sign_in(request, user_id=user_id, auth_version=auth_version)
    flash(request, "密码已修改，其他设备上的登录已失效", level="success")
    return redirect("/account")


async def _account_with_errors(request, errors):
    actor = current_actor(request)
    tokens = await read_only(request, lambda s: api_tokens.list_api_tokens(session=s, actor=actor))
    return _account_page(request, tokens=tokens, errors=errors, status_code=422)


async def create_token(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    data = await read_form(request)

    def create(session):
        _token, raw = api_tokens.create_api_token(
            session=session, actor=actor, name=data.get("name", "")
        )
        return raw

    try:
        raw = await in_unit_of_work(request, create)
    except DomainError as exc:
        return await _account_with_errors(request, field_errors(exc))
    tokens = await read_only(request, lambda s: api_tokens.list_api_tokens(session=s, actor=actor))
    # Shown once, on this response only; never stored in the session or a flash.
    response = _account_page(request, tokens=tokens, new_token=raw)
    response.headers["Cache-Control"] = "no-store"
    return response


async def revoke_token(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    token_id = request.path_params["token_id"]
    try:
        await in_unit_of_work(
            request,
            lambda s: api_tokens.revoke_api_token(session=s, actor=actor, token_id=token_id),
        )
    except DomainError as exc:
        flash(request, exc.message, level="error")
        return redirect("/account")
    flash(request, "接口令牌已吊销", level="success")
    return redirect("/account")
