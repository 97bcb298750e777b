"""用户管理 in the API: the accounts an admin or bureau officer manages, and their actions
(create, deactivate, reactivate, reassign, a one-time reset code). The same services as the
pages (``app.services.user_admin``, ``password_resets``, ``accounts.create_user``)."""

import asyncio
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from app import models
from app.errors import DomainError, ValidationError
from app.models.enums import UserRole as DomainRole
from app.schema import enums
from app.schema.context import Context, Info
from app.schema.errors import UserError, mutate, user_errors
from app.schema.node import global_id_of, parse_id, register
from app.schema.pagination import DEFAULT_PAGE_SIZE, After, Connection, First, page_request
from app.schema.payloads import Input, payload_type, respond
from app.services import password_resets, user_admin
from app.services.accounts import create_user, prepare_account

NODE = "ManagedUser"
# The node type of each role's organisation, for organisationId.
LINK_NODE = {
    DomainRole.enterprise: ("Enterprise", "enterprise_id"),
    DomainRole.cooperative: ("Cooperative", "cooperative_id"),
    DomainRole.village: ("Village", "village_id"),
}


@strawberry.enum(description="账号状态（用户管理的筛选）")
class ManagedUserStatus(Enum):
    ACTIVE = strawberry.enum_value("active", description="正常")
    INACTIVE = strawberry.enum_value("inactive", description="已停用")
    PENDING = strawberry.enum_value("pending", description="待审核")


@strawberry.type(
    description="用户管理中的账号：管理员可管理全部账号，乡村振兴局可管理本辖区帮扶主体、合作社和"
    "村级账号（不含乡村振兴局和管理员账号）"
)
class ManagedUser:
    username: str = strawberry.field(description="用户名")
    display_name: str = strawberry.field(description="姓名")
    phone: str = strawberry.field(description="手机号")
    role: enums.UserRole = strawberry.field(description="账号角色")
    status: enums.RegistrationStatus = strawberry.field(description="注册审核状态")
    is_active: bool = strawberry.field(description="是否可以登录；停用后为 false")
    region_code: str | None = strawberry.field(description="乡村振兴局账号的辖区代码")
    created_at: datetime = strawberry.field(description="创建时间")
    last_login_at: datetime | None = strawberry.field(description="最近网页登录时间")

    @strawberry.field(description="全局编号，传给用户管理的各项操作")
    def id(self, root: models.User) -> strawberry.ID:
        return strawberry.ID(global_id_of(NODE, root.id))

    @strawberry.field(
        description="角色及所属单位的当前值；调整角色时原样传回 expectedAssignment，"
        "其间被他人修改则返回 stale_version"
    )
    def assignment(self, root: models.User) -> str:
        return user_admin.assignment_of(root)


async def _no_node(context: Context, key: int) -> None:
    """``ManagedUser`` ids are for the user administration's operations; ``node(id)`` answers
    with the account's ``Registration`` id only."""
    return None


register(NODE, models.User, _no_node, canonical=False)


@strawberry.type
class UserAdminQueries:
    @strawberry.field(
        description="用户管理：可管理的账号，新建的在前；可按文字、角色、县和状态筛选"
    )
    async def managed_users(
        self,
        info: Info,
        query: Annotated[str, strawberry.argument(description="用户名、姓名或手机号中的文字")] = "",
        role: Annotated[enums.UserRole | None, strawberry.argument(description="角色")] = None,
        county_code: Annotated[str, strawberry.argument(description="县（市、区）代码")] = "",
        status: Annotated[ManagedUserStatus | None, strawberry.argument(description="状态")] = None,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[ManagedUser]:
        request = page_request(first, after)
        actor = info.context.actor
        filters = user_admin.UserFilters(
            query=query[:40],
            role=enums.domain(role).value if role is not None else "",
            county_code=county_code[:6],
            status=status.value if status is not None else "",
        )
        page = await info.context.read(
            lambda s: user_admin.users_slice(
                session=s,
                actor=actor,
                filters=filters,
                offset=request.offset,
                limit=request.limit,
            )
        )
        return Connection(slice=page, offset=request.offset)


@strawberry.input(description="新建账号（乡村振兴局只能为本辖区的单位和村新建）")
class CreateUserInput:
    username: str = strawberry.field(description="用户名：3–40 位字母、数字或 _ . @ -")
    display_name: str = strawberry.field(description="姓名")
    password: str = strawberry.field(description="初始密码：至少 8 位，须同时包含字母和数字")
    role: enums.UserRole = strawberry.field(description="角色")
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None, description="所属帮扶主体、合作社或村（全局编号）；按角色必填"
    )
    region_code: str = strawberry.field(default="", description="乡村振兴局账号的辖区代码")
    phone: str = strawberry.field(default="", description="手机号")


@strawberry.input(description="指定一个账号")
class ManagedUserInput:
    user_id: strawberry.ID = strawberry.field(description="账号（ManagedUser 的全局编号）")


@strawberry.input(description="停用账号：不能再登录，其网页登录和接口令牌立即失效")
class DeactivateUserInput:
    user_id: strawberry.ID = strawberry.field(description="账号（ManagedUser 的全局编号）")
    reason: str = strawberry.field(default="", description="停用原因")


@strawberry.input(description="调整账号的角色和所属单位")
class ReassignUserInput:
    user_id: strawberry.ID = strawberry.field(description="账号（ManagedUser 的全局编号）")
    role: enums.UserRole = strawberry.field(description="新角色")
    expected_assignment: str = strawberry.field(description="读到的 assignment，原样传回")
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None, description="所属帮扶主体、合作社或村（全局编号）；按角色必填"
    )
    region_code: str = strawberry.field(default="", description="乡村振兴局账号的辖区代码")


ManagedUserPayload = payload_type(
    "ManagedUserPayload", "user", ManagedUser, description="用户管理操作的结果", label="账号"
)


@strawberry.type(description="生成一次性重置码的结果")
class IssueResetCodePayload:
    code: str | None = strawberry.field(
        description="重置码（8 位数字），仅此一次返回；请当面或电话交给本人"
    )
    expires_at: datetime | None = strawberry.field(description="失效时间")
    errors: list[UserError] = strawberry.field(description="业务错误；成功时为空列表")


def _user_key(value: strawberry.ID) -> int:
    return parse_id(value, NODE, field="user_id")


def _links(role: DomainRole, organisation_id, region_code: str) -> dict:
    if role == DomainRole.bureau:
        return {"region_code": region_code.strip()}
    if role not in LINK_NODE:
        return {}
    node, field = LINK_NODE[role]
    if not organisation_id:
        raise ValidationError("请指定所属单位", code="link_required", field="organisation_id")
    return {field: parse_id(organisation_id, node, field="organisation_id")}


@strawberry.type
class UserAdminMutations:
    @strawberry.mutation(description="新建账号（管理员；乡村振兴局限本辖区的单位和村级账号）")
    async def create_user(self, info: Info, input: Input[CreateUserInput]) -> ManagedUserPayload:
        actor = info.context.actor
        role = enums.domain(input.role)
        data = {
            "username": input.username,
            "display_name": input.display_name,
            "phone": input.phone,
            "password": input.password,
        }
        try:
            links = _links(role, input.organisation_id, input.region_code)
            # Hashing is slow: done before the write transaction opens.
            account = await asyncio.to_thread(prepare_account, data)
        except DomainError as exc:
            return ManagedUserPayload(user=None, errors=user_errors(exc))
        user, errors = await mutate(
            info,
            lambda s: create_user(session=s, actor=actor, account=account, role=role, **links),
        )
        return ManagedUserPayload(user=user, errors=errors)

    @strawberry.mutation(description="停用账号（不能停用自己）")
    async def deactivate_user(
        self, info: Info, input: Input[DeactivateUserInput]
    ) -> ManagedUserPayload:
        def work(session, actor):
            return user_admin.deactivate_user(
                session=session, actor=actor, user_id=_user_key(input.user_id), reason=input.reason
            )

        return await respond(info, ManagedUserPayload, work)

    @strawberry.mutation(description="重新启用停用的账号")
    async def reactivate_user(
        self, info: Info, input: Input[ManagedUserInput]
    ) -> ManagedUserPayload:
        def work(session, actor):
            return user_admin.reactivate_user(
                session=session, actor=actor, user_id=_user_key(input.user_id)
            )

        return await respond(info, ManagedUserPayload, work)

    @strawberry.mutation(description="调整账号的角色和所属单位")
    async def reassign_user(
        self, info: Info, input: Input[ReassignUserInput]
    ) -> ManagedUserPayload:
        def work(session, actor):
            role = enums.domain(input.role)
            links = _links(role, input.organisation_id, input.region_code)
            return user_admin.reassign_user(
                session=session,
                actor=actor,
                user_id=_user_key(input.user_id),
                role=role.value,
                link_id=next((v for k, v in links.items() if k != "region_code"), None),
                region_code=links.get("region_code"),
                seen=input.expected_assignment,
            )

        return await respond(info, ManagedUserPayload, work)

    @strawberry.mutation(
        description="为账号生成一次性密码重置码（72 小时内有效，只能用一次；原有的重置码作废）"
    )
    async def issue_reset_code(
        self, info: Info, input: Input[ManagedUserInput]
    ) -> IssueResetCodePayload:
        actor = info.context.actor

        def work(session):
            reset, code = password_resets.issue_reset_code(
                session=session, actor=actor, user_id=_user_key(input.user_id)
            )
            return reset.expires_at, code

        issued, errors = await mutate(info, work)
        if issued is None:
            return IssueResetCodePayload(code=None, expires_at=None, errors=errors)
        expires_at, code = issued
        return IssueResetCodePayload(code=code, expires_at=expires_at, errors=[])
