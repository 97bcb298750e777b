"""Search fixtures: an index directory of the test's own under ``tmp_path``."""

import pytest

from app.search.service import SearchService


@pytest.fixture
def index_dir(tmp_path):
    return tmp_path / "var" / "index"


@pytest.fixture
def search(index_dir) -> SearchService:
    return SearchService(index_dir)
