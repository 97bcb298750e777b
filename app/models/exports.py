"""Ledger export jobs (台账导出): one row per export, so any process can show its progress."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import EnumString, UTCDateTime, one_of, utcnow


class ExportStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"


class ExportJob(SQLModel, table=True):
    """An export of the ledger for one bureau scope; the file is written beside the uploads."""

    __tablename__ = "export_jobs"
    __table_args__ = (
        one_of("status", ExportStatus),
        one_of("format", ExportFormat),
        sa.CheckConstraint("rows_done >= 0 AND rows_total >= 0", name="rows_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_by: int | None = Field(default=None, foreign_key="users.id", index=True)
    # The scope of the bureau officer who asked (city or county code): only it may download.
    region_code: str = Field(max_length=6)
    county_code: str | None = Field(default=None, max_length=6)
    format: ExportFormat = Field(sa_type=EnumString(ExportFormat, 8))
    status: ExportStatus = Field(default=ExportStatus.queued, sa_type=EnumString(ExportStatus))
    rows_done: int = Field(default=0)
    rows_total: int = Field(default=0)
    file_name: str = Field(default="", max_length=120)
    storage_key: str = Field(default="", max_length=200)
    error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.done:
            return 100
        return self.rows_done * 100 // self.rows_total if self.rows_total else 0
