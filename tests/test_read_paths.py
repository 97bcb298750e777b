"""Every read path of a kind shows each actor exactly the rows the kind's rule allows.

Each domain lists, in ``tests/authz/visibility_<domain>.py`` (``READ_PATHS``), the functions
that list rows of a kind for its pages, GraphQL, exports, statistics and the to-do inbox. For
every actor of the visibility world the ids a path returns equal the ids ``Visibility.allows``
lets through, narrowed to what the path lists (a queue lists pending rows only). A path that filters on its own (``enterprise_id == …``) instead
of the rule disagrees for some actor: the world holds a second county, pending organisations,
drafts, closed demands, a system actor and a pending account. Actors a path refuses outright
(``PermissionDeniedError``, the gates the authorization matrix covers) are skipped, but every
path must serve some actor.
"""

import pytest
from sqlmodel import Session

from app.errors import PermissionDeniedError
from app.services.domains import visibility_kinds
from tests.authz.read_paths import ReadPath
from tests.authz.visibility_world import allowed, build_visibility_world, read_paths, sources


@pytest.mark.parametrize("path", read_paths(), ids=lambda path: path.name)
def test_read_path_shows_what_the_rule_allows(session, path):
    world = build_visibility_world(session)
    served = 0
    for name, actor in world.actors.items():
        if path.readers is not None and actor.role not in path.readers:
            continue
        try:
            got = path.read(session, actor)
        except PermissionDeniedError:
            continue
        served += 1
        expected = _expected(session, path, actor)
        if path.sizes:
            assert len(got) == len(expected), (path.name, name)
        else:
            assert got == expected, (path.name, name)
    assert served, path.name


def _expected(session: Session, path: ReadPath, actor) -> set:
    if path.rows is not None:
        rows = path.rows(session).items()
        return {key for key, facts in rows if path.kind.allows(actor, **facts)}
    ids = allowed(session, path.kind, actor)
    if path.domain is not None:
        ids &= path.domain(session)
    if path.expected is not None:
        ids = path.expected(session, ids)
    return ids


def test_every_kind_with_a_list_has_a_read_path():
    listed = {path.kind for path in read_paths()}
    # Read one object at a time through the kind's predicate only (no list of their own).
    single = {kind for kind, source in sources().items() if not source.lists}
    assert listed | single == set(visibility_kinds())
    assert listed.isdisjoint(single)


def test_read_paths_have_unique_names():
    names = [path.name for path in read_paths()]
    assert len(names) == len(set(names))
