"""Two-factor sign-in pages: the account page's enrolment (QR code, confirm, recovery codes)
and turning it off, and the sign-in's second step (``/login/code``).

A password accepted for an enrolled account does not sign in: ``ask_for_code`` keeps only the
account's id, its auth version and the time in the session cookie under a key the sign-in
middleware never reads, so that half-signed-in browser is anonymous everywhere. ``/login/code``
then opens the real session.
"""

import time

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from app.errors import AuthenticationError, DomainError, ThrottledError
from app.http import client_address, current_actor
from app.services import two_factor, user_sessions
from app.web.auth import client_details, current_user, sign_in
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only, redirect, safe_next
from app.web.guards import login_redirect
from app.web.role_home import after_sign_in, role_home
from app.web.templating import render

PENDING = "totp_pending"  # the half-signed-in state of a sign-in awaiting its code
OFFERED = "totp_offer"  # the sealed secret offered for enrolment
PENDING_SECONDS = 300
ENROL_PATH = "/account/two-factor"


# The sign-in's second step -------------------------------------------------------------------


def ask_for_code(request: Request, *, user_id: int, auth_version: int, next_url: str) -> Response:
    """The password was right and the account is enrolled: ask for the code before signing in."""
    request.session.clear()
    request.session[PENDING] = {
        "uid": user_id,
        "av": auth_version,
        "at": int(time.time()),
        "next": next_url,
    }
    return redirect("/login/code", request)


def _pending(request: Request) -> dict | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    fresh = isinstance(pending.get("at"), int) and time.time() - pending["at"] < PENDING_SECONDS
    ids = isinstance(pending.get("uid"), int) and isinstance(pending.get("av"), int)
    if not (fresh and ids):
        request.session.pop(PENDING, None)
        return None
    return pending


async def login_code(request: Request) -> Response:
    pending = _pending(request)
    if pending is None:
        flash(request, "请重新登录", level="info")
        return redirect("/login", request)
    if request.method == "GET":
        return _code_form(request, {})
    data = await read_form(request)
    ip = client_address(request)
    client = client_details(request)
    user_id, auth_version = pending["uid"], pending["av"]

    def record(session):
        try:
            user = two_factor.complete_sign_in(
                session=session,
                user_id=user_id,
                auth_version=auth_version,
                code=data.get("code", ""),
                ip=ip,
            )
        except AuthenticationError as exc:
            return None, exc  # returned, so the counted attempt commits
        key = user_sessions.open_session(session=session, user_id=user.id, **client)
        return (user.id, user.auth_version, key, role_home(user)), None

    try:
        await read_only(
            request,
            lambda s: two_factor.refuse_waiting_second_step(session=s, user_id=user_id, ip=ip),
        )
        signed, failure = await in_unit_of_work(request, record)
    except ThrottledError as exc:
        return _code_form(
            request,
            {"code": exc.message},
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if failure is not None:
        return _code_form(request, {"code": failure.message}, status_code=422)
    next_url = safe_next(pending.get("next"))
    sign_in(request, user_id=signed[0], auth_version=signed[1], session_key=signed[2])
    flash(request, "已登录", level="success")
    return redirect(after_sign_in(next_url, signed[3]), request)


def _code_form(request, errors, *, status_code=200, headers=None):
    return render(
        request,
        "accounts/login_code.html",
        {"errors": errors},
        status_code=status_code,
        headers=headers,
    )


# Enrolment and turning it off ----------------------------------------------------------------


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG, drawn here: the secret never leaves for another service."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, title="两步验证二维码")
    return Markup(svg)


async def enrolment(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    if request.method == "POST":
        return await _confirm(request)
    return await _enrolment_page(request, {})


async def _enrolment_page(request, errors, *, status_code=200):
    actor = current_actor(request)
    user = current_user(request)
    context = {"user": user, "errors": errors, "required": _required(request, user)}
    if two_factor.is_enrolled(user):
        context["recovery_left"] = await read_only(
            request, lambda s: two_factor.unused_recovery_codes(session=s, actor=actor)
        )
    else:
        offered = await read_only(
            request,
            lambda s: two_factor.offer_enrolment(
                session=s, actor=actor, sealed=request.session.get(OFFERED)
            ),
        )
        request.session[OFFERED] = offered.sealed
        context |= {"secret": offered.secret, "qr": qr_svg(offered.uri)}
    response = render(request, "accounts/two_factor.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def _required(request: Request, user) -> bool:
    required = request.app.state.settings.totp_required_for_staff
    return two_factor.must_enrol(user, required=required)


async def _confirm(request):
    actor = current_actor(request)
    data = await read_form(request)
    sealed = request.session.get(OFFERED, "")

    def work(session):
        return two_factor.enable_two_factor(
            session=session, actor=actor, sealed=sealed, code=data.get("code", "")
        )

    try:
        codes = await in_unit_of_work(request, work)
    except DomainError as exc:
        return await _enrolment_page(request, field_errors(exc), status_code=422)
    request.session.pop(OFFERED, None)
    # Shown on this response only; never stored in the session or a flash.
    response = render(
        request, "accounts/recovery_codes.html", {"codes": codes, "user": current_user(request)}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def disable(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    data = await read_form(request)

    def check(session):
        return two_factor.check_disable_two_factor(
            session=session, actor=actor, password=data.get("password", "")
        )

    def work(session, checked):
        two_factor.disable_two_factor(
            session=session, actor=actor, checked=checked, code=data.get("code", "")
        )

    try:
        # The password is verified (slowly) before the write transaction opens.
        checked = await read_only(request, check)
        await in_unit_of_work(request, lambda s: work(s, checked))
    except DomainError as exc:
        return await _enrolment_page(request, field_errors(exc), status_code=422)
    flash(request, "两步验证已关闭", level="success")
    return redirect(ENROL_PATH)
