"""Self-registration for enterprise, cooperative and village staff, and the bureau's review."""

from sqlmodel import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError, PermissionDeniedError, ThrottledError
from app.http import client_address, current_actor
from app.labels import ENTERPRISE_KIND, HELP_KIND, INDUSTRY_SECTION
from app.models import County, Township, User, Village
from app.models.enums import UserRole
from app.services import accounts, claims, user_sessions
from app.web.auth import client_details, sign_in
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only, redirect
from app.web.guards import login_redirect, require_role
from app.web.requests import throttled_headers
from app.web.templating import render

KINDS = {
    "enterprise": ("帮扶主体", "企业、学校、医院、社会组织、机关事业单位"),
    "cooperative": ("合作社", "农民专业合作社等村级生产经营主体"),
    "village": ("村级用户", "村两委干部、驻村第一书记"),
}
ACCOUNT_FIELDS = ("username", "display_name", "phone", "password", "privacy_consent")


def choose(request: Request) -> Response:
    return render(request, "accounts/register_choose.html", {"kinds": KINDS})


async def register(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise HTTPException(404)
    if request.method == "GET":
        values = dict(request.query_params)
        return await _form(request, kind, values, {})
    data = await read_form(request, lists=("offers",))
    account = {k: data.get(k, "") for k in ACCOUNT_FIELDS}
    organisation = _organisation_data(kind, data)
    # Every problem at once: the account, the repeated password, the organisation, the consent.
    errors: dict[str, str] = {}
    claimable = False
    if data.get("password") != data.get("password_again"):
        errors["password_again"] = "两次输入的密码不一致"
    try:
        # Hashed off the event loop and before the write transaction opens.
        prepared = await run_in_threadpool(accounts.prepare_account, account)
    except DomainError as exc:
        errors = field_errors(exc) | errors
    try:
        await read_only(
            request,
            lambda s: accounts.check_registration(
                session=s,
                kind=UserRole(kind),
                organisation=organisation,
                privacy_consent=bool(data.get("privacy_consent")),
            ),
        )
    except DomainError as exc:
        claimable = _code_in(exc, "credit_code_taken")
        errors = field_errors(exc) | errors
    if errors:
        return await _form(request, kind, data, errors, 422, claimable=claimable)

    def apply(session, prepared):
        user = accounts.register_account(
            session=session,
            kind=UserRole(kind),
            account=prepared,
            organisation=organisation,
            address=client_address(request),
        )
        session.flush()
        key = user_sessions.open_session(
            session=session, user_id=user.id, **client_details(request)
        )
        return user.id, user.auth_version, key

    try:
        user_id, auth_version, key = await in_unit_of_work(request, lambda s: apply(s, prepared))
    except ThrottledError as exc:
        headers = throttled_headers(exc)
        return await _form(request, kind, data, field_errors(exc), 429, headers=headers)
    except DomainError as exc:
        claimable = _code_in(exc, "credit_code_taken")
        return await _form(request, kind, data, field_errors(exc), 422, claimable=claimable)
    sign_in(request, user_id=user_id, auth_version=auth_version, session_key=key)
    flash(request, "注册申请已提交，乡村振兴局审核通过后即可使用全部功能", level="success")
    return redirect("/account")


def _organisation_data(kind: str, data: dict) -> dict:
    if kind == "enterprise":
        fields = (
            "credit_code",
            "name",
            "kind",
            "industry",
            "county_code",
            "external_region",
            "introduction",
            "contact_name",
            "contact_phone",
        )
        organisation = {k: data.get(k, "") for k in fields}
        organisation["county_code"] = organisation["county_code"] or None
        organisation["offers"] = data.get("offers", [])
        return organisation
    if kind == "cooperative":
        fields = (
            "credit_code",
            "name",
            "village_id",
            "members",
            "lifted_members",
            "introduction",
            "contact_name",
            "contact_phone",
        )
        organisation = {k: data.get(k, "") for k in fields}
        for number in ("members", "lifted_members"):
            organisation[number] = organisation[number] or 0
        return organisation
    return {"village_id": data.get("village_id", "")}


def _code_in(exc: DomainError, code: str) -> bool:
    return any(getattr(e, "code", None) == code for e in getattr(exc, "errors", [exc]))


async def _form(
    request, kind, values, errors, status_code=200, *, headers=None, claimable=False
) -> Response:
    county_code = values.get("county_code") or ""

    def options(session):
        counties = session.exec(select(County).order_by(County.code)).all()
        villages = []
        if kind != "enterprise" and county_code:
            villages = session.exec(
                select(Village.id, Village.name, Township.name)
                .join(Township, Township.code == Village.township_code)
                .where(Village.county_code == county_code)
                .order_by(Village.township_code, Village.code)
            ).all()
        return [(c.code, c.name) for c in counties], [
            (v_id, f"{township} · {name}") for v_id, name, township in villages
        ]

    counties, villages = await read_only(request, options)
    context = {
        "kind": kind,
        "kind_label": KINDS[kind][0],
        "values": values,
        "errors": errors,
        "counties": counties,
        "villages": villages,
        "enterprise_kinds": list(ENTERPRISE_KIND.items()),
        "industries": [(k, f"{k} {v}") for k, v in INDUSTRY_SECTION.items()],
        "help_kinds": list(HELP_KIND.items()),
        # The credit code is registered already: offer to claim that organisation instead.
        "claimable": claimable,
    }
    return render(
        request, "accounts/register.html", context, status_code=status_code, headers=headers
    )


async def review_list(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    require_role(request, Role.bureau)

    def load(session):
        pending = accounts.pending_registrations(session=session, actor=actor)
        for user in pending:  # loaded here: the page renders after the session closes
            _ = user.enterprise, user.cooperative, user.village
            if user.enterprise is not None:
                _ = user.enterprise.county
            if user.cooperative is not None:
                _ = user.cooperative.village
        found = claims.claims_of(session, [u.id for u in pending])
        # A claim (or a village account) on an organisation that already has active accounts.
        holders = {u.id: claims.active_accounts(session, u) for u in pending}
        return pending, found, holders

    pending, found, holders = await read_only(request, load)
    context = {"pending": pending, "claims": found, "holders": holders, "errors": {}}
    return render(request, "accounts/registrations.html", context)


async def review(request: Request) -> Response:
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    user_id = request.path_params["user_id"]
    approve = request.path_params["decision"] == "approve"
    data = await read_form(request)

    def apply(session):
        user: User = accounts.review_registration(
            session=session,
            actor=actor,
            user_id=user_id,
            approve=approve,
            reason=data.get("reason", ""),
        )
        return user.display_name

    try:
        name = await in_unit_of_work(request, apply)
    except PermissionDeniedError:
        # Someone else's registration answers as a missing one: the id is not confirmed.
        flash(request, accounts.REGISTRATION_NOT_FOUND, level="error")
        return redirect("/registrations")
    except DomainError as exc:
        flash(request, exc.message, level="error")
        return redirect("/registrations")
    flash(request, f"已{'通过' if approve else '驳回'} {name} 的注册申请", level="success")
    return redirect("/registrations")
