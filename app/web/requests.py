"""What a page handler needs to know about a request beyond who is asking (app/http.py):
whether htmx is asking, and how to answer a refusal for now."""

from starlette.requests import Request


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
