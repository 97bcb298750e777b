"""Matrix actions for the inbox, notifications, mail addresses and certification objections."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from app.actors import ANONYMOUS
from app.services import certification, inbox, notifications, objections
from app.services.clock import today
from tests.authz.world import ACTORS, COUNTY_BUREAUS, SIGNED_IN, Action, World

EVERYONE = frozenset(ACTORS)
BUREAU_READERS = COUNTY_BUREAUS | {"bureau_other_county", "admin"}


@dataclass(frozen=True)
class PreparedAction(Action):
    """An action whose scaffolding is built before the row counts are taken."""

    prepare: Callable[[Session, World], None] | None = None


def _publicise(session: Session, world: World) -> None:
    """Put the world's pending application on public notice (as a county officer would)."""
    certification.approve_certification(
        session=session,
        actor=world.actors["bureau_county"],
        application_id=world.trade["application"],
        data={"expires_on": today().replace(year=today().year + 1, day=1)},
    )


def _objection(session: Session, world: World) -> None:
    _publicise(session, world)
    objection = objections.file_objection(
        session=session,
        actor=ANONYMOUS,
        application_id=world.trade["application"],
        data={"reason": "产地与申报不符，请核查。"},
    )
    world.trade["objection"] = objection.id


def _file(s, w, a):
    return objections.file_objection(
        session=s,
        actor=a,
        application_id=w.trade["application"],
        data={"reason": "价格明显偏高，质次价高。"},
    )


def _resolve(s, w, a):
    return objections.resolve_objection(
        session=s,
        actor=a,
        objection_id=w.trade["objection"],
        data={"decision": "dismissed", "resolution": "经核查，异议不成立"},
    )


def _dismiss(s, w, a):
    return objections.dismiss_objections(
        session=s,
        actor=a,
        application_id=w.trade["application"],
        data={"objection_ids": [w.trade["objection"]], "resolution": "重复提交，经核查不成立"},
    )


ACTIONS = [
    Action(
        "inbox.inbox",
        lambda s, w, a: inbox.inbox(session=s, actor=a),
        EVERYONE,
        writes=False,
    ),
    Action(
        "notifications.list_notifications",
        lambda s, w, a: notifications.list_notifications(session=s, actor=a),
        SIGNED_IN,
        writes=False,
    ),
    Action(
        "notifications.mark_read",
        lambda s, w, a: notifications.mark_read(session=s, actor=a),
        SIGNED_IN,
        writes=False,
    ),
    Action(
        "notifications.set_mail_address",
        lambda s, w, a: notifications.set_mail_address(
            session=s, actor=a, address="staff@example.cn"
        ),
        SIGNED_IN,
    ),
    PreparedAction("objections.file_objection", _file, EVERYONE, prepare=_publicise),
    PreparedAction("objections.resolve_objection", _resolve, COUNTY_BUREAUS, prepare=_objection),
    PreparedAction("objections.dismiss_objections", _dismiss, COUNTY_BUREAUS, prepare=_objection),
    PreparedAction(
        "objections.objection_queue",
        lambda s, w, a: objections.objection_queue(session=s, actor=a),
        BUREAU_READERS,
        writes=False,
        prepare=_objection,
    ),
]
