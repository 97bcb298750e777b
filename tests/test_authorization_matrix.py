"""Every service action × every kind of actor: the allowed succeed, the forbidden write nothing.

Each domain lists its actions in tests/authz/actions_<domain>.py (``ACTIONS``), gathered for every
domain of app/domains.py: a domain without that module fails here. The nine actors and the world
are in tests/authz/world.py.
"""

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.domains import Part
from app.errors import PermissionDeniedError
from tests.authz.world import ACTORS, build_world

MATRIX_PART = Part("tests.authz.actions_{domain}", ("ACTIONS",))
ACTIONS = list(MATRIX_PART.gather("ACTIONS"))


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
