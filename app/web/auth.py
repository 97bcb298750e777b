"""Who is asking: resolves the actor from an API token or the session cookie on every request.

The cookie names a server-side session (app/services/user_sessions.py); it counts only while that
session is live. When a session was last seen, and when a token was last used, is written at most
every few minutes, in a transaction of its own that a busy database may skip.
"""

import logging

from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.actors import ANONYMOUS, Actor
from app.db import Database
from app.models import User
from app.services import api_tokens, user_sessions
from app.services.accounts import actor_for

SESSION_USER = "uid"
SESSION_AUTH_VERSION = "av"
SESSION_KEY = "sid"
log = logging.getLogger(__name__)


class ActorMiddleware:
    """Sets ``request.state.actor`` (and ``user``); a stale or tampered session is anonymous."""

    def __init__(self, app: ASGIApp, database: Database):
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        authorization = Headers(scope=scope).get("authorization", "")
        user, actor, session_id = None, ANONYMOUS, None
        if authorization.lower().startswith("bearer "):
            user, actor = await run_in_threadpool(self._token_user, authorization[7:].strip())
            state["auth_method"] = "token"
        else:
            session = scope.get("session", {})
            if SESSION_USER in session:
                user, actor, session_id = await run_in_threadpool(
                    self._session_user,
                    session.get(SESSION_USER),
                    session.get(SESSION_AUTH_VERSION),
                    session.get(SESSION_KEY),
                )
                if user is None:
                    # Signed out elsewhere, the password changed or the account was disabled.
                    for key in (SESSION_USER, SESSION_AUTH_VERSION, SESSION_KEY):
                        session.pop(key, None)
            state["auth_method"] = "session"
        state["user"] = user
        state["actor"] = actor
        state["user_session_id"] = session_id
        await self.app(scope, receive, send)

    def _token_user(self, raw: str) -> tuple[User | None, Actor]:
        with self.database.read_only() as session:
            found = api_tokens.token_in_force(session=session, raw=raw)
            if found is None:
                return None, ANONYMOUS
            user, token = found
            result = _with_actor(user)
        if api_tokens.needs_use_record(token):
            self._bookkeeping(lambda s: api_tokens.record_use(session=s, token_id=token.id))
        return result

    def _session_user(self, user_id, auth_version, key) -> tuple[User | None, Actor, int | None]:
        if not (isinstance(user_id, int) and isinstance(auth_version, int)):
            return None, ANONYMOUS, None
        if not isinstance(key, str):
            return None, ANONYMOUS, None
        with self.database.read_only() as session:
            found = user_sessions.live_session(session=session, user_id=user_id, key=key)
            if found is None or found[0].auth_version != auth_version:
                return None, ANONYMOUS, None
            user, user_session = found
            user_result, actor = _with_actor(user)
        if user_sessions.needs_touch(user_session):
            self._bookkeeping(
                lambda s: user_sessions.touch_session(session=s, session_id=user_session.id)
            )
        return user_result, actor, user_session.id

    def _bookkeeping(self, work) -> None:
        """Write a last-seen/last-used time; a busy database skips it rather than fail the page."""
        try:
            with self.database.unit_of_work() as session:
                work(session)
        except OperationalError as exc:
            log.warning("skipped recording a session or token use: %s", exc)


def _with_actor(user: User | None) -> tuple[User | None, Actor]:
    """The actor is built while the session is open: it reads the user's organisation."""
    return (user, actor_for(user)) if user is not None else (None, ANONYMOUS)


def client_details(request: Request) -> dict[str, str]:
    """What the account page shows about a sign-in: the address and the browser."""
    return {
        "client_address": request.client.host if request.client else "",
        "user_agent": request.headers.get("user-agent", ""),
    }


def sign_in(request: Request, *, user_id: int, auth_version: int, session_key: str) -> None:
    """Start a fresh session: nothing from before sign-in (a planted token, flashes) survives.

    ``session_key`` comes from ``user_sessions.open_session`` in the sign-in's unit of work.
    """
    request.session.clear()
    request.session[SESSION_USER] = user_id
    request.session[SESSION_AUTH_VERSION] = auth_version
    request.session[SESSION_KEY] = session_key


def sign_out(request: Request) -> None:
    request.session.clear()


def current_session_id(request: Request) -> int | None:
    """The server-side session this request was signed in with (None for tokens)."""
    return getattr(request.state, "user_session_id", None)


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def actor_of(request: Request) -> Actor:
    return getattr(request.state, "actor", ANONYMOUS)
