"""Who is asking: resolves the actor from an API token or the session cookie on every request."""

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.actors import ANONYMOUS, Actor
from app.db import Database
from app.models import User
from app.services.accounts import actor_for, user_for_session
from app.services.api_tokens import user_for_token

SESSION_USER = "uid"
SESSION_AUTH_VERSION = "av"


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
        user, actor = None, ANONYMOUS
        if authorization.lower().startswith("bearer "):
            user, actor = await run_in_threadpool(self._token_user, authorization[7:].strip())
            state["auth_method"] = "token"
        else:
            session = scope.get("session", {})
            if SESSION_USER in session:
                user, actor = await run_in_threadpool(
                    self._session_user, session[SESSION_USER], session.get(SESSION_AUTH_VERSION)
                )
                if user is None:
                    # The password changed or the account was disabled: forget the sign-in.
                    session.pop(SESSION_USER, None)
                    session.pop(SESSION_AUTH_VERSION, None)
            state["auth_method"] = "session"
        state["user"] = user
        state["actor"] = actor
        await self.app(scope, receive, send)

    def _token_user(self, raw: str) -> tuple[User | None, Actor]:
        with self.database.read_only() as session:
            return _with_actor(user_for_token(session=session, raw=raw))

    def _session_user(self, user_id, auth_version) -> tuple[User | None, Actor]:
        if not isinstance(user_id, int) or not isinstance(auth_version, int):
            return None, ANONYMOUS
        with self.database.read_only() as session:
            user = user_for_session(session=session, user_id=user_id, auth_version=auth_version)
            return _with_actor(user)


def _with_actor(user: User | None) -> tuple[User | None, Actor]:
    """The actor is built while the session is open: it reads the user's organisation."""
    return (user, actor_for(user)) if user is not None else (None, ANONYMOUS)


def sign_in(request: Request, *, user_id: int, auth_version: int) -> None:
    """Start a fresh session: nothing from before sign-in (a planted token, flashes) survives."""
    request.session.clear()
    request.session[SESSION_USER] = user_id
    request.session[SESSION_AUTH_VERSION] = auth_version


def sign_out(request: Request) -> None:
    request.session.clear()


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def actor_of(request: Request) -> Actor:
    return getattr(request.state, "actor", ANONYMOUS)
