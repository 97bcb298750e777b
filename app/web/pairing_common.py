"""Small helpers shared by the 千企帮千村 page handlers."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app import labels
from app.actors import Actor, Role
from app.errors import DomainError, NotFoundError, PermissionDeniedError
from app.services.pairing.evidence import MAX_FILE_BYTES, Upload
from app.web.flash import flash
from app.web.forms import read_only, redirect
from app.web.guards import login_redirect, require_role
from app.web.requests import current_actor
from app.web.templating import render

# Label maps the pairing templates read (app/labels.py is the one place they are defined).
LABELS = {
    "VILLAGE_FLAG": labels.VILLAGE_FLAG,
    "EVENT_ACTION": labels.EVENT_ACTION,
    "AGREEMENT_ACTION": labels.AGREEMENT_ACTION,
    "REPORT_ACTION": labels.REPORT_ACTION,
    "INDICATOR_UNIT": labels.INDICATOR_UNIT,
    "HELP_KIND": labels.HELP_KIND,
    "COUNTY_CATEGORY": labels.COUNTY_CATEGORY,
    "ENTERPRISE_KIND": labels.ENTERPRISE_KIND,
    "INDUSTRY_SECTION": labels.INDUSTRY_SECTION,
}

T = TypeVar("T")


def page(
    request: Request,
    name: str,
    context: dict,
    *,
    partial: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a pairing page (or its partial for htmx) with the label maps it reads."""
    return render(request, name, LABELS | context, partial=partial, status_code=status_code)


def gate(request: Request, *roles: Role) -> Actor | Response:
    """The signed-in actor (403 unless one of ``roles``), or a redirect to sign in."""
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    if roles:
        require_role(request, *roles)
    return actor


async def load(request: Request, work: Callable[[Session], T]) -> T:
    """``read_only`` where a missing object is the 404 page."""
    try:
        return await read_only(request, work)
    except NotFoundError as exc:
        raise HTTPException(404) from exc


def unless_fixable(exc: DomainError) -> None:
    """Re-raise what no form can fix: no permission (403 page), a missing object (404 page)."""
    if isinstance(exc, PermissionDeniedError):
        raise exc
    if isinstance(exc, NotFoundError) and exc.field is None:
        raise HTTPException(404) from exc


def done(request: Request, url: str, message: str, *, level: str = "success") -> Response:
    """After a plain form post: flash the outcome and 303 to ``url``."""
    flash(request, message, level=level)
    return redirect(url)


def page_url(request: Request, number: int) -> str:
    """This list's URL with its filters kept and another page number."""
    params = {k: v for k, v in request.query_params.multi_items() if k != "page" and v}
    if number > 1:
        params["page"] = str(number)
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


def int_or_none(raw: object) -> int | None:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def upload_dir(request: Request) -> Path:
    return Path(request.app.state.settings.upload_dir)


async def uploads(request: Request, name: str) -> list[Upload]:
    """The files posted under ``name``; reading stops just past the size limit of one file."""
    form = await request.form()
    files = []
    for item in form.getlist(name):
        if isinstance(item, UploadFile):
            data = await item.read(MAX_FILE_BYTES + 1)
            files.append(Upload(item.filename or "", data))
            await item.close()
    return files
