"""Page-handler helpers shared by the 千企帮千村 and 消费帮扶 pages."""

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Actor, Role
from app.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from app.http import current_actor
from app.services.inputs import MAX_ID
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_only, redirect
from app.web.guards import login_redirect, require_role
from app.web.requests import wants_partial

T = TypeVar("T")


def gate(request: Request, *roles: Role) -> Actor | Response:
    """The signed-in actor (403 unless one of ``roles``), or a redirect to sign in."""
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    if roles:
        require_role(request, *roles)
    return actor


async def load(request: Request, work: Callable[[Session], T]) -> T:
    """``read_only`` where a missing (or invisible) object is a 404 page."""
    try:
        return await read_only(request, work)
    except NotFoundError as exc:
        raise HTTPException(404) from exc


def unless_fixable(exc: DomainError) -> None:
    """Re-raise what no form can fix: no permission (403 page), a missing object (404 page).

    Call first thing in ``except DomainError``; what remains is shown next to the fields.
    """
    if isinstance(exc, PermissionDeniedError):
        raise exc
    if isinstance(exc, NotFoundError) and exc.field is None:
        raise HTTPException(404) from exc


def is_stale(exc: DomainError) -> bool:
    """Someone else saved the object after the form was opened (decision 0015)."""
    return isinstance(exc, ConflictError) and exc.code == "stale_version"


def form_version(data: dict) -> int:
    """The version a form was opened at (0, never a row's, when missing or garbled)."""
    return int_or_none(data.get("version")) or 0


def error_status(exc: DomainError) -> int:
    """409 when the object changed under the user (a stale version), else 422."""
    return 409 if isinstance(exc, ConflictError) else 422


async def take_step(
    request: Request,
    work: Callable[[Session], object],
    *,
    url: str,
    message: str,
    show: Callable[..., Awaitable[Response]],
    leave: Callable[[Request, str, str], Response],
    slots: dict[str, str] | None = None,
    redirect_conflicts: bool = True,
) -> Response:
    """Run one lifecycle step from a button on the detail page at ``url``.

    htmx gets the page's partial back from ``show``: with a toast, or with the errors by the
    fields (``slots`` maps a service's field to the form's error slot) and status 422/409. A plain
    post leaves by ``leave(request, url, message)``; one that failed gets the full page from
    ``show``, except a conflict, which goes back to ``url`` with the message flashed unless
    ``redirect_conflicts`` is false.
    """
    try:
        await in_unit_of_work(request, work)
    except DomainError as exc:
        unless_fixable(exc)
        if redirect_conflicts and isinstance(exc, ConflictError) and not wants_partial(request):
            flash(request, exc.message, level="error")
            return redirect(url)
        errors = field_errors(exc)
        for field, slot in (slots or {}).items():
            if field in errors:
                errors[slot] = errors.pop(field)
        return await show(errors=errors, status_code=error_status(exc))
    if not wants_partial(request):
        return leave(request, url, message)
    return await show(toast=message)


def page_url(request: Request, number: int) -> str:
    """This list's URL with its filters kept and another page number."""
    params = {k: v for k, v in request.query_params.multi_items() if k != "page" and v}
    if number > 1:
        params["page"] = str(number)
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def int_or_none(raw: object) -> int | None:
    """A whole number from a form or query string; None if blank, malformed or beyond the
    databases' signed 64-bit integers (such an id names no row)."""
    text = str(raw).strip()
    if len(text) > 20:
        return None
    try:
        value = int(text)
    except (TypeError, ValueError):
        return None
    return value if -MAX_ID <= value <= MAX_ID else None


def upload_dir(request: Request) -> Path:
    return Path(request.app.state.settings.upload_dir)
