"""Search fixtures: an index directory of the test's own under ``tmp_path``."""

import pytest

from app.search.service import SearchService
from tests.search_factories import cooperative_in


@pytest.fixture
def index_dir(tmp_path):
    return tmp_path / "var" / "index"


@pytest.fixture
def search(index_dir) -> SearchService:
    return SearchService(index_dir)


@pytest.fixture
def live(fresh_db, search):
    """A database with one cooperative, an index built from it, and the drain attached;
    returns (service, cooperative id)."""
    with fresh_db.unit_of_work() as session:
        cooperative_id = cooperative_in(session, "140830").id
    search.rebuild(fresh_db)
    search.attach(fresh_db)
    return search, cooperative_id
