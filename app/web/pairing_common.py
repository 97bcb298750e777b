"""Small helpers shared by the 千企帮千村 page handlers."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from app import labels
from app.errors import DomainError
from app.services.pairing.evidence import (
    MAX_FILE_BYTES,
    StoredUpload,
    Upload,
    store_uploads,
    upload_root,
)
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_only, redirect
from app.web.pages import error_status, unless_fixable, upload_dir
from app.web.templating import render

T = TypeVar("T")

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


def done(request: Request, url: str, message: str, *, level: str = "success") -> Response:
    """After a plain form post: flash the outcome and 303 to ``url``."""
    flash(request, message, level=level)
    return redirect(url)


async def store_evidence(
    request: Request, files: list[Upload], may_submit: Callable[[Session], object]
) -> list[StoredUpload]:
    """Check with a read-only session that the actor may report, then check and store the files
    (hashed, fsynced) before the unit of work opens: disk work never holds the write lock."""
    await read_only(request, may_submit)
    root = upload_root(upload_dir(request))
    return await run_in_threadpool(store_uploads, files, root)


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


async def save(
    request: Request,
    work: Callable[[Session], T],
    redisplay: Callable[[dict[str, str], int], Awaitable[Response]],
    *,
    before: Callable[[], Awaitable[None]] | None = None,
) -> T | Response:
    """What ``work`` returns, or the form again from ``redisplay(errors, status)``.

    ``before`` runs first, outside the unit of work (slow work such as storing files); its
    errors are shown like the work's. The user's input stays in the form the caller re-renders;
    each error stands by its field.
    """
    try:
        if before is not None:
            await before()
        return await in_unit_of_work(request, work)
    except DomainError as exc:
        unless_fixable(exc)
        return await redisplay(field_errors(exc), error_status(exc))
