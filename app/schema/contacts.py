"""Contacts in the API: masked phone fields and the audited revealContact mutation."""

import strawberry
from sqlmodel import SQLModel

from app.errors import ValidationError
from app.permissions import Party
from app.schema.context import Info
from app.schema.node import decode_id
from app.schema.payloads import Input, payload_type, respond
from app.services import contacts
from app.services.contacts import Contact as DomainContact

_PARTIES = {
    "Village": Party.village,
    "Enterprise": Party.enterprise,
    "Cooperative": Party.cooperative,
}


async def contact_of(info: Info, party: Party, root: SQLModel) -> DomainContact | None:
    """The contact of ``root`` as the reader may see it (phone masked), or None."""
    context = info.context
    if not context.actor.is_authenticated:
        return None

    def work(session):
        if context.contact_related is None:
            context.contact_related = contacts.related_parties(session=session, actor=context.actor)
        return contacts.contact_for(
            session=session,
            actor=context.actor,
            party=party,
            organisation=root,
            related=context.contact_related,
        )

    return await context.read(work)


async def contact_name(info: Info, party: Party, root: SQLModel) -> str | None:
    contact = await contact_of(info, party, root)
    return contact.name if contact is not None else None


async def contact_phone(info: Info, party: Party, root: SQLModel) -> str | None:
    contact = await contact_of(info, party, root)
    return contact.phone if contact is not None else None


CONTACT_NAME = (
    "联系人；仅本单位、所在县乡村振兴局、管理员和与其有结对协议或订单往来的已审核单位可见"
)
CONTACT_PHONE = (
    "联系电话，按 138****5678 遮盖（可见范围同联系人）；完整号码用 revealContact 获取并留痕"
)


@strawberry.type(description="联系人与完整联系电话（每次获取都记入操作记录）")
class Contact:
    name: str = strawberry.field(description="联系人")
    phone: str = strawberry.field(description="完整联系电话")


@strawberry.input(description="查看村、帮扶主体或合作社的完整联系电话")
class RevealContactInput:
    organisation_id: strawberry.ID = strawberry.field(description="村、帮扶主体或合作社的全局编号")


RevealContactPayload = payload_type(
    "RevealContactPayload", "contact", Contact, description="查看完整联系电话的结果", label="联系人"
)


def _organisation(value: str) -> tuple[Party, int]:
    decoded = decode_id(value)
    if decoded is None or decoded[0] not in _PARTIES:
        raise ValidationError(
            "编号无效，请使用村、帮扶主体或合作社的 id", code="invalid_id", field="organisation_id"
        )
    return _PARTIES[decoded[0]], decoded[1]


def _reveal(session, actor, organisation_id: str) -> Contact:
    party, party_id = _organisation(organisation_id)
    found = contacts.reveal_contact(session=session, actor=actor, party=party, party_id=party_id)
    return Contact(name=found.name, phone=found.phone)


@strawberry.type
class ContactMutations:
    @strawberry.mutation(
        description="查看完整联系电话（有权查看联系人的用户）；记录谁在何时查看了谁的号码"
    )
    async def reveal_contact(
        self, info: Info, input: Input[RevealContactInput]
    ) -> RevealContactPayload:
        return await respond(
            info, RevealContactPayload, lambda s, actor: _reveal(s, actor, input.organisation_id)
        )
