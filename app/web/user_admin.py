"""用户管理: the list of accounts an admin or bureau officer manages, one account's page (its
status, last sign-in, deactivate, reactivate, reassign, a one-time reset code) and creating one.

Thin: each handler calls one service of ``app.services.user_admin``, ``password_resets`` or
``accounts.create_user`` (docs/decisions/0034-user-administration-and-recovery.md).
"""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.actors import ROLE_LABEL, Role
from app.errors import DomainError, ValidationError
from app.models.enums import UserRole
from app.services import password_resets, user_admin
from app.services.accounts import create_user, prepare_account
from app.services.paging import page_number
from app.services.queries.regions import all_counties
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_form, redirect
from app.web.pages import gate, int_or_none, load, page_url, unless_fixable
from app.web.templating import render

ADMIN_ROLES = (Role.admin, Role.bureau)
LINK_LABEL = {"enterprise": "帮扶主体编号", "cooperative": "合作社编号", "village": "村编号"}


def _role_options(actor) -> list[tuple[str, str]]:
    """The roles the actor may give: officers never a bureau or admin account."""
    roles = [UserRole.village, UserRole.cooperative, UserRole.enterprise]
    if actor.role == Role.admin:
        roles += [UserRole.bureau, UserRole.admin]
    return [(r.value, ROLE_LABEL[Role(r)]) for r in roles]


async def user_list(request: Request) -> Response:
    actor = gate(request, *ADMIN_ROLES)
    if isinstance(actor, Response):
        return actor
    params = request.query_params
    filters = user_admin.UserFilters(
        query=params.get("q", "")[:40],
        role=params.get("role", ""),
        county_code=params.get("county", "")[:6],
        status=params.get("status", ""),
    )
    number = page_number(params.get("page"))

    def work(session):
        page = user_admin.list_users(session=session, actor=actor, filters=filters, page=number)
        counties = [(c.code, c.name) for c in all_counties(session)]
        return page, counties

    page, counties = await load(request, work)
    context = {
        "page": page,
        "filters": filters,
        "roles": _role_options(actor),
        "counties": counties,
        "statuses": list(user_admin.STATUSES.items()),
        "page_url": lambda n: page_url(request, n),
    }
    return render(
        request, "accounts/admin/list.html", context, partial="accounts/admin/_results.html"
    )


async def _user_page(request, actor, user_id, *, errors=None, new_code=None, status=200):
    def work(session):
        user = user_admin.managed_user(session=session, actor=actor, user_id=user_id)
        organisation = user.enterprise or user.cooperative or user.village
        return {
            "user": user,
            "organisation": organisation.name if organisation is not None else "",
            "county": user_admin.user_county(session, user),
            "seen": user_admin.assignment_of(user),
            "link_id": user.enterprise_id or user.cooperative_id or user.village_id or "",
        }

    context = await load(request, work)
    context |= {
        "errors": errors or {},
        "roles": _role_options(actor),
        "link_labels": LINK_LABEL,
        "new_code": new_code,
        "is_self": user_id == actor.user_id,
    }
    response = render(request, "accounts/admin/detail.html", context, status_code=status)
    if new_code is not None:
        # The code is on this response only: never cached, never in the session or a flash.
        response.headers["Cache-Control"] = "no-store"
    return response


async def user_detail(request: Request) -> Response:
    actor = gate(request, *ADMIN_ROLES)
    if isinstance(actor, Response):
        return actor
    return await _user_page(request, actor, request.path_params["user_id"])


async def _act(request: Request, work, message: str) -> Response:
    """Run one account action from the account's page and come back to it with a message."""
    actor = gate(request, *ADMIN_ROLES)
    if isinstance(actor, Response):
        return actor
    user_id = request.path_params["user_id"]
    data = await read_form(request)
    try:
        await in_unit_of_work(request, lambda s: work(s, actor, user_id, data))
    except DomainError as exc:
        unless_fixable(exc)
        return await _user_page(request, actor, user_id, errors=field_errors(exc), status=422)
    flash(request, message, level="success")
    return redirect(f"/users/{user_id}", request)


async def deactivate(request: Request) -> Response:
    def work(session, actor, user_id, data):
        return user_admin.deactivate_user(
            session=session, actor=actor, user_id=user_id, reason=data.get("reason", "")
        )

    return await _act(request, work, "账号已停用，其登录和接口令牌已失效")


async def reactivate(request: Request) -> Response:
    def work(session, actor, user_id, data):
        return user_admin.reactivate_user(session=session, actor=actor, user_id=user_id)

    return await _act(request, work, "账号已重新启用")


async def reassign(request: Request) -> Response:
    def work(session, actor, user_id, data):
        return user_admin.reassign_user(
            session=session,
            actor=actor,
            user_id=user_id,
            role=data.get("role", ""),
            link_id=int_or_none(data.get("link_id", "")),
            region_code=data.get("region_code", ""),
            seen=data.get("seen", ""),
        )

    return await _act(request, work, "账号的角色和所属单位已更新")


async def reset_code(request: Request) -> Response:
    """Issue a one-time reset code and show it on this response only."""
    actor = gate(request, *ADMIN_ROLES)
    if isinstance(actor, Response):
        return actor
    user_id = request.path_params["user_id"]

    def work(session):
        _reset, code = password_resets.issue_reset_code(
            session=session, actor=actor, user_id=user_id
        )
        return code

    try:
        code = await in_unit_of_work(request, work)
    except DomainError as exc:
        unless_fixable(exc)
        return await _user_page(request, actor, user_id, errors=field_errors(exc), status=422)
    return await _user_page(request, actor, user_id, new_code=code)


async def new_user(request: Request) -> Response:
    actor = gate(request, *ADMIN_ROLES)
    if isinstance(actor, Response):
        return actor
    if request.method == "GET":
        return _new_form(request, actor, {}, {})
    data = await read_form(request)
    if data.get("password") != data.get("password_again"):
        return _new_form(request, actor, data, {"password_again": "两次输入的密码不一致"}, 422)
    role = data.get("role", "")
    link_id = int_or_none(data.get("link_id", ""))
    try:
        if role not in UserRole.__members__:
            raise ValidationError("请选择角色", code="role_invalid", field="role")
        # Hashing is slow: done before the write transaction opens.
        account = await run_in_threadpool(prepare_account, data)
        links = {
            UserRole.enterprise: {"enterprise_id": link_id},
            UserRole.cooperative: {"cooperative_id": link_id},
            UserRole.village: {"village_id": link_id},
            UserRole.bureau: {"region_code": data.get("region_code", "").strip()},
            UserRole.admin: {},
        }[UserRole(role)]
        user = await in_unit_of_work(
            request,
            lambda s: create_user(
                session=s, actor=actor, account=account, role=UserRole(role), **links
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        return _new_form(request, actor, data, field_errors(exc), 422)
    flash(request, f"已创建账号 {user.username}", level="success")
    return redirect(f"/users/{user.id}", request)


def _new_form(request, actor, values, errors, status=200):
    values = {k: v for k, v in values.items() if not k.startswith("password")}
    context = {
        "values": values,
        "errors": errors,
        "roles": _role_options(actor),
        "link_labels": LINK_LABEL,
    }
    return render(request, "accounts/admin/new.html", context, status_code=status)


ROUTES: list[BaseRoute] = [
    Route("/users", user_list, name="users"),
    Route("/users/new", new_user, methods=["GET", "POST"]),
    Route("/users/{user_id:id}", user_detail),
    Route("/users/{user_id:id}/deactivate", deactivate, methods=["POST"]),
    Route("/users/{user_id:id}/reactivate", reactivate, methods=["POST"]),
    Route("/users/{user_id:id}/assign", reassign, methods=["POST"]),
    Route("/users/{user_id:id}/reset-code", reset_code, methods=["POST"]),
]
