"""Whose contact (联系人、联系电话) an actor may see: one rule for pages, GraphQL and exports.

A contact is personal information (个人信息保护法): it is shown only to parties with a purpose —
the organisation's own staff, the bureau whose region holds it, admins, and *approved*
organisations that deal with it (an agreement in progress or done, or an order). Whether such a
dealing exists is a database fact the caller passes in as ``related``
(app/services/contacts.py works it out); this predicate never touches the database.
"""

from enum import StrEnum

from app.actors import Actor, Role
from app.permissions.base import _staff_id, is_bureau_for


class Party(StrEnum):
    """The kinds of organisation that have a contact."""

    village = "village"
    enterprise = "enterprise"
    cooperative = "cooperative"


def acts_for_approved_organisation(actor: Actor) -> bool:
    """Staff whose account and organisation are approved (pending staff act for none)."""
    return actor.role in (Role.village, Role.enterprise, Role.cooperative) and (
        _staff_id(actor, actor.role) is not None
    )


def can_see_contact(
    actor: Actor, party: Party, party_id: int, county_code: str | None, *, related: bool
) -> bool:
    """May ``actor`` see the contact of organisation ``party``/``party_id`` (masked phone)?

    ``county_code`` is the county holding the organisation (None: an enterprise from outside the
    city, which only the city bureau oversees); ``related``: the actor's organisation has an
    agreement or order with it.
    """
    if actor.role == Role.admin or is_bureau_for(actor, county_code):
        return True
    own = actor.role.value == party.value and _staff_id(actor, actor.role) == party_id
    return own or (related and acts_for_approved_organisation(actor))


def can_reveal_contact(
    actor: Actor, party: Party, party_id: int, county_code: str | None, *, related: bool
) -> bool:
    """Reveal the full phone number (an audited action): whoever may see the contact."""
    return can_see_contact(actor, party, party_id, county_code, related=related)
