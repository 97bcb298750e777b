"""Form posts: reading fields, running a service in a unit of work, showing its errors."""

from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from app.errors import DomainError
from app.web.redirects import HOME, same_site_path
from app.web.requests import wants_partial
from app.web.security import CSRF_FIELD

T = TypeVar("T")
FORM_ERROR = "__all__"


async def read_form(request: Request, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted fields as a dict; fields named in ``lists`` are always lists (checkboxes)."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key == CSRF_FIELD:
            continue
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        data[key] = values if key in lists else (values[-1] if values else "")
    for key in lists:
        data.setdefault(key, [])
    return data


async def in_unit_of_work(request: Request, work: Callable[[Session], T]) -> T:
    """Run ``work(session)`` in a write unit of work, off the event loop."""
    database = request.app.state.database

    def run() -> T:
        with database.unit_of_work() as session:
            return work(session)

    return await run_in_threadpool(run)


async def read_only(request: Request, work: Callable[[Session], T]) -> T:
    database = request.app.state.database

    def run() -> T:
        with database.read_only() as session:
            return work(session)

    return await run_in_threadpool(run)


def field_errors(exc: DomainError) -> dict[str, str]:
    """One message per field (the first); errors that name no field go under ``__all__``."""
    errors: dict[str, str] = {}
    for error in getattr(exc, "errors", [exc]):
        errors.setdefault(error.field or FORM_ERROR, error.message)
    return errors


def safe_next(target: str | None, default: str = HOME) -> str:
    """Only same-site paths may be redirected to after sign-in."""
    return same_site_path(target, same_site_path(default))


def redirect(url: str, request: Request | None = None) -> Response:
    """After a successful post: 303 so the browser follows with a GET.

    An htmx request that swaps a fragment (not a boosted page) would put the next page inside the
    fragment, so it gets ``HX-Redirect`` instead and htmx loads the page in full. Either way the
    target is a path on this site (``same_site_path``), whoever built it.
    """
    url = same_site_path(url)
    if request is not None and wants_partial(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
