"""What both adapters know about an HTTP request, below both of them.

The pages (app/web) and GraphQL (app/schema) are siblings: neither imports the other. What they
share about a request lives here: who is asking (set by the sign-in middleware the composition
root installs in front of both), the client's address, the session's CSRF token, and whether an
error means the database was busy. Nothing here renders a page or shapes a GraphQL response.
"""

import secrets

from sqlalchemy.exc import OperationalError
from starlette.requests import Request

from app.actors import ANONYMOUS, Actor

# The session cookie (Starlette's signed session) of pages and of GraphQL from a browser.
SESSION_COOKIE = "cunqi_session"
# Where the session keeps its CSRF token.
CSRF_SESSION_KEY = "csrf"
# PostgreSQL: lock_not_available (lock_timeout) and serialization/deadlock failures.
BUSY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})


def current_actor(request: Request) -> Actor:
    """The signed-in actor, set on ``request.state.actor`` by the sign-in middleware."""
    return getattr(request.state, "actor", ANONYMOUS)


def client_address(request: Request) -> str:
    """The client's address; behind the proxy uvicorn trusts (``proxy_headers``), the one the
    proxy saw. The key of the per-address abuse limits (app/services/limits.py)."""
    return request.client.host if request.client else "unknown"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return token


def is_database_busy(exc: BaseException | None) -> bool:
    """The database refused for now (SQLite's write lock held past the busy timeout, a
    PostgreSQL lock timeout): the transaction rolled back and the same request may be retried."""
    if not isinstance(exc, OperationalError):
        return False
    original = exc.orig
    if getattr(original, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    return "database is locked" in str(original) or "database is busy" in str(original)
