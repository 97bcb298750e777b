"""劳务协作: groups of available village workers (劳务供给) and employers' job postings (招工岗位).

A supply group is counts and skills, never people: how many workers, what they can do, whether
they may work away from home, in which months. A posting belongs to exactly one approved
organisation (an enterprise or a cooperative) and names its place by county and township code.
"""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import EnumString, UTCDateTime, non_negative, one_of, utcnow

# Every month of the year, as the bits of ``available_months`` (bit 0 is January).
ALL_MONTHS = (1 << 12) - 1


class SupplyStatus(StrEnum):
    open = "open"
    withdrawn = "withdrawn"


class PostingStatus(StrEnum):
    open = "open"
    closed = "closed"


class PostingKind(StrEnum):
    """Where the work is: a 帮扶车间, a nearby job (就近就业), or work away from home (外出务工)."""

    workshop = "workshop"
    nearby = "nearby"
    away = "away"


_supply_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")
_posting_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class LabourSupply(SQLModel, table=True):
    """A village's group of available workers: head-count, skills, reach and months."""

    __tablename__ = "labour_supplies"
    __table_args__ = (
        one_of("status", SupplyStatus),
        sa.CheckConstraint("head_count > 0", name="head_count_positive"),
        sa.CheckConstraint(
            f"available_months > 0 AND available_months <= {ALL_MONTHS}", name="months_valid"
        ),
        sa.Index("ix_labour_supplies_status_county", "status", "county_code"),
    )

    __mapper_args__ = {"version_id_col": _supply_version}

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="villages.id", index=True)
    # The village's county and township, copied so lists filter and match without a join.
    county_code: str = Field(foreign_key="counties.code", max_length=6)
    township_code: str = Field(foreign_key="townships.code", max_length=9)
    title: str = Field(max_length=80)
    head_count: int
    # Skills as the village wrote them, separated by "、" (瓦工、电焊、采摘).
    skills: str = Field(default="", max_length=200)
    # False: only nearby work (the same county); True: may also work away from home.
    can_travel: bool = Field(default=False)
    available_months: int = Field(default=ALL_MONTHS)
    note: str = Field(default="", sa_type=sa.Text)
    status: SupplyStatus = Field(default=SupplyStatus.open, sa_type=EnumString(SupplyStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_supply_version)


class JobPosting(SQLModel, table=True):
    """An organisation's job posting: positions, place, wages in 分, term, board and skills."""

    __tablename__ = "job_postings"
    __table_args__ = (
        one_of("status", PostingStatus),
        one_of("kind", PostingKind),
        sa.CheckConstraint(
            "(enterprise_id IS NULL) <> (cooperative_id IS NULL)", name="one_employer"
        ),
        sa.CheckConstraint("head_count > 0", name="head_count_positive"),
        sa.CheckConstraint("wage_min_fen <= wage_max_fen", name="wage_range"),
        sa.CheckConstraint("start_month BETWEEN 1 AND 12", name="start_month_valid"),
        sa.CheckConstraint("term_months BETWEEN 1 AND 36", name="term_valid"),
        sa.CheckConstraint("substr(township_code, 1, 6) = county_code", name="township_in_county"),
        *non_negative("wage_min_fen"),
        sa.Index("ix_job_postings_status_county", "status", "county_code"),
    )

    __mapper_args__ = {"version_id_col": _posting_version}

    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int | None = Field(default=None, foreign_key="enterprises.id", index=True)
    cooperative_id: int | None = Field(default=None, foreign_key="cooperatives.id", index=True)
    title: str = Field(max_length=80)
    positions: str = Field(default="", sa_type=sa.Text)
    county_code: str = Field(foreign_key="counties.code", max_length=6)
    township_code: str = Field(foreign_key="townships.code", max_length=9)
    # Monthly wage range in 分.
    wage_min_fen: int = Field(sa_type=sa.BigInteger)
    wage_max_fen: int = Field(sa_type=sa.BigInteger)
    start_month: int
    term_months: int
    housing: bool = Field(default=False)
    meals: bool = Field(default=False)
    skills: str = Field(default="", max_length=200)
    head_count: int
    kind: PostingKind = Field(sa_type=EnumString(PostingKind))
    status: PostingStatus = Field(default=PostingStatus.open, sa_type=EnumString(PostingStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_posting_version)


class ApplicationStatus(StrEnum):
    """An application of a village's group to a posting, from applying to stable employment."""

    applied = "applied"
    interviewing = "interviewing"
    hired = "hired"
    # The village confirmed who was still employed 3 months after the hire.
    retained = "retained"
    # … and 6 months after it: the stable-employment check is done.
    stable = "stable"
    declined = "declined"
    withdrawn = "withdrawn"


# The statuses in which the hired workers count (toward the agreement and the figures).
HIRED_STATUSES = (ApplicationStatus.hired, ApplicationStatus.retained, ApplicationStatus.stable)

_application_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class LabourApplication(SQLModel, table=True):
    """A village applies on behalf of one of its groups to a posting; the employer interviews and
    hires; the village confirms at 3 and 6 months how many are still employed."""

    __tablename__ = "labour_applications"
    __table_args__ = (
        one_of("status", ApplicationStatus),
        sa.CheckConstraint(
            "(enterprise_id IS NULL) <> (cooperative_id IS NULL)", name="one_employer"
        ),
        sa.CheckConstraint("head_count > 0", name="head_count_positive"),
        sa.CheckConstraint("hired_count <= head_count", name="hired_within_offered"),
        sa.CheckConstraint("retained_count <= hired_count", name="retained_within_hired"),
        sa.CheckConstraint("stable_count <= retained_count", name="stable_within_retained"),
        *non_negative("hired_count", "retained_count", "stable_count"),
        sa.Index("ix_labour_applications_status_county", "status", "county_code"),
        sa.Index("ix_labour_applications_agreement", "agreement_id", "status"),
    )

    __mapper_args__ = {"version_id_col": _application_version}

    id: int | None = Field(default=None, primary_key=True)
    posting_id: int = Field(foreign_key="job_postings.id", index=True)
    supply_id: int = Field(foreign_key="labour_supplies.id", index=True)
    village_id: int = Field(foreign_key="villages.id", index=True)
    # The posting's employer, copied so each party's list reads one column.
    enterprise_id: int | None = Field(default=None, foreign_key="enterprises.id", index=True)
    cooperative_id: int | None = Field(default=None, foreign_key="cooperatives.id", index=True)
    # The village's county: its bureau follows where its workers went.
    county_code: str = Field(foreign_key="counties.code", max_length=6)
    head_count: int
    note: str = Field(default="", max_length=500)
    status: ApplicationStatus = Field(
        default=ApplicationStatus.applied, sa_type=EnumString(ApplicationStatus)
    )
    interview_on: date | None = None
    hired_on: date | None = None
    hired_count: int = Field(default=0)
    # When the village's stable-employment checks fall due (3 and 6 months after the hire).
    check_3_due: date | None = None
    check_6_due: date | None = None
    retained_count: int = Field(default=0)
    stable_count: int = Field(default=0)
    # The active pairing agreement between the employer and the village at the hire: its jobs
    # actuals count these workers (decision 0038).
    agreement_id: int | None = Field(default=None, foreign_key="pairing_agreements.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_application_version)
