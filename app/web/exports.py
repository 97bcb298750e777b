"""The ledger export page (台账导出): ask for an export, watch its progress, download it.

The export is a background job (app/jobs.py) queued in the request's unit of work; its row holds
the progress, which the page polls with htmx until the download link appears (or, when it failed,
a 重试 button). Without JavaScript the job's page has a refresh link instead.
"""

from pathlib import Path

import sqlalchemy as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.actors import Role
from app.errors import DomainError
from app.models import County
from app.models.exports import ExportFormat, ExportStatus
from app.permissions import REGION_ROWS
from app.services import ledger, ledger_jobs
from app.web.downloads import attachment
from app.web.forms import field_errors, in_unit_of_work, read_form, redirect
from app.web.pages import gate, load, unless_fixable
from app.web.templating import render


def export_dir(request: Request) -> Path:
    return ledger_jobs.export_directory(request.app.state.settings)


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
    attempts = request.app.state.settings.job_max_attempts

    def work(session):
        job = ledger.request_export(
            session=session,
            actor=actor,
            fmt=data.get("format", ""),
            county_code=data.get("county_code") or None,
            max_attempts=attempts,
        )
        session.flush()
        return job.id

    try:
        job_id = await in_unit_of_work(request, work)
    except DomainError as exc:
        unless_fixable(exc)
        return await _page(request, actor, data, field_errors(exc), status_code=422)
    return redirect(f"/exports/{job_id}", request)


async def retry_export(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    await read_form(request)
    job_id = request.path_params["job_id"]
    attempts = request.app.state.settings.job_max_attempts

    def work(session):
        ledger_jobs.retry_export(
            session=session, actor=actor, export_id=job_id, max_attempts=attempts
        )

    try:
        await in_unit_of_work(request, work)
    except DomainError as exc:
        unless_fixable(exc)
    return redirect(f"/exports/{job_id}", request)


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
