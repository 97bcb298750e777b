"""Every service action × every kind of actor: the allowed succeed, the forbidden write nothing.

Later issues add their actions to ACTIONS; the actors stay the same nine.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.actors import ANONYMOUS, Actor, Role
from app.errors import PermissionDeniedError
from app.models.enums import RegistrationStatus, UserRole
from app.services import accounts, events, organisations, pairing, villages
from tests.factories import (
    make_county,
    make_enterprise,
    make_township,
    make_village,
    valid_credit_code,
)

PASSWORD = "Huanghe2026"


@dataclass
class World:
    """Two counties; the pairing county 平陆 (140829) holds everything acted upon."""

    village_id: int
    enterprise_a: int
    enterprise_b: int
    proposal_id: int
    pending_user_id: int
    actors: dict[str, Actor]
    user_ids: dict[str, int]


def _build_world(session: Session) -> World:
    make_county(session, code="140830", name="芮城县", category="overall")
    make_township(session)
    village = make_village(session)
    a = make_enterprise(session, name="甲企业")
    b = make_enterprise(session, name="乙企业")
    proposal = pairing.propose_agreement(
        session=session,
        actor=Actor(role=Role.enterprise, user_id=None, enterprise_id=a.id),
        data={
            "enterprise_id": a.id,
            "village_id": village.id,
            "help_kinds": ["industry"],
            "start_on": "2026-01-01",
            "end_on": "2027-12-31",
        },
    )
    cooperative = organisations.register_cooperative(
        session=session,
        actor=Actor(role=Role.system),
        data={
            "credit_code": valid_credit_code("93140829"),
            "name": "合作社甲",
            "village_id": village.id,
        },
    )
    pending = accounts.register_account(
        session=session,
        kind=UserRole.enterprise,
        account={"username": "pending1", "display_name": "待审", "password": PASSWORD},
        organisation={
            "credit_code": valid_credit_code(),
            "name": "待审核企业",
            "kind": "private",
            "industry": "A",
            "county_code": "140829",
        },
    )
    specs = {
        "enterprise_a": (UserRole.enterprise, {"enterprise_id": a.id}),
        "enterprise_b": (UserRole.enterprise, {"enterprise_id": b.id}),
        "cooperative": (UserRole.cooperative, {"cooperative_id": cooperative.id}),
        "village": (UserRole.village, {"village_id": village.id}),
        "bureau_other_county": (UserRole.bureau, {"region_code": "140830"}),
        "bureau_county": (UserRole.bureau, {"region_code": "140829"}),
        "bureau_city": (UserRole.bureau, {"region_code": "140800"}),
        "admin": (UserRole.admin, {}),
    }
    actors: dict[str, Actor] = {"anonymous": ANONYMOUS}
    user_ids: dict[str, int] = {}
    for name, (role, links) in specs.items():
        user = accounts.create_user(
            session=session,
            actor=Actor(role=Role.system),
            account={"username": name, "display_name": name, "password": PASSWORD},
            role=role,
            **links,
        )
        actors[name] = accounts.actor_for(user)
        user_ids[name] = user.id
    session.flush()
    assert pending.status == RegistrationStatus.pending
    return World(village.id, a.id, b.id, proposal.id, pending.id, actors, user_ids)


ActionFn = Callable[[Session, World, Actor], object]


@dataclass(frozen=True)
class Action:
    name: str
    run: ActionFn
    allowed: frozenset[str]
    writes: bool = True


SIGNED_IN = frozenset(
    {
        "enterprise_a",
        "enterprise_b",
        "cooperative",
        "village",
        "bureau_other_county",
        "bureau_county",
        "bureau_city",
        "admin",
    }
)
COUNTY_BUREAUS = frozenset({"bureau_county", "bureau_city"})


def _enterprise_form() -> dict:
    return {
        "credit_code": valid_credit_code(),
        "name": "新登记企业",
        "kind": "private",
        "industry": "C",
        "county_code": "140829",
    }


ACTIONS = [
    Action(
        "organisations.register_enterprise",
        lambda s, w, a: organisations.register_enterprise(
            session=s, actor=a, data=_enterprise_form()
        ),
        # Anonymous self-registration is allowed too: it stays pending.
        COUNTY_BUREAUS | {"anonymous"},
    ),
    Action(
        "organisations.register_cooperative",
        lambda s, w, a: organisations.register_cooperative(
            session=s,
            actor=a,
            data={
                "credit_code": valid_credit_code("93140829"),
                "name": "新合作社",
                "village_id": w.village_id,
            },
        ),
        COUNTY_BUREAUS | {"anonymous"},
    ),
    Action(
        "villages.create_village",
        lambda s, w, a: villages.create_village(
            session=s,
            actor=a,
            data={"code": "140829100299", "name": "新建村", "county_code": "140829"},
        ),
        COUNTY_BUREAUS,
    ),
    Action(
        "pairing.propose_agreement",
        lambda s, w, a: pairing.propose_agreement(
            session=s,
            actor=a,
            data={
                "enterprise_id": w.enterprise_a,
                "village_id": make_village(s).id,
                "help_kinds": ["sales"],
                "start_on": "2026-03-01",
                "end_on": "2028-02-28",
            },
        ),
        frozenset({"enterprise_a"}),
    ),
    Action(
        "pairing.revise_proposal",
        lambda s, w, a: pairing.revise_proposal(
            session=s,
            actor=a,
            agreement_id=w.proposal_id,
            expected_version=1,
            data={"help_kinds": ["funding"], "start_on": "2026-01-01", "end_on": "2027-12-31"},
        ),
        frozenset({"enterprise_a"}),
    ),
    Action(
        "accounts.review_registration",
        lambda s, w, a: accounts.review_registration(
            session=s, actor=a, user_id=w.pending_user_id, approve=True
        ),
        COUNTY_BUREAUS,
    ),
    Action(
        "accounts.create_user",
        lambda s, w, a: accounts.create_user(
            session=s,
            actor=a,
            account={"username": "newbie", "display_name": "新人", "password": PASSWORD},
            role=UserRole.bureau,
            region_code="140829",
        ),
        frozenset({"admin"}),
    ),
    Action(
        "accounts.create_api_token",
        lambda s, w, a: accounts.create_api_token(session=s, actor=a, name="对接"),
        SIGNED_IN,
    ),
    Action(
        "accounts.change_password",
        lambda s, w, a: accounts.change_password(
            session=s, actor=a, old_password=PASSWORD, new_password="Fenhe2027x"
        ),
        SIGNED_IN,
    ),
    Action(
        "events.object_events",
        lambda s, w, a: events.object_events(
            session=s,
            actor=a,
            object_type="PairingAgreement",
            object_id=w.proposal_id,
            county_code="140829",
        ),
        COUNTY_BUREAUS | {"admin"},
        writes=False,
    ),
]

ACTORS = [
    "anonymous",
    "enterprise_a",
    "enterprise_b",
    "cooperative",
    "village",
    "bureau_other_county",
    "bureau_county",
    "bureau_city",
    "admin",
]


def _row_counts(session: Session) -> dict[str, int]:
    session.flush()
    return {
        name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for name, table in SQLModel.metadata.tables.items()
    }


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.name)
def test_authorization_matrix(session, action, actor_name):
    world = _build_world(session)
    actor = world.actors[actor_name]
    before = _row_counts(session)
    if actor_name in action.allowed:
        result = action.run(session, world, actor)
        assert result is not None
        if action.writes:
            assert _row_counts(session)["events"] > before["events"]
        return
    with pytest.raises(PermissionDeniedError) as caught:
        action.run(session, world, actor)
    assert caught.value.message == "您没有权限执行此操作"
    after = _row_counts(session)
    # make_village inside an action is test scaffolding, not the service's write.
    after["villages"] = before["villages"]
    assert after == before
