"""Matrix actions for personal information: revealing a contact's full number, the retention purge.

Who deals with whom in the world (tests/authz/world.py): 甲企业 (enterprise_a) has proposed an
agreement to the village and buys from its cooperative; 乙企业 (enterprise_b) has an active
agreement with the village; the cooperative is in the village. All of it is in 平陆县.
"""

from datetime import timedelta

from sqlmodel import Session

from app.models import LoginAttempt, Product
from app.models.base import utcnow
from app.permissions import Party
from app.services import contacts, retention
from tests.authz.world import COUNTY_BUREAUS, Action, PreparedAction, World

OFFICE = COUNTY_BUREAUS | {"admin"}


def _reveal(party: Party, party_id):
    return lambda s, w, a: contacts.reveal_contact(
        session=s, actor=a, party=party, party_id=party_id(s, w)
    )


def _cooperative_of(session: Session, world: World) -> int:
    return session.get(Product, world.trade["product"]).cooperative_id


def _old_login_attempt(session: Session, world: World) -> None:
    session.add(LoginAttempt(key="ip:10.0.0.1", attempted_at=utcnow() - timedelta(days=400)))
    session.flush()


def _purge(session: Session, world: World, actor) -> dict:
    return retention.purge_expired(session=session, actor=actor, now=utcnow())


ACTIONS = [
    Action(
        "contacts.reveal_contact (village)",
        _reveal(Party.village, lambda s, w: w.village_id),
        OFFICE | {"village", "enterprise_a", "enterprise_b", "cooperative"},
        covers=("contact.reveal",),
    ),
    Action(
        "contacts.reveal_contact (enterprise)",
        _reveal(Party.enterprise, lambda s, w: w.enterprise_a),
        OFFICE | {"enterprise_a", "village", "cooperative"},
        covers=("contact.reveal",),
    ),
    Action(
        "contacts.reveal_contact (cooperative)",
        _reveal(Party.cooperative, _cooperative_of),
        OFFICE | {"cooperative", "village", "enterprise_a"},
        covers=("contact.reveal",),
    ),
    PreparedAction(
        "retention.purge_expired",
        _purge,
        frozenset({"admin"}),
        prepare=_old_login_attempt,
        covers=("retention.purge",),
    ),
]

# Edits at a version (tests/edit_paths.py): none.
EDITS = ()
UNVERSIONED = ()
LIFECYCLE_STEPS = ()
