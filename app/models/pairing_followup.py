"""What the bureau does about missing quarterly reports: reminders (催报) and waivers (免报)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class ReportReminder(SQLModel, table=True):
    """One reminder the bureau sent an enterprise for one missing quarter of an agreement."""

    __tablename__ = "report_reminders"
    __table_args__ = (
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_valid"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_valid"),
        # The agreement page's 最近催报时间: the newest reminder of an agreement.
        sa.Index("ix_report_reminders_agreement_sent", "agreement_id", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="pairing_agreements.id")
    year: int
    quarter: int
    sent_by_id: int | None = Field(default=None, foreign_key="users.id")
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def period(self) -> str:
        return f"{self.year}Q{self.quarter}"


class ReportWaiver(SQLModel, table=True):
    """The bureau's decision that one quarter of an agreement needs no report (免报), with why.

    A waived quarter is neither overdue nor in the way of completing the agreement.
    """

    __tablename__ = "report_waivers"
    __table_args__ = (
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_valid"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_valid"),
        sa.UniqueConstraint("agreement_id", "year", "quarter", name="uq_report_waivers_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="pairing_agreements.id")
    year: int
    quarter: int
    reason: str = Field(max_length=500)
    waived_by_id: int | None = Field(default=None, foreign_key="users.id")
    waived_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def period(self) -> str:
        return f"{self.year}Q{self.quarter}"
