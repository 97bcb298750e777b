"""Ledger exports as background jobs: retry a failed export, delete files past their retention.

The export itself is app/services/ledger.py; the job queue app/services/jobs.py; the runner that
calls these app/jobs.py.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from app.actors import Actor
from app.config import Settings
from app.db import Database
from app.errors import ValidationError
from app.models import Event, ExportJob
from app.models.enums import CITY_CODE
from app.models.exports import ExportStatus
from app.permissions import can_purge_personal_data, require
from app.services import jobs, ledger
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import LedgerEvent

log = logging.getLogger(__name__)

EXPORTS_SUBDIR = "exports"


def export_directory(settings: Settings) -> Path:
    """Where export files are written: beside the uploads, outside the web root."""
    return Path(settings.upload_dir) / EXPORTS_SUBDIR


def retry_export(
    *, session: Session, actor: Actor, export_id: int, max_attempts: int = 3
) -> ExportJob:
    """Queue a failed export again (its page's 重试 button)."""
    job = ledger.get_job(session=session, actor=actor, job_id=export_id)
    if job.status != ExportStatus.failed:
        raise ValidationError("只有失败的导出任务可以重试", code="export_not_failed")
    before = snapshot(job, ("status", "error"))
    job.status, job.rows_done, job.error, job.finished_at = ExportStatus.queued, 0, "", None
    session.add(job)
    publish(
        session,
        LedgerEvent.by(
            actor,
            action="ledger.retry",
            obj=job,
            summary="重试导出台账",
            before=before,
            after=snapshot(job, ("status",)),
            county_code=job.county_code
            or (None if job.region_code == CITY_CODE else job.region_code),
        ),
    )
    jobs.enqueue(session, ledger.EXPORT_KIND, {"export_id": job.id}, max_attempts=max_attempts)
    return job


def purge_old_exports(
    database: Database, settings: Settings, *, actor: Actor, now: datetime
) -> int:
    """Delete the files of exports finished more than ``export_retention_days`` ago; how many.

    The export's row stays (its page says the file was deleted); one event records the purge.
    """
    require(can_purge_personal_data(actor))
    cutoff = now - timedelta(days=settings.export_retention_days)
    directory = export_directory(settings)
    with database.unit_of_work() as session:
        old = session.exec(
            select(ExportJob).where(
                ExportJob.finished_at < cutoff,
                ExportJob.storage_key != "",
            )
        ).all()
        for job in old:
            path = directory / job.storage_key
            if path.parent == directory:  # a key is a plain file name; never follow another
                path.unlink(missing_ok=True)
            job.storage_key = ""
            if job.status == ExportStatus.done:
                job.error = ledger.EXPIRED
            session.add(job)
        if old:
            session.add(
                Event(
                    occurred_at=now,
                    actor_id=actor.user_id,
                    actor_label=actor.label,
                    action="ledger.purge_files",
                    object_type="ExportJob",
                    object_id=now.date().isoformat(),
                    summary=f"删除超过保存期限（{settings.export_retention_days} 天）的导出文件 "
                    f"{len(old)} 个",
                    after={"export_ids": [job.id for job in old]},
                )
            )
    if old:
        log.info("deleted %d export files past their retention", len(old))
    return len(old)
