"""Matrix actions for certification (产品认定): applications, decisions, objections on notice."""

from sqlmodel import Session

from app.actors import ANONYMOUS
from app.services import certification, objections
from app.services.clock import today
from tests.authz.world import ACTORS, COUNTY_BUREAUS, Action, PreparedAction, World

COOPERATIVE = frozenset({"cooperative"})
EVERYONE = frozenset(ACTORS)
BUREAU_READERS = COUNTY_BUREAUS | {"bureau_other_county", "admin"}


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
        "certification.apply_for_certification",
        lambda s, w, a: certification.apply_for_certification(
            session=s, actor=a, product_id=w.trade["draft_product"], data={"note": "带贫 30 户"}
        ),
        COOPERATIVE,
        covers=("certification.apply",),
    ),
    Action(
        "certification.approve_certification",
        lambda s, w, a: certification.approve_certification(
            session=s,
            actor=a,
            application_id=w.trade["application"],
            data={"expires_on": today().replace(year=today().year + 1, day=1)},
        ),
        COUNTY_BUREAUS,
        covers=("certification.approve",),
    ),
    Action(
        "certification.reject_certification",
        lambda s, w, a: certification.reject_certification(
            session=s, actor=a, application_id=w.trade["application"], data={"reason": "材料不全"}
        ),
        COUNTY_BUREAUS,
        covers=("certification.reject",),
    ),
    Action(
        "certification.certification_queue",
        lambda s, w, a: certification.certification_queue(session=s, actor=a),
        BUREAU_READERS,
        writes=False,
    ),
    PreparedAction(
        "objections.file_objection", _file, EVERYONE, prepare=_publicise, covers=("objection.file",)
    ),
    PreparedAction(
        "objections.resolve_objection",
        _resolve,
        COUNTY_BUREAUS,
        prepare=_objection,
        covers=("objection.resolve",),
    ),
    PreparedAction(
        "objections.dismiss_objections",
        _dismiss,
        COUNTY_BUREAUS,
        prepare=_objection,
        covers=("objection.dismiss_bulk",),
    ),
    PreparedAction(
        "objections.objection_queue",
        lambda s, w, a: objections.objection_queue(session=s, actor=a),
        BUREAU_READERS,
        writes=False,
        prepare=_objection,
    ),
]

# Edits at a version (tests/edit_paths.py): none.
EDITS = ()
UNVERSIONED = ()
LIFECYCLE_STEPS = ()
