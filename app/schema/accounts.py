"""The signed-in user (``me``), API tokens, password changes and the review of registrations.

Self-registration of accounts is a page (it sets a session); the API offers none.
"""

from datetime import datetime

import strawberry

from app import models
from app.errors import DomainError
from app.permissions import can_review_registration, can_see_registration
from app.schema import enums
from app.schema.context import Context, Info
from app.schema.errors import UserError, mutate, user_errors
from app.schema.node import Node, is_type_of, parse_id, register
from app.schema.organisations import (
    Cooperative,
    Enterprise,
    visible_cooperative,
    visible_enterprise,
)
from app.schema.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Connection,
    First,
    page_request,
)
from app.schema.payloads import Input, payload_type, respond
from app.schema.regions import Village
from app.services import accounts, api_tokens, credentials
from app.services.contacts import mask_phone
from app.services.queries.batches import Slice

# Where the session cookie keeps the account's auth version (app/web/auth.py).
SESSION_AUTH_VERSION = "av"


@strawberry.type(description="接口令牌：只保存摘要，明文仅在创建时返回一次")
class ApiToken(Node):
    is_type_of = is_type_of(models.ApiToken)

    name: str = strawberry.field(description="用途")
    prefix: str = strawberry.field(description="令牌开头几位，便于辨认")
    created_at: datetime = strawberry.field(description="创建时间")
    last_used_at: datetime | None = strawberry.field(
        description="最近使用时间（每 5 分钟至多记录一次）"
    )
    revoked_at: datetime | None = strawberry.field(description="吊销时间；有效时为空")
    expires_at: datetime | None = strawberry.field(description="到期时间")


async def _enterprise_of(info: Info, user: models.User) -> models.Enterprise | None:
    if user.enterprise_id is None:
        return None
    return await visible_enterprise(info.context, user.enterprise_id)


async def _cooperative_of(info: Info, user: models.User) -> models.Cooperative | None:
    if user.cooperative_id is None:
        return None
    return await visible_cooperative(info.context, user.cooperative_id)


def _village_of(info: Info, user: models.User):
    if user.village_id is None:
        return None
    return info.context.loaders.village_by_id.load(user.village_id)


@strawberry.type(description="注册申请（账号及其单位）。仅申请人本人和负责审核的乡村振兴局可见")
class Registration(Node):
    is_type_of = is_type_of(models.User)

    username: str = strawberry.field(description="用户名")
    display_name: str = strawberry.field(description="姓名")
    role: enums.UserRole = strawberry.field(description="账号角色")
    status: enums.RegistrationStatus = strawberry.field(description="审核状态")
    status_reason: str = strawberry.field(description="未通过的原因")
    created_at: datetime = strawberry.field(description="申请时间")

    @strawberry.field(description="手机号：审核的乡村振兴局看完整号码，申请人本人看 138****5678")
    async def phone(self, root: models.User, info: Info) -> str:
        county = await info.context.read(lambda s: accounts.registration_county(s, root))
        full = can_review_registration(info.context.actor, county)
        return root.phone if full else mask_phone(root.phone)

    @strawberry.field(description="所属帮扶主体（帮扶主体账号）")
    async def enterprise(self, root: models.User, info: Info) -> Enterprise | None:
        return await _enterprise_of(info, root)

    @strawberry.field(description="所属合作社（合作社账号）")
    async def cooperative(self, root: models.User, info: Info) -> Cooperative | None:
        return await _cooperative_of(info, root)

    @strawberry.field(description="所属村（村级账号）")
    def village(self, root: models.User, info: Info) -> Village | None:
        return _village_of(info, root)


@strawberry.type(description="当前登录的用户")
class Me:
    username: str = strawberry.field(description="用户名")
    display_name: str = strawberry.field(description="姓名")
    role: enums.UserRole = strawberry.field(description="账号角色")
    status: enums.RegistrationStatus = strawberry.field(description="注册审核状态")
    region_code: str | None = strawberry.field(
        description="乡村振兴局账号的辖区代码：市（140800）或一个县"
    )
    created_at: datetime = strawberry.field(description="注册时间")
    last_login_at: datetime | None = strawberry.field(description="最近网页登录时间")

    @strawberry.field(description="手机号，按 138****5678 遮盖")
    def phone(self, root: models.User) -> str:
        return mask_phone(root.phone)

    @strawberry.field(description="所在单位或辖区的名称")
    def organisation(self, info: Info) -> str:
        return info.context.actor.organisation

    @strawberry.field(description="本人的注册申请")
    def registration(self, root: models.User) -> Registration:
        return root  # type: ignore[return-value]

    @strawberry.field(description="所属帮扶主体（帮扶主体账号）")
    async def enterprise(self, root: models.User, info: Info) -> Enterprise | None:
        return await _enterprise_of(info, root)

    @strawberry.field(description="所属合作社（合作社账号）")
    async def cooperative(self, root: models.User, info: Info) -> Cooperative | None:
        return await _cooperative_of(info, root)

    @strawberry.field(description="所属村（村级账号）")
    def village(self, root: models.User, info: Info) -> Village | None:
        return _village_of(info, root)

    @strawberry.field(description="本人的接口令牌，新建的在前（含已吊销的）")
    async def api_tokens(self, info: Info) -> list[ApiToken]:
        actor = info.context.actor
        return await info.context.read(lambda s: api_tokens.list_api_tokens(session=s, actor=actor))


# Visibility -----------------------------------------------------------------------------------


async def visible_registration(context: Context, key: int) -> models.User | None:
    user = await context.loaders.user_by_id.load(key)
    if user is None:
        return None
    county = await context.read(lambda s: accounts.registration_county(s, user))
    return user if can_see_registration(context.actor, user.id, county) else None


async def own_api_token(context: Context, key: int) -> models.ApiToken | None:
    token = await context.loaders.api_token_by_id.load(key)
    owner = context.actor.user_id
    return token if token is not None and owner is not None and token.user_id == owner else None


register("Registration", models.User, visible_registration)
register("ApiToken", models.ApiToken, own_api_token)


@strawberry.type
class AccountQueries:
    @strawberry.field(description="当前登录的用户；未登录时为空")
    async def me(self, info: Info) -> Me | None:
        user_id = info.context.actor.user_id
        return None if user_id is None else await info.context.loaders.user_by_id.load(user_id)

    @strawberry.field(description="待审核的注册申请（乡村振兴局，限本辖区），先申请的在前")
    async def pending_registrations(
        self, info: Info, first: First = DEFAULT_PAGE_SIZE, after: After = None
    ) -> Connection[Registration]:
        request = page_request(first, after)
        actor = info.context.actor
        users = await info.context.read(
            lambda s: accounts.pending_registrations(session=s, actor=actor)
        )
        rows = users[request.offset : request.offset + request.limit]
        has_next = request.offset + len(rows) < len(users)
        page = Slice(rows=rows, total=len(users), has_next=has_next)
        return Connection(slice=page, offset=request.offset)


# Mutations ------------------------------------------------------------------------------------


@strawberry.input(description="创建接口令牌")
class CreateApiTokenInput:
    name: str = strawberry.field(description="用途，如 省级平台对接（不超过 60 个字符）")
    lifetime_days: int = strawberry.field(
        default=api_tokens.DEFAULT_LIFETIME_DAYS,
        description="有效天数：30、90、180 或 365；到期后令牌与不存在的令牌一样被拒绝",
    )


@strawberry.input(description="吊销接口令牌")
class RevokeApiTokenInput:
    api_token_id: strawberry.ID = strawberry.field(description="令牌（全局编号）")


@strawberry.input(description="修改登录密码；成功后其他设备上的网页登录和全部接口令牌失效")
class ChangePasswordInput:
    old_password: str = strawberry.field(description="原密码")
    new_password: str = strawberry.field(description="新密码：至少 8 位，须同时包含字母和数字")


@strawberry.input(description="审核注册申请")
class ReviewRegistrationInput:
    registration_id: strawberry.ID = strawberry.field(description="注册申请（全局编号）")
    approve: bool = strawberry.field(description="true 通过，false 不通过")
    reason: str = strawberry.field(default="", description="不通过的原因（不通过时必填）")


@strawberry.type(description="创建接口令牌的结果")
class CreateApiTokenPayload:
    api_token: ApiToken | None = strawberry.field(description="新令牌；出错时为空")
    token: str | None = strawberry.field(
        description="令牌明文，仅此一次返回；请求头写作 Authorization: Bearer <令牌>"
    )
    errors: list[UserError] = strawberry.field(description="业务错误；成功时为空列表")


RevokeApiTokenPayload = payload_type(
    "RevokeApiTokenPayload",
    "api_token",
    ApiToken,
    description="吊销接口令牌的结果",
    label="已吊销的令牌",
)
ChangePasswordPayload = payload_type(
    "ChangePasswordPayload", "me", Me, description="修改密码的结果", label="当前用户"
)
ReviewRegistrationPayload = payload_type(
    "ReviewRegistrationPayload",
    "registration",
    Registration,
    description="审核注册申请的结果",
    label="审核后的申请",
)


def _keep_this_session(context: Context, user: models.User) -> None:
    """The browser that changed its password stays signed in (as on the account page)."""
    request = context.request
    if request is None or getattr(request.state, "auth_method", None) != "session":
        return
    if "session" in request.scope and request.session:
        request.session[SESSION_AUTH_VERSION] = user.auth_version


@strawberry.type
class AccountMutations:
    @strawberry.mutation(description="为当前用户创建接口令牌")
    async def create_api_token(
        self,
        info: Info,
        input: Input[CreateApiTokenInput],
    ) -> CreateApiTokenPayload:
        actor = info.context.actor
        created, errors = await mutate(
            info,
            lambda s: api_tokens.create_api_token(
                session=s, actor=actor, name=input.name, lifetime_days=input.lifetime_days
            ),
        )
        token, raw = created or (None, None)
        return CreateApiTokenPayload(api_token=token, token=raw, errors=errors)

    @strawberry.mutation(description="吊销当前用户的一个接口令牌")
    async def revoke_api_token(
        self,
        info: Info,
        input: Input[RevokeApiTokenInput],
    ) -> RevokeApiTokenPayload:
        def work(session, actor):
            key = parse_id(input.api_token_id, "ApiToken", field="api_token_id")
            return api_tokens.revoke_api_token(session=session, actor=actor, token_id=key)

        return await respond(info, RevokeApiTokenPayload, work)

    @strawberry.mutation(description="修改当前用户的登录密码")
    async def change_password(
        self,
        info: Info,
        input: Input[ChangePasswordInput],
    ) -> ChangePasswordPayload:
        actor = info.context.actor
        request = info.context.request
        keep = getattr(request.state, "user_session_id", None) if request is not None else None
        try:
            # Verified and hashed with the read session, before the write transaction opens.
            checked = await info.context.read(
                lambda s: credentials.check_password_change(
                    session=s,
                    actor=actor,
                    old_password=input.old_password,
                    new_password=input.new_password,
                )
            )
        except DomainError as exc:
            return ChangePasswordPayload(me=None, errors=user_errors(exc))
        user, errors = await mutate(
            info,
            lambda s: credentials.apply_password_change(
                session=s, actor=actor, change=checked, keep_session_id=keep
            ),
        )
        if user is not None:
            _keep_this_session(info.context, user)
        return ChangePasswordPayload(me=user, errors=errors)

    @strawberry.mutation(description="通过或驳回注册申请（乡村振兴局，限本辖区）")
    async def review_registration(
        self,
        info: Info,
        input: Input[ReviewRegistrationInput],
    ) -> ReviewRegistrationPayload:
        def work(session, actor):
            key = parse_id(input.registration_id, "Registration", field="registration_id")
            return accounts.review_registration(
                session=session,
                actor=actor,
                user_id=key,
                approve=input.approve,
                reason=input.reason,
            )

        return await respond(info, ReviewRegistrationPayload, work)
