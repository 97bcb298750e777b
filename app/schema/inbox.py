"""The to-do inbox, notifications and objections to certifications (public disclosure:
app/schema/disclosure.py)."""

from datetime import datetime
from typing import Annotated

import strawberry

from app import models
from app.labels import OBJECTION_STATUS
from app.models.enums import ObjectionStatus as DomainObjectionStatus
from app.schema import enums
from app.schema.context import Context, Info
from app.schema.disclosure import Disclosure
from app.schema.errors import require_signed_in
from app.schema.node import Node, is_type_of, parse_id, register
from app.schema.payloads import Input, payload_type, respond
from app.schema.trade_bureau import CertificationApplication, visible_application
from app.services import inbox, notifications, objections

ObjectionStatus = enums.graphql_enum(DomainObjectionStatus, OBJECTION_STATUS, "公示异议的处理状态")
PageNumber = Annotated[int, strawberry.argument(description="页码，从 1 开始")]
CountyCode = Annotated[str, strawberry.argument(description="县级代码，如 140829")]


@strawberry.type(description="一项待办：标题、补充说明和办理页面")
class InboxItem:
    title: str = strawberry.field(description="标题，如 协议编号 · 帮扶单位 → 帮扶村")
    detail: str = strawberry.field(description="补充说明")
    link: str = strawberry.field(description="办理该事项的页面路径，如 /agreements/12")
    since: datetime | None = strawberry.field(description="事项开始等待的时间")


@strawberry.type(description="一类待办：总数和一页事项（每页 20 项，早的在前）")
class InboxGroup:
    key: str = strawberry.field(description="类别代码，如 proposals_to_sign")
    label: str = strawberry.field(description="类别名称，如 待签约的结对提议")
    count: int = strawberry.field(description="该类待办的总数")
    items: list[InboxItem] = strawberry.field(description="本页的事项（至多 20 项）")

    @strawberry.field(description="页码，从 1 开始")
    def page(self, root: inbox.InboxGroup) -> int:
        return root.number

    @strawberry.field(description="总页数")
    def pages(self, root: inbox.InboxGroup) -> int:
        return root.pages


@strawberry.type(description="待办：由当前数据实时得出，办完即消失")
class Inbox:
    count: int = strawberry.field(description="待办总数（导航栏角标上的数字）")
    groups: list[InboxGroup] = strawberry.field(description="本角色的各类待办（含数量为 0 的）")


@strawberry.type(description="一条消息：与您（或您的单位）有关的一次操作")
class Notification(Node):
    is_type_of = is_type_of(models.Notification)

    kind: str = strawberry.field(description="引起消息的操作，如 agreement.sign")
    title: str = strawberry.field(description="标题")
    body: str = strawberry.field(description="内容（操作记录的摘要）")
    link: str = strawberry.field(description="相关页面的路径")
    created_at: datetime = strawberry.field(description="时间")
    read_at: datetime | None = strawberry.field(description="标为已读的时间；未读时为空")


async def visible_notification(context: Context, key: int) -> models.Notification | None:
    actor = context.actor
    return await context.read(
        lambda s: notifications.visible_notification(session=s, actor=actor, notification_id=key)
    )


register("Notification", models.Notification, visible_notification)


@strawberry.type(description="一页消息")
class NotificationList:
    items: list[Notification] = strawberry.field(description="本页的消息，新的在前")
    total: int = strawberry.field(description="符合条件的消息总数")
    page: int = strawberry.field(description="页码")
    unread: int = strawberry.field(description="未读消息数")


@strawberry.type(description="对公示中的产品认定提出的异议（乡村振兴局和管理员可见）")
class CertificationObjection(Node):
    is_type_of = is_type_of(models.CertificationObjection)

    status: ObjectionStatus = strawberry.field(description="处理状态")
    reason: str = strawberry.field(description="异议理由")
    filer_name: str = strawberry.field(description="异议人姓名或单位（不公开）")
    filer_contact: str = strawberry.field(description="异议人联系方式（不公开）")
    resolution: str = strawberry.field(description="处理意见")
    filed_at: datetime = strawberry.field(description="提出时间")
    resolved_at: datetime | None = strawberry.field(description="处理时间")

    @strawberry.field(description="所异议的认定申请")
    async def application(
        self, root: models.CertificationObjection, info: Info
    ) -> CertificationApplication | None:
        return await visible_application(info.context, root.application_id)


async def visible_objection(context: Context, key: int) -> models.CertificationObjection | None:
    actor = context.actor
    return await context.read(
        lambda s: objections.visible_objection(session=s, actor=actor, objection_id=key)
    )


register("CertificationObjection", models.CertificationObjection, visible_objection)


@strawberry.type(description="异议已受理（公开回执，不含异议人信息）")
class ObjectionReceipt:
    status: ObjectionStatus = strawberry.field(description="处理状态")
    filed_at: datetime = strawberry.field(description="提出时间")


@strawberry.type
class InboxQueries:
    @strawberry.field(description="我的待办（需登录）")
    async def inbox(self, info: Info) -> Inbox:
        actor = info.context.actor
        require_signed_in(actor)
        groups = await info.context.read(lambda s: inbox.inbox(session=s, actor=actor))
        return Inbox(count=sum(g.count for g in groups), groups=groups)  # type: ignore[arg-type]

    @strawberry.field(
        description="我的某一类待办的一页（需登录）；本角色没有该类待办时为空。页码超出时给出最后一页"
    )
    async def inbox_group(
        self,
        info: Info,
        key: Annotated[str, strawberry.argument(description="类别代码，如 overdue_reports")],
        page: PageNumber = 1,
    ) -> InboxGroup | None:
        actor = info.context.actor
        require_signed_in(actor)
        return await info.context.read(
            lambda s: inbox.inbox_group(session=s, actor=actor, key=key, page=page)
        )  # type: ignore[return-value]

    @strawberry.field(description="我的消息，新的在前，每页 20 条（需登录）")
    async def notifications(
        self,
        info: Info,
        unread_only: Annotated[bool, strawberry.argument(description="只看未读")] = False,
        page: PageNumber = 1,
    ) -> NotificationList:
        actor = info.context.actor
        require_signed_in(actor)

        def work(session):
            found = notifications.list_notifications(
                session=session, actor=actor, unread_only=unread_only, page=page
            )
            unread = notifications.unread_count(session=session, actor=actor)
            return found, unread

        found, unread = await info.context.read(work)
        return NotificationList(
            items=found.items, total=found.total, page=found.number, unread=unread
        )  # type: ignore[arg-type]

    @strawberry.field(description="信息公示（无需登录）")
    def disclosure(self) -> Disclosure:
        return Disclosure()

    @strawberry.field(description="待处理的公示异议，先提出的在前（乡村振兴局，限本辖区）")
    async def certification_objections(self, info: Info) -> list[CertificationObjection]:
        actor = info.context.actor
        rows = await info.context.read(lambda s: objections.objection_queue(session=s, actor=actor))
        for row in rows:
            info.context.loaders.application_by_id.prime(row.application_id, row.application)
        return rows  # type: ignore[return-value]


@strawberry.input(description="把消息标为已读；不给 ids 时标记全部")
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="消息的全局编号；不填则全部标为已读"
    )


MarkNotificationsReadPayload = payload_type(
    "MarkNotificationsReadPayload",
    "count",
    int,
    description="标记已读的结果",
    label="本次标为已读的条数",
)


@strawberry.input(description="对公示期内的产品认定提出异议（任何人均可，无需登录）")
class FileObjectionInput:
    application_id: strawberry.ID = strawberry.field(description="认定申请（全局编号）")
    reason: str = strawberry.field(description="异议理由：事实和理由（5 至 1000 个字符）")
    filer_name: str = strawberry.field(default="", description="姓名或单位（选填，不公开）")
    filer_contact: str = strawberry.field(default="", description="联系方式（选填，不公开）")


@strawberry.input(description="处理公示异议（产品所在县的乡村振兴局）")
class ResolveObjectionInput:
    objection_id: strawberry.ID = strawberry.field(description="异议（全局编号）")
    decision: ObjectionStatus = strawberry.field(
        description="UPHELD 异议成立（认定不予通过）或 DISMISSED 异议不成立"
    )
    resolution: str = strawberry.field(description="处理意见（1 至 500 个字符）")


@strawberry.input(
    description="批量驳回对同一项认定的异议（如大量重复提交；产品所在县的乡村振兴局）"
)
class DismissObjectionsInput:
    application_id: strawberry.ID = strawberry.field(description="认定申请（全局编号）")
    objection_ids: list[strawberry.ID] = strawberry.field(
        description="要驳回的异议（全局编号，须为该认定下未处理的异议，至多 500 条）"
    )
    resolution: str = strawberry.field(description="处理意见（1 至 500 个字符）")


DismissObjectionsPayload = payload_type(
    "DismissObjectionsPayload",
    "objections",
    list[CertificationObjection],
    description="批量驳回异议的结果",
    label="被驳回的异议",
)
FileObjectionPayload = payload_type(
    "FileObjectionPayload",
    "objection",
    ObjectionReceipt,
    description="提出异议的结果",
    label="异议回执",
)
ResolveObjectionPayload = payload_type(
    "ResolveObjectionPayload",
    "objection",
    CertificationObjection,
    description="处理异议的结果",
    label="异议",
)


@strawberry.type
class InboxMutations:
    @strawberry.mutation(description="把我的消息标为已读（需登录）")
    async def mark_notifications_read(
        self, info: Info, input: Input[MarkNotificationsReadInput]
    ) -> MarkNotificationsReadPayload:
        def work(session, actor):
            require_signed_in(actor)
            ids = None
            if input.ids is not None:
                ids = [parse_id(value, "Notification", field="ids") for value in input.ids]
            return notifications.mark_read(session=session, actor=actor, notification_ids=ids)

        return await respond(info, MarkNotificationsReadPayload, work)

    @strawberry.mutation(
        description="对公示期内的产品认定提出异议（无需登录）。同一联系方式对同一认定只能有一条"
        "未处理的异议（再次提交返回 objection_already_received）；按地址和联系方式限制频率"
        "（超出返回 throttled）"
    )
    async def file_objection(
        self, info: Info, input: Input[FileObjectionInput]
    ) -> FileObjectionPayload:
        data = {
            "reason": input.reason,
            "filer_name": input.filer_name,
            "filer_contact": input.filer_contact,
        }
        return await respond(
            info,
            FileObjectionPayload,
            lambda s, actor: objections.file_objection(
                session=s,
                actor=actor,
                application_id=parse_id(
                    input.application_id, "CertificationApplication", field="application_id"
                ),
                data=data,
                address=info.context.address,
            ),
        )

    @strawberry.mutation(description="批量驳回异议：一次处理，逐条记录，合作社收到一条消息")
    async def dismiss_objections(
        self, info: Info, input: Input[DismissObjectionsInput]
    ) -> DismissObjectionsPayload:
        def work(session, actor):
            ids = [
                parse_id(value, "CertificationObjection", field="objection_ids")
                for value in input.objection_ids
            ]
            return objections.dismiss_objections(
                session=session,
                actor=actor,
                application_id=parse_id(
                    input.application_id, "CertificationApplication", field="application_id"
                ),
                data={"objection_ids": ids, "resolution": input.resolution},
            )

        return await respond(info, DismissObjectionsPayload, work)

    @strawberry.mutation(description="处理公示异议：成立则认定不予通过，不成立则认定继续")
    async def resolve_objection(
        self, info: Info, input: Input[ResolveObjectionInput]
    ) -> ResolveObjectionPayload:
        data = {"decision": enums.domain(input.decision), "resolution": input.resolution}
        return await respond(
            info,
            ResolveObjectionPayload,
            lambda s, actor: objections.resolve_objection(
                session=s,
                actor=actor,
                objection_id=parse_id(
                    input.objection_id, "CertificationObjection", field="objection_id"
                ),
                data=data,
            ),
        )
