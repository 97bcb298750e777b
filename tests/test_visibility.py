"""One rule per kind of object: the SQL filter selects exactly the rows the predicate allows.

For every kind the domains declare (``app.services.domains.visibility_kinds()``), every actor of the authorization world
(plus the system and a pending enterprise account) and every row of the kind, the ids selected by
``Visibility.where`` equal the ids ``Visibility.allows`` lets through — on SQLite and, with
CUNQI_TEST_DATABASE_URL set, on PostgreSQL. Each domain binds its kinds' rows in
``tests/authz/visibility_<domain>.py`` (``SOURCES``).
"""

import pytest
import sqlalchemy as sa

from app.actors import Actor, Role
from app.permissions import visibility as v
from app.services.domains import visibility_kinds
from tests.authz.visibility_world import allowed, build_visibility_world, selected, sources


@pytest.fixture
def world(session):
    return build_visibility_world(session)


def test_every_kind_has_rows_to_compare(session, world):
    assert set(sources()) == set(visibility_kinds())
    for kind in visibility_kinds():
        rows = session.execute(
            sa.select(sa.func.count()).select_from(sources()[kind].select().subquery())
        )
        assert rows.scalar_one() >= 2, kind.kind


@pytest.mark.parametrize("kind", visibility_kinds(), ids=lambda kind: kind.kind.split(" ")[0])
def test_sql_filter_selects_what_the_predicate_allows(session, world, kind):
    seen_by_someone = set()
    for name, actor in world.actors.items():
        expected = allowed(session, kind, actor)
        assert selected(session, kind, actor) == expected, (kind.kind, name)
        seen_by_someone |= expected
    # The rule hides something from someone and shows something to someone: a filter that
    # lets everything (or nothing) through would fail the comparison above for some actor.
    every = set(session.execute(sources()[kind].select()).scalars())
    assert seen_by_someone, kind.kind
    assert any(allowed(session, kind, a) != every for a in world.actors.values()), kind.kind


def test_a_county_officer_sees_only_the_county():
    officer = Actor(role=Role.bureau, region_code="140829")
    assert v.AGREEMENTS.allows(officer, enterprise_id=1, village_id=1, county_code="140829")
    assert not v.AGREEMENTS.allows(officer, enterprise_id=1, village_id=1, county_code="140830")
    assert not v.REGION_ROWS.allows(officer, county_code=None)
    assert v.REGION_ROWS.allows(Actor(role=Role.bureau, region_code="140800"), county_code=None)


def test_clauses_that_cannot_apply_drop_out_of_the_sql():
    """An enterprise's list reads its own column alone, so it keeps using that column's index."""
    enterprise = Actor(role=Role.enterprise, enterprise_id=7)
    columns = sources()[v.AGREEMENTS].columns()
    sql = str(v.AGREEMENTS.where(enterprise, **columns).compile())
    assert sql == "pairing_agreements.enterprise_id = :enterprise_id_1"
    assert v.AGREEMENTS.sees_everything(Actor(role=Role.admin))
    assert not v.AGREEMENTS.sees_everything(enterprise)


def test_facts_are_checked_by_name():
    with pytest.raises(TypeError, match="expected facts"):
        v.ORDERS.allows(Actor(role=Role.admin), buyer_id=1, county_code="140829")


def test_is_buyer_and_enterprise_staff_are_one_rule():
    import app.permissions as permissions

    assert not hasattr(permissions, "is_buyer")
    staff = Actor(role=Role.enterprise, enterprise_id=3)
    assert permissions.is_enterprise_staff(staff, 3)
    assert not permissions.is_enterprise_staff(staff, 4)
    assert not permissions.is_enterprise_staff(Actor(role=Role.cooperative, cooperative_id=3), 3)
