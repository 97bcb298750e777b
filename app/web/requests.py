"""What a handler needs to know about a request: who is asking and whether htmx is asking."""

from starlette.requests import Request

from app.actors import ANONYMOUS, Actor


def current_actor(request: Request) -> Actor:
    """The signed-in actor, set on ``request.state.actor`` by the sign-in middleware."""
    return getattr(request.state, "actor", ANONYMOUS)


def client_address(request: Request) -> str:
    """The client's address; behind the proxy uvicorn trusts (``proxy_headers``), the one the
    proxy saw. The key of the per-address abuse limits (app/services/limits.py)."""
    return request.client.host if request.client else "unknown"


def throttled_headers(exc: Exception) -> dict[str, str]:
    """``Retry-After`` for a 429 answering a ``ThrottledError``."""
    return {"Retry-After": str(getattr(exc, "retry_after", 1))}


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_partial(request: Request) -> bool:
    """Whether to answer with the page's partial instead of the full page (htmx requests).

    Boosted links and history restores are htmx requests too, but they swap the whole body and so
    need the full page.
    """
    return (
        is_htmx(request)
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
