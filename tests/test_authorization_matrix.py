"""Every service action × every kind of actor: the allowed succeed, the forbidden write nothing.

Each domain lists its actions in tests/authz/actions_*.py; new actions join by adding a module
there and its list to ACTIONS below. The nine actors and the world are in tests/authz/world.py.
"""

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.errors import PermissionDeniedError
from tests.authz import (
    actions_accounts,
    actions_bureau,
    actions_inbox,
    actions_pairing,
    actions_privacy,
    actions_trade,
)
from tests.authz.world import ACTORS, build_world

ACTIONS = [
    *actions_accounts.ACTIONS,
    *actions_pairing.ACTIONS,
    *actions_trade.ACTIONS,
    *actions_bureau.ACTIONS,
    *actions_inbox.ACTIONS,
    *actions_privacy.ACTIONS,
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
    world = build_world(session)
    actor = world.actors[actor_name]
    prepare = getattr(action, "prepare", None)
    if prepare is not None:
        prepare(session, world)  # scaffolding the action acts upon, counted in "before"
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
