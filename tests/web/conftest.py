"""Fixtures for the page adapter: applications over the shared fixtures' real databases."""

import re

import pytest

from app.config import Settings

SECRET = "x" * 40


@pytest.fixture
def make_settings(tmp_path):
    """Settings for a test: development unless told otherwise, never reading a secret file."""

    def make(database_url: str = "sqlite://", **overrides) -> Settings:
        return Settings(
            **{
                "environment": "development",
                "secret_key": SECRET,
                "database_url": database_url,
                "index_dir": tmp_path / "index",
                "upload_dir": tmp_path / "uploads",
            }
            | overrides
        )

    return make


CSRF_PATTERN = re.compile(r'"X-CSRF-Token": "([^"]+)"')


def version_in(html: str, action: str) -> str:
    """The hidden ``version`` of the form posting to ``action``: what a browser sends back."""
    form = re.search(r'<form[^>]*action="' + re.escape(action) + r'".*?</form>', html, re.S)
    assert form, f"no form posting to {action}"
    match = re.search(r'name="version" value="(\d+)"', form.group(0))
    assert match, f"the form posting to {action} carries no version"
    return match.group(1)


def csrf_token_of(client) -> str:
    """Open a page as a browser would and read the session's CSRF token from <body>."""
    match = CSRF_PATTERN.search(client.get("/login").text)
    assert match, "no CSRF token on the page"
    return match.group(1)
