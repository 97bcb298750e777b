"""Pairing agreements (结对帮扶协议) and their quarterly outcome reports (帮扶成效报告)."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.base import EnumString, UTCDateTime, non_negative, one_of, utcnow
from app.models.enums import OPEN_AGREEMENT_STATUSES, AgreementStatus, HelpKind, ReportStatus
from app.models.flags import full_mask

if TYPE_CHECKING:
    from app.models.organisation import Enterprise
    from app.models.region import Village

# The indicators an agreement commits to and a report accounts for, in ledger order.
INDICATORS = (
    "funding_business_fen",  # 经营性资金
    "funding_welfare_fen",  # 公益性资金
    "jobs",
    "trainees",
    "purchase_fen",
    "beneficiaries",
)
_OPEN = ", ".join(f"'{s}'" for s in OPEN_AGREEMENT_STATUSES)

# version_id_col needs the Column object itself (SQLModel loses a string name, decision 0004);
# it is shared with the mapper args.
_agreement_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")
_report_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class PairingAgreement(SQLModel, table=True):
    """A multi-year agreement between one enterprise and one village."""

    __tablename__ = "pairing_agreements"
    __table_args__ = (
        one_of("status", AgreementStatus),
        sa.CheckConstraint("end_on > start_on", name="term_end_after_start"),
        sa.CheckConstraint(
            f"help_kinds > 0 AND help_kinds <= {full_mask(HelpKind)}", name="help_kinds_valid"
        ),
        *non_negative(*(f"commit_{name}" for name in INDICATORS)),
        # At most one open agreement per enterprise and village: a double click cannot duplicate it.
        sa.Index(
            "uq_pairing_agreements_open_pair",
            "enterprise_id",
            "village_id",
            unique=True,
            sqlite_where=sa.text(f"status IN ({_OPEN})"),
            postgresql_where=sa.text(f"status IN ({_OPEN})"),
        ),
        sa.Index("ix_pairing_agreements_status", "status"),
        # The dashboard's grouped figures read these instead of the table (migration 0006).
        sa.Index(
            "ix_pairing_agreements_status_village",
            "status",
            "village_id",
            "enterprise_id",
            "start_on",
            "end_on",
            *(f"commit_{name}" for name in INDICATORS),
        ),
        sa.Index("ix_pairing_agreements_status_enterprise", "status", "enterprise_id"),
        # Lists newest first and the inbox's queues by status, a page at a time (migration 0007).
        sa.Index("ix_pairing_agreements_proposed", "proposed_at", "id"),
        sa.Index("ix_pairing_agreements_status_proposed", "status", "proposed_at", "id"),
    )
    __mapper_args__ = {"version_id_col": _agreement_version}

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    enterprise_id: int = Field(foreign_key="enterprises.id", index=True)
    village_id: int = Field(foreign_key="villages.id", index=True)
    help_kinds: int
    start_on: date
    end_on: date
    commit_funding_business_fen: int = Field(default=0, sa_type=sa.BigInteger)
    commit_funding_welfare_fen: int = Field(default=0, sa_type=sa.BigInteger)
    commit_jobs: int = Field(default=0)
    commit_trainees: int = Field(default=0)
    commit_purchase_fen: int = Field(default=0, sa_type=sa.BigInteger)
    commit_beneficiaries: int = Field(default=0)
    note: str = Field(default="", sa_type=sa.Text)
    # 补录: the term starts before the quarter it was proposed in (within the grace, decision 0030).
    late_start: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Reason codes (space-separated, app.services.pairing.terms.REVIEW_REASONS) of rules the row
    # broke when migration 0017 introduced them: 待核查 for the bureau; never deleted.
    review_flags: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    status: AgreementStatus = Field(
        default=AgreementStatus.proposed, sa_type=EnumString(AgreementStatus)
    )
    status_reason: str = Field(default="", max_length=500)
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    filed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_agreement_version)

    enterprise: "Enterprise" = Relationship(back_populates="agreements")
    village: "Village" = Relationship(back_populates="agreements")
    reports: list["OutcomeReport"] = Relationship(back_populates="agreement")

    @property
    def commit_funding_fen(self) -> int:
        return self.commit_funding_business_fen + self.commit_funding_welfare_fen


class OutcomeReport(SQLModel, table=True):
    """What an enterprise delivered under an agreement in one quarter."""

    __tablename__ = "outcome_reports"
    __table_args__ = (
        one_of("status", ReportStatus),
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter_valid"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_valid"),
        sa.UniqueConstraint("agreement_id", "year", "quarter", name="uq_outcome_reports_period"),
        *non_negative(*(f"actual_{name}" for name in INDICATORS)),
        sa.Index("ix_outcome_reports_period", "year", "quarter"),
        # The dashboard's actuals per county, quarter and enterprise (migration 0006).
        sa.Index(
            "ix_outcome_reports_agreement_figures",
            "agreement_id",
            "status",
            "year",
            "quarter",
            *(f"actual_{name}" for name in INDICATORS),
        ),
        # The inbox's report queues: count by status, oldest first (migration 0007).
        sa.Index("ix_outcome_reports_status_updated", "status", "updated_at", "id"),
    )
    __mapper_args__ = {"version_id_col": _report_version}

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="pairing_agreements.id", index=True)
    year: int
    quarter: int
    actual_funding_business_fen: int = Field(default=0, sa_type=sa.BigInteger)
    actual_funding_welfare_fen: int = Field(default=0, sa_type=sa.BigInteger)
    actual_jobs: int = Field(default=0)
    actual_trainees: int = Field(default=0)
    actual_purchase_fen: int = Field(default=0, sa_type=sa.BigInteger)
    actual_beneficiaries: int = Field(default=0)
    narrative: str = Field(default="", sa_type=sa.Text)
    status: ReportStatus = Field(default=ReportStatus.submitted, sa_type=EnumString(ReportStatus))
    return_comment: str = Field(default="", max_length=500)
    # 第几版: 1 as first submitted; each correction (更正) of a verified report adds one and keeps
    # the earlier version in report_revisions.
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    review_flags: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_report_version)

    agreement: PairingAgreement = Relationship(back_populates="reports")

    @property
    def period(self) -> str:
        return f"{self.year}Q{self.quarter}"


class ReportRevision(SQLModel, table=True):
    """An earlier version of an outcome report, kept when a verified report is corrected (更正):
    its figures and narrative as verified, when each step was taken, and why it was corrected."""

    __tablename__ = "report_revisions"
    __table_args__ = (
        sa.UniqueConstraint("report_id", "revision", name="uq_report_revisions_revision"),
        *non_negative(*(f"actual_{name}" for name in INDICATORS)),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="outcome_reports.id", index=True)
    revision: int
    actual_funding_business_fen: int = Field(default=0, sa_type=sa.BigInteger)
    actual_funding_welfare_fen: int = Field(default=0, sa_type=sa.BigInteger)
    actual_jobs: int = Field(default=0)
    actual_trainees: int = Field(default=0)
    actual_purchase_fen: int = Field(default=0, sa_type=sa.BigInteger)
    actual_beneficiaries: int = Field(default=0)
    narrative: str = Field(default="", sa_type=sa.Text)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=500)
    corrected_by: int | None = Field(default=None, foreign_key="users.id")
    corrected_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
