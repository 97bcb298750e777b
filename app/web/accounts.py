"""Sign-in, sign-out, the account page, passwords and API tokens."""

from starlette.requests import Request
from starlette.responses import Response

from app.errors import AuthenticationError, DomainError, ThrottledError
from app.http import client_address, current_actor
from app.services import api_tokens, credentials, two_factor, user_sessions
from app.web import two_factor as two_factor_step
from app.web.auth import (
    SESSION_AUTH_VERSION,
    client_details,
    current_session_id,
    current_user,
    sign_in,
    sign_out,
)
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only, redirect, safe_next
from app.web.guards import login_redirect
from app.web.pages import int_or_none
from app.web.role_home import after_sign_in, role_home
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
    client = client_details(request)

    def check(session):
        return credentials.check_sign_in(
            session=session,
            username=data.get("username", ""),
            password=data.get("password", ""),
            ip=ip,
        )

    def record(session, checked):
        # A failure is returned, not raised, so its recorded attempt commits with the unit of work.
        try:
            user = credentials.record_sign_in(session=session, attempt=checked)
        except AuthenticationError as exc:
            return None, exc
        if two_factor.is_enrolled(user):
            return (user.id, user.auth_version, None), None  # the code is asked for next
        key = user_sessions.open_session(session=session, user_id=user.id, **client)
        return (user.id, user.auth_version, key, role_home(user)), None

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
    if signed[2] is None:
        return two_factor_step.ask_for_code(
            request, user_id=signed[0], auth_version=signed[1], next_url=next_url
        )
    sign_in(request, user_id=signed[0], auth_version=signed[1], session_key=signed[2])
    flash(request, "已登录", level="success")
    return redirect(after_sign_in(next_url, signed[3]), request)


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
    session_id = current_session_id(request)
    if session_id is not None:
        await in_unit_of_work(
            request, lambda s: user_sessions.end_session(session=s, session_id=session_id)
        )
    sign_out(request)
    flash(request, "已退出登录", level="success")
    return redirect("/")


async def account(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    return _account_page(request, **await _account_lists(request))


async def _account_lists(request) -> dict:
    actor = current_actor(request)

    def work(session):
        return {
            "tokens": api_tokens.list_api_tokens(session=session, actor=actor),
            "sessions": user_sessions.active_sessions(session=session, actor=actor),
        }

    return await read_only(request, work)


def _account_page(request, *, tokens, sessions, errors=None, new_token=None, status_code=200):
    context = {
        "user": current_user(request),
        "tokens": tokens,
        "sessions": sessions,
        "this_session": current_session_id(request),
        "lifetime_options": [(days, f"{days} 天") for days in api_tokens.LIFETIME_DAYS],
        "default_lifetime": api_tokens.DEFAULT_LIFETIME_DAYS,
        "expired_tokens": {t.id for t in tokens if api_tokens.is_expired(t)},
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

    session_id = current_session_id(request)

    def check(session):
        return credentials.check_password_change(
            session=session,
            actor=actor,
            old_password=data.get("old_password", ""),
            new_password=data.get("new_password", ""),
        )

    def change(session, checked):
        user = credentials.apply_password_change(
            session=session, actor=actor, change=checked, keep_session_id=session_id
        )
        return user.auth_version

    try:
        # Verified and hashed with a read-only session, before the write transaction opens.
        checked = await read_only(request, check)
        auth_version = await in_unit_of_work(request, lambda s: change(s, checked))
    except DomainError as exc:
        return await _account_with_errors(request, field_errors(exc))
    # This browser's session is kept, with the new version; every other one was revoked.
    request.session[SESSION_AUTH_VERSION] = auth_version
    flash(request, "密码已修改，其他设备上的登录和全部接口令牌已失效", level="success")
    return redirect("/account")


async def _account_with_errors(request, errors):
    lists = await _account_lists(request)
    return _account_page(request, **lists, errors=errors, status_code=422)


async def create_token(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    data = await read_form(request)

    raw_lifetime = data.get("lifetime_days") or ""
    lifetime = (int_or_none(raw_lifetime) or 0) if raw_lifetime else None

    def create(session):
        _token, raw = api_tokens.create_api_token(
            session=session,
            actor=actor,
            name=data.get("name", ""),
            **({} if lifetime is None else {"lifetime_days": lifetime}),
        )
        return raw

    try:
        raw = await in_unit_of_work(request, create)
    except DomainError as exc:
        return await _account_with_errors(request, field_errors(exc))
    # Shown once, on this response only; never stored in the session or a flash.
    response = _account_page(request, **await _account_lists(request), new_token=raw)
    response.headers["Cache-Control"] = "no-store"
    return response


async def revoke_token(request: Request) -> Response:
    token_id = request.path_params["token_id"]

    def work(session, actor):
        return api_tokens.revoke_api_token(session=session, actor=actor, token_id=token_id)

    return await _revoke(request, work, "接口令牌已吊销")


async def revoke_session(request: Request) -> Response:
    """退出某一处登录 from the account page's list of sessions."""
    session_id = request.path_params["session_id"]

    def work(session, actor):
        return user_sessions.revoke_session(session=session, actor=actor, session_id=session_id)

    own = session_id == current_session_id(request)
    return await _revoke(request, work, "已退出该处登录", signs_out=own)


async def _revoke(request: Request, work, message: str, *, signs_out: bool = False) -> Response:
    """Revoke one of the actor's own tokens or sessions and go back to the account page; when
    it was this browser's own session, sign it out and go to the sign-in page."""
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    try:
        await in_unit_of_work(request, lambda s: work(s, actor))
    except DomainError as exc:
        flash(request, exc.message, level="error")
        return redirect("/account")
    if signs_out:
        sign_out(request)
        return redirect("/login")
    flash(request, message, level="success")
    return redirect("/account")


async def sign_out_everywhere(request: Request) -> Response:
    """退出所有设备: every session of the account, this one included, is revoked."""
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    await in_unit_of_work(
        request, lambda s: user_sessions.revoke_all_sessions(session=s, actor=actor)
    )
    sign_out(request)
    flash(request, "已退出所有设备上的登录", level="success")
    return redirect("/login")
