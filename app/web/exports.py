"""The ledger export page (台账导出): ask for an export, watch its progress, download it.

The export runs in a thread started after the request's unit of work commits; its job row holds
the progress, which the page polls with htmx until the download link appears. Without
JavaScript the job's page has a refresh link instead.
"""

import threading
from pathlib import Path

import sqlalchemy as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.actors import Role
from app.db import on_commit
from app.errors import DomainError
from app.models import County
from app.models.exports import ExportFormat, ExportStatus
from app.permissions import REGION_ROWS
from app.services import ledger
from app.web.downloads import attachment
from app.web.forms import field_errors, in_unit_of_work, read_form, redirect
from app.web.pages import gate, load, unless_fixable
from app.web.templating import render

# Running export threads by job id, so tests (and a shutdown) can wait for them.
RUNNING: dict[int, threading.Thread] = {}


def export_dir(request: Request) -> Path:
    return Path(request.app.state.settings.upload_dir) / "exports"


def _counties(session, actor):
    query = sa.select(County.code, County.name).where(
        REGION_ROWS.where(actor, county_code=County.code)
    )
    return session.execute(query.order_by(County.code)).all()


async def export_page(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    return await _page(request, actor, {}, {})


async def _page(request, actor, values, errors, status_code: int = 200) -> Response:
    def work(session):
        return ledger.recent_jobs(session=session, actor=actor), _counties(session, actor)

    jobs, counties = await load(request, work)
    context = {
        "jobs": jobs,
        "counties": counties,
        "formats": list(ExportFormat),
        "values": values,
        "errors": errors,
    }
    return render(request, "exports/index.html", context, status_code=status_code)


async def start_export(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    data = await read_form(request)
    database, directory = request.app.state.database, export_dir(request)

    def work(session):
        job = ledger.request_export(
            session=session,
            actor=actor,
            fmt=data.get("format", ""),
            county_code=data.get("county_code") or None,
        )
        session.flush()
        on_commit(session, lambda: _start(database, job.id, directory))
        return job.id

    try:
        job_id = await in_unit_of_work(request, work)
    except DomainError as exc:
        unless_fixable(exc)
        return await _page(request, actor, data, field_errors(exc), status_code=422)
    return redirect(f"/exports/{job_id}", request)


def _start(database, job_id: int, directory: Path) -> None:
    def run() -> None:
        try:
            ledger.run_export(database, job_id, directory)
        finally:
            RUNNING.pop(job_id, None)

    thread = threading.Thread(target=run, name=f"ledger-export-{job_id}", daemon=True)
    RUNNING[job_id] = thread
    thread.start()


async def export_job(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    job_id = request.path_params["job_id"]
    job = await load(request, lambda s: ledger.get_job(session=s, actor=actor, job_id=job_id))
    finished = job.status in (ExportStatus.done, ExportStatus.failed)
    return render(
        request,
        "exports/job.html",
        {"job": job, "finished": finished},
        partial="exports/_job.html",
    )


async def download(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    job_id = request.path_params["job_id"]
    job = await load(request, lambda s: ledger.get_job(session=s, actor=actor, job_id=job_id))
    path = export_dir(request) / job.storage_key
    if job.status != ExportStatus.done or not path.is_file():
        raise HTTPException(404)
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if job.format == ExportFormat.xlsx
        else "application/zip"
    )
    return FileResponse(
        path, media_type=media, headers={"Content-Disposition": attachment(job.file_name)}
    )
