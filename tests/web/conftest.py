"""Fixtures for the page adapter: applications over the shared fixtures' real databases."""

import pytest

from app.config import Settings

SECRET = "x" * 40


@pytest.fixture
def make_settings():
    """Settings for a test: development unless told otherwise, never reading a secret file."""

    def make(database_url: str = "sqlite://", **overrides) -> Settings:
        return Settings(
            **{"environment": "development", "secret_key": SECRET, "database_url": database_url}
            | overrides
        )

    return make
