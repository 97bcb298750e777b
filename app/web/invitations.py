"""Invitation codes: the bureau's page (make codes for its region and download them once as a
list, revoke or regenerate one) and the invitation page where staff set up their account."""

from sqlmodel import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError, ThrottledError
from app.http import client_address, current_actor
from app.models import County
from app.permissions import is_bureau_for
from app.services import accounts, invitation_sheets, invitations, user_sessions
from app.services.clock import day_stamp
from app.services.invitations import KINDS
from app.web.auth import client_details, sign_in
from app.web.downloads import attachment
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only, redirect
from app.web.guards import login_redirect, require_role
from app.web.pages import int_or_none
from app.web.requests import throttled_headers
from app.web.role_home import role_home
from app.web.templating import render

ACCOUNT_FIELDS = ("username", "display_name", "phone", "password", "privacy_consent")


async def page(request: Request, *, issued=None, errors=None, status_code=200) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    require_role(request, Role.bureau)

    def load(session):
        counties = session.exec(select(County).order_by(County.code)).all()
        rows = invitations.recent_invitations(session=session, actor=actor)
        return rows, [(c.code, c.name) for c in counties if is_bureau_for(actor, c.code)]

    rows, counties = await read_only(request, load)
    context = {
        "rows": rows,
        "counties": counties,
        "kinds": list(KINDS.items()),
        "issued": issued,
        "errors": errors or {},
        "lifetime": invitations.LIFETIME_DAYS,
    }
    response = render(request, "accounts/invitations.html", context, status_code=status_code)
    if issued is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


async def generate(request: Request) -> Response:
    """Make the codes and answer with the list to download (xlsx or CSV); shown nowhere else."""
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    data = await read_form(request)
    file_format = data.get("format") if data.get("format") in invitation_sheets.FORMATS else "xlsx"
    lifetime = int_or_none(data.get("lifetime_days") or "") or invitations.LIFETIME_DAYS

    def work(session):
        return invitations.invite_organisations(
            session=session,
            actor=actor,
            kind=data.get("kind", ""),
            county_code=data.get("county_code") or None,
            lifetime_days=lifetime,
        )

    try:
        codes = await in_unit_of_work(request, work)
    except DomainError as exc:
        return await page(request, errors=field_errors(exc), status_code=422)
    if not codes:
        flash(request, "没有需要邀请的单位：都已有账号或有效的邀请码", level="info")
        return redirect("/invitations")
    if file_format == "csv":
        body = await run_in_threadpool(invitation_sheets.invitation_csv, codes)
        media = "text/csv; charset=utf-8"
    else:
        body = await run_in_threadpool(invitation_sheets.invitation_xlsx, codes)
        media = invitation_sheets.XLSX_TYPE
    kind_label = KINDS.get(data.get("kind", ""), "单位")
    name = f"邀请码-{kind_label}-{day_stamp(codes[0].expires_at)}.{file_format}"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": attachment(name), "Cache-Control": "no-store"},
    )


async def revoke(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    invitation_id = request.path_params["invitation_id"]
    try:
        await in_unit_of_work(
            request,
            lambda s: invitations.revoke_invitation(
                session=s, actor=actor, invitation_id=invitation_id
            ),
        )
    except DomainError as exc:
        flash(request, exc.message, level="error")
        return redirect("/invitations")
    flash(request, "邀请码已作废", level="success")
    return redirect("/invitations")


async def regenerate(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    invitation_id = request.path_params["invitation_id"]
    try:
        issued = await in_unit_of_work(
            request,
            lambda s: invitations.regenerate_invitation(
                session=s, actor=actor, invitation_id=invitation_id
            ),
        )
    except DomainError as exc:
        flash(request, exc.message, level="error")
        return redirect("/invitations")
    # The new code is shown on this response only.
    return await page(request, issued=issued)


async def accept(request: Request) -> Response:
    """/invite: a code and the account's details; the account works at once."""
    if request.method == "GET":
        return _invite_form(request, dict(request.query_params), {})
    data = await read_form(request)
    errors = {}
    if data.get("password") != data.get("password_again"):
        errors["password_again"] = "两次输入的密码不一致"
    account = {k: data.get(k, "") for k in ACCOUNT_FIELDS}
    try:
        prepared = await run_in_threadpool(accounts.prepare_account, account)
    except DomainError as exc:
        errors = field_errors(exc) | errors
    if not data.get("code", "").strip():
        errors["code"] = "请输入邀请码"
    if errors:
        return _invite_form(request, data, errors, 422)

    def apply(session):
        user = invitations.accept_invitation(
            session=session,
            code=data.get("code", ""),
            account=prepared,
            address=client_address(request),
        )
        key = user_sessions.open_session(
            session=session, user_id=user.id, **client_details(request)
        )
        return user.id, user.auth_version, key, role_home(user)

    try:
        user_id, auth_version, key, home = await in_unit_of_work(request, apply)
    except ThrottledError as exc:
        return _invite_form(request, data, field_errors(exc), 429, headers=throttled_headers(exc))
    except DomainError as exc:
        return _invite_form(request, data, field_errors(exc), 422)
    sign_in(request, user_id=user_id, auth_version=auth_version, session_key=key)
    flash(request, "账号已开通", level="success")
    return redirect(home)  # the organisation's work, as after any sign-in


def _invite_form(request, values, errors, status_code=200, *, headers=None):
    values = {k: v for k, v in values.items() if not k.startswith("password")}
    return render(
        request,
        "accounts/invite.html",
        {"values": values, "errors": errors},
        status_code=status_code,
        headers=headers,
    )
