"""Contacts (联系人、联系电话) of villages, enterprises and cooperatives, as the rule allows.

Who may see a contact is ``app.permissions.can_see_contact``; this module supplies the database
facts it needs (which organisations the actor deals with) and hands out contacts already masked.
The full phone number leaves only through ``reveal_contact``, which records who saw whose
contact and when (docs/decisions/0019-personal-information.md).
"""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor, Role
from app.errors import NotFoundError
from app.models import Cooperative, Enterprise, Order, PairingAgreement, Product, Village
from app.models.enums import AgreementStatus, OrderStatus
from app.permissions import Party, acts_for_approved_organisation, can_see_contact, require
from app.services.bus import publish
from app.services.domain_events import ContactEvent

# An agreement gives a purpose from the coverage plan's draft on (the enterprise settles its
# commitments with the village), and still after it is completed (reports are confirmed
# afterwards); a declined, withdrawn or terminated one does not.
CONTACT_AGREEMENT_STATUSES = (
    AgreementStatus.draft,
    AgreementStatus.proposed,
    AgreementStatus.signed,
    AgreementStatus.returned,
    AgreementStatus.active,
    AgreementStatus.completed,
)
# Any order but a cancelled one: buyer and seller must be able to reach each other.
CONTACT_ORDER_STATUSES = tuple(s for s in OrderStatus if s != OrderStatus.cancelled)

_MODELS = {Party.village: Village, Party.enterprise: Enterprise, Party.cooperative: Cooperative}
_LABELS = {Party.village: "村", Party.enterprise: "帮扶主体", Party.cooperative: "合作社"}
Related = frozenset[tuple[Party, int]]


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact as one actor may read it; ``phone`` is masked unless revealed."""

    party: Party
    party_id: int
    name: str
    phone: str
    revealed: bool = False


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits; shorter numbers keep two at the end."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]  # +86: the country code is not part of the number
    if not digits:
        return ""
    if len(digits) >= 8:
        return f"{digits[:3]}****{digits[-4:]}"
    return f"****{digits[-2:]}"


def related_parties(*, session: Session, actor: Actor) -> Related:
    """The organisations the actor's (approved) organisation has an agreement or order with."""
    if not acts_for_approved_organisation(actor):
        return frozenset()
    pa, order = PairingAgreement, Order
    agreement_open = pa.status.in_(CONTACT_AGREEMENT_STATUSES)
    order_open = order.status.in_(CONTACT_ORDER_STATUSES)
    queries: list[tuple[Party, sa.Select]] = []
    if actor.role == Role.enterprise:
        own = actor.enterprise_id
        queries = [
            (
                Party.village,
                sa.select(pa.village_id).where(pa.enterprise_id == own, agreement_open),
            ),
            (
                Party.cooperative,
                sa.select(Product.cooperative_id)
                .join(order, order.product_id == Product.id)
                .where(order.buyer_id == own, order_open),
            ),
        ]
    elif actor.role == Role.village:
        own = actor.village_id
        queries = [
            (
                Party.enterprise,
                sa.select(pa.enterprise_id).where(pa.village_id == own, agreement_open),
            ),
            # The cooperatives of the village are the village's own producers.
            (Party.cooperative, sa.select(Cooperative.id).where(Cooperative.village_id == own)),
        ]
    elif actor.role == Role.cooperative:
        own = actor.cooperative_id
        queries = [
            (
                Party.enterprise,
                sa.select(order.buyer_id)
                .join(Product, order.product_id == Product.id)
                .where(Product.cooperative_id == own, order_open),
            ),
            (
                Party.village,
                sa.select(Cooperative.village_id).where(Cooperative.id == own),
            ),
        ]
    found: set[tuple[Party, int]] = set()
    for party, query in queries:
        found.update((party, row_id) for row_id in session.execute(query.distinct()).scalars())
    return frozenset(found)


def county_of(session: Session, party: Party, organisation) -> str | None:
    """The county whose bureau oversees the organisation."""
    if party == Party.cooperative:
        return session.get(Village, organisation.village_id).county_code
    return organisation.county_code


def may_see(
    session: Session, actor: Actor, party: Party, organisation, related: Related | None = None
) -> bool:
    """``can_see_contact`` for a loaded organisation; ``related`` is computed when not given."""
    if related is None:
        related = related_parties(session=session, actor=actor)
    county = county_of(session, party, organisation)
    return can_see_contact(
        actor, party, organisation.id, county, related=(party, organisation.id) in related
    )


def contact_for(
    *, session: Session, actor: Actor, party: Party, organisation, related: Related | None = None
) -> Contact | None:
    """The organisation's contact with its phone masked, or None when the actor may not see it."""
    if not may_see(session, actor, party, organisation, related):
        return None
    return Contact(
        party=party,
        party_id=organisation.id,
        name=organisation.contact_name,
        phone=mask_phone(organisation.contact_phone),
    )


def reveal_contact(*, session: Session, actor: Actor, party: Party, party_id: int) -> Contact:
    """The full phone number, for whoever may see the contact; records who saw it, and when."""
    organisation = session.get(_MODELS[party], party_id)
    if organisation is None:
        raise NotFoundError(f"{_LABELS[party]}不存在")
    require(may_see(session, actor, party, organisation))
    publish(
        session,
        ContactEvent.by(
            actor,
            action="contact.reveal",
            obj=organisation,
            summary=f"查看 {organisation.name} 的完整联系电话",
            county_code=county_of(session, party, organisation),
        ),
    )
    return Contact(
        party=party,
        party_id=organisation.id,
        name=organisation.contact_name,
        phone=organisation.contact_phone,
        revealed=True,
    )
