"""The ledger export (台账导出): every section written as XLSX sheets or CSV files, streamed.

XLSX uses openpyxl's write-only mode (rows go straight to disk): Chinese headers in bold, a frozen
header row, filters, column widths, and number and date formats. CSV is a ZIP of one UTF-8 file
per section with a byte-order mark, so Excel opens it. A bureau officer's export is a job
(``ExportJob``): created with its audit event and a background job (app/services/jobs.py) in the
request's unit of work, run by whichever runner claims the job, its progress saved as it goes so
any process can show it. A runner that dies mid-export loses its lease: the next one writes the
file again from the start, or marks the export failed after the last attempt; a failed export can
be retried. Files are deleted ``export_retention_days`` after they were written.
"""

import csv
import io
import logging
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, select

from app.actors import Actor, Role
from app.db import Database
from app.errors import NotFoundError, ValidationError
from app.models import County, ExportJob
from app.models.base import utcnow
from app.models.enums import CITY_CODE
from app.models.exports import ExportFormat, ExportStatus
from app.permissions import EXPORT_JOBS, can_view_statistics, is_system, require
from app.services import clock, jobs
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import LedgerEvent
from app.services.domains import ledger_sections
from app.services.imports.columns import column_letter
from app.services.ledger_sections import Kind, Section
from app.spreadsheets import csv_cell, xlsx_cell

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
PROGRESS_EVERY = 500
NUMBER_FORMATS = {
    Kind.INTEGER: "#,##0",
    Kind.MONEY: "#,##0.00",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}
RECENT_JOBS = 10


def sections() -> tuple[Section, ...]:
    """The ledger's sheets in order: every domain's ``LEDGER_SECTIONS`` (app/services/domains)."""
    return ledger_sections()


EXPORT_KIND = "ledger.export"
EXPIRED = "文件已超过保存期限，已删除；如需要请重新导出"


def can_export_ledger(actor: Actor) -> bool:
    return can_view_statistics(actor) or is_system(actor)


def can_download(actor: Actor, job: ExportJob) -> bool:
    """Only the bureau scope that asked for an export may fetch its file."""
    return EXPORT_JOBS.allows(actor, region_code=job.region_code)


def _local(value):
    # Excel has no time zones: show the Asia/Shanghai wall-clock time.
    if isinstance(value, datetime):
        return value.astimezone(clock.SHANGHAI).replace(tzinfo=None)
    return value


def _counting(progress: Progress | None, total: int):
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)

    return tick


def _write_xlsx(session, actor, county, target, tick, pause) -> None:
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for section in sections():
        sheet = workbook.create_sheet(section.title)
        for i, column in enumerate(section.columns):
            sheet.column_dimensions[column_letter(i)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in section.columns:
            cell = xlsx_cell(sheet, column.header)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        formats = [NUMBER_FORMATS.get(c.kind) for c in section.columns]
        rows = 0
        for values in section.rows(session, actor, county):
            # Every cell through the one neutraliser: user text never becomes a formula.
            sheet.append(
                [xlsx_cell(sheet, _local(v), f) for v, f in zip(values, formats, strict=True)]
            )
            rows += 1
            tick()
        last = column_letter(len(section.columns) - 1)
        sheet.auto_filter.ref = f"A1:{last}{rows + 1}"
        pause()
    workbook.save(target)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str):
        return csv_cell(value)
    return str(value)  # numbers and dates: never neutralised (−12.50 stays a number)


def _write_csv(session, actor, county, target, tick, pause) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number, section in enumerate(sections(), start=1):
            with archive.open(f"{number:02d}-{section.title}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow([csv_cell(c.header) for c in section.columns])
                for values in section.rows(session, actor, county):
                    writer.writerow([_text(v) for v in values])
                    tick()
                text.flush()
                text.detach()
            pause()


def count_rows(session: Session, actor: Actor, county: str | None = None) -> int:
    return sum(section.count(session, actor, county) for section in sections())


def write_ledger(
    *,
    session: Session,
    actor: Actor,
    fmt: ExportFormat,
    target,
    county: str | None = None,
    progress: Progress | None = None,
    after_section: Callable[[], None] | None = None,
) -> int:
    """Write the ledger of the actor's region (or one county of it) to ``target``; rows written.
    ``after_section`` runs after each section (a runner's pause and stop check)."""
    require(can_export_ledger(actor))
    total = count_rows(session, actor, county)
    if progress is not None:
        progress(0, total)
    tick = _counting(progress, total)
    writer = _write_xlsx if fmt == ExportFormat.xlsx else _write_csv
    writer(session, actor, county, target, tick, after_section or (lambda: None))
    if progress is not None:
        progress(total, total)
    return total


# Export jobs -----------------------------------------------------------------------------------


def request_export(
    *,
    session: Session,
    actor: Actor,
    fmt: str,
    county_code: str | None = None,
    background: bool = True,
    max_attempts: int = 3,
) -> ExportJob:
    """Queue an export of the actor's region (or one county in it) and record who asked.

    ``background``: a job runs it (the page); else the caller runs it itself (the command line).
    """
    require(can_export_ledger(actor))
    try:
        fmt = ExportFormat(fmt)
    except ValueError:
        raise ValidationError("请选择导出格式：XLSX 或 CSV", field="format") from None
    region = actor.region_code or CITY_CODE
    if county_code:
        county = session.get(County, county_code)
        if county is None:
            raise ValidationError("没有这个县级代码", code="county_unknown", field="county_code")
        require(region in (CITY_CODE, county_code))
    stamp = clock.today().strftime("%Y%m%d")
    job = ExportJob(
        created_by=actor.user_id,
        region_code=region,
        county_code=county_code or None,
        format=fmt,
        file_name=f"台账-{county_code or region}-{stamp}.{'xlsx' if fmt == 'xlsx' else 'zip'}",
    )
    session.add(job)
    publish(
        session,
        LedgerEvent.by(
            actor,
            action="ledger.export",
            obj=job,
            summary=f"导出台账（{fmt.value.upper()}）",
            after=snapshot(job, ("region_code", "county_code", "format")),
            county_code=county_code or (None if region == CITY_CODE else region),
        ),
    )
    if background:
        session.flush()  # the export's id
        jobs.enqueue(session, EXPORT_KIND, {"export_id": job.id}, max_attempts=max_attempts)
    return job


def job_actor(job: ExportJob) -> Actor:
    """The scope the export was asked for, as the actor its rows are read for."""
    return Actor(role=Role.bureau, user_id=job.created_by, region_code=job.region_code)


def run_export(
    database: Database,
    job_id: int,
    directory: Path,
    *,
    file_name: str | None = None,
    progress: Progress | None = None,
    after_section: Callable[[], None] | None = None,
    fail_visibly: bool = True,
) -> None:
    """Write a queued export's file from the start, saving its progress as it goes.

    On an error the export is marked failed when ``fail_visibly`` (else the job that runs it
    tries again, and marks it failed after its last attempt); on ``jobs.Interrupted`` (raised by
    ``after_section`` when the runner stops) it is queued again for the next runner.
    """
    with database.unit_of_work() as session:
        job = session.get(ExportJob, job_id)
        job.status, job.rows_done, job.error, job.finished_at = ExportStatus.running, 0, "", None
        job.storage_key = file_name or f"ledger-{job.id}.{job.format}"
        actor, fmt, county, key = job_actor(job), job.format, job.county_code, job.storage_key

    def save(done: int, total: int) -> None:
        with database.unit_of_work() as session:
            job = session.get(ExportJob, job_id)
            job.rows_done, job.rows_total = done, total
        if progress is not None:
            progress(done, total)

    directory.mkdir(parents=True, exist_ok=True)
    try:
        with database.read_only() as session, open(directory / key, "wb") as target:
            write_ledger(
                session=session,
                actor=actor,
                fmt=fmt,
                target=target,
                county=county,
                progress=save,
                after_section=after_section,
            )
    except jobs.Interrupted:  # the runner is stopping: the next one starts the file again
        with database.unit_of_work() as session:
            job = session.get(ExportJob, job_id)
            job.status, job.rows_done = ExportStatus.queued, 0
        raise
    except Exception as exc:
        log.exception("ledger export %s failed", job_id)
        if fail_visibly:
            mark_failed(database, job_id, f"导出失败：{type(exc).__name__}")
        raise
    _finish(database, job_id, ExportStatus.done, "")


def mark_failed(database: Database, job_id: int, error: str) -> None:
    """Show an export as failed (its page then offers 重试)."""
    _finish(database, job_id, ExportStatus.failed, error)


def _finish(database: Database, job_id: int, status: ExportStatus, error: str) -> None:
    with database.unit_of_work() as session:
        job = session.get(ExportJob, job_id)
        job.status, job.error, job.finished_at = status, error, utcnow()


def get_job(*, session: Session, actor: Actor, job_id: int) -> ExportJob:
    """An export of the actor's own scope (others are reported missing)."""
    job = session.get(ExportJob, job_id)
    if job is None or not can_download(actor, job):
        raise NotFoundError("导出任务不存在")
    return job


def recent_jobs(*, session: Session, actor: Actor) -> list[ExportJob]:
    """The latest exports asked for by the actor's scope, newest first."""
    require(can_view_statistics(actor))
    query = (
        select(ExportJob)
        .where(EXPORT_JOBS.where(actor, region_code=ExportJob.region_code))
        .order_by(ExportJob.id.desc())
        .limit(RECENT_JOBS)
    )
    return list(session.exec(query))
