"""Summaries of agreements and reports the pairing services keep in the same transaction as the
change (docs/decisions/0011-dashboard-aggregates.md, "the pairing summaries (0010)").

A quarter is numbered ``year × 4 + quarter − 1`` (2026Q1 is 8104), so a range of quarters is a
range of integers.
"""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import non_negative
from app.models.pairing import INDICATORS

COMMITTED = tuple(f"commit_{name}" for name in INDICATORS)
SHARES = tuple(f"share_{name}" for name in INDICATORS)
ACTUALS = tuple(f"actual_{name}" for name in INDICATORS)


class PairingCommitment(SQLModel, table=True):
    """Filed agreements (履行中 and 已完成) per county of the village and term: their raw
    commitments and, per quarter of the term, each agreement's share rounded down."""

    __tablename__ = "pairing_commitments"
    __table_args__ = (*non_negative("agreements", *COMMITTED, *SHARES),)

    county_code: str = Field(max_length=6, foreign_key="counties.code", primary_key=True)
    first_quarter: int = Field(primary_key=True)
    last_quarter: int = Field(primary_key=True)
    agreements: int = Field(default=0)
    commit_funding_business_fen: int = Field(default=0, sa_type=sa.BigInteger)
    commit_funding_welfare_fen: int = Field(default=0, sa_type=sa.BigInteger)
    commit_jobs: int = Field(default=0, sa_type=sa.BigInteger)
    commit_trainees: int = Field(default=0, sa_type=sa.BigInteger)
    commit_purchase_fen: int = Field(default=0, sa_type=sa.BigInteger)
    commit_beneficiaries: int = Field(default=0, sa_type=sa.BigInteger)
    share_funding_business_fen: int = Field(default=0, sa_type=sa.BigInteger)
    share_funding_welfare_fen: int = Field(default=0, sa_type=sa.BigInteger)
    share_jobs: int = Field(default=0, sa_type=sa.BigInteger)
    share_trainees: int = Field(default=0, sa_type=sa.BigInteger)
    share_purchase_fen: int = Field(default=0, sa_type=sa.BigInteger)
    share_beneficiaries: int = Field(default=0, sa_type=sa.BigInteger)


class PairingActual(SQLModel, table=True):
    """Verified (已核实) outcome reports per county of the village and reported quarter."""

    __tablename__ = "pairing_actuals"
    __table_args__ = (*non_negative("reports", *ACTUALS),)

    county_code: str = Field(max_length=6, foreign_key="counties.code", primary_key=True)
    year: int = Field(primary_key=True)
    quarter: int = Field(primary_key=True)
    reports: int = Field(default=0)
    actual_funding_business_fen: int = Field(default=0, sa_type=sa.BigInteger)
    actual_funding_welfare_fen: int = Field(default=0, sa_type=sa.BigInteger)
    actual_jobs: int = Field(default=0, sa_type=sa.BigInteger)
    actual_trainees: int = Field(default=0, sa_type=sa.BigInteger)
    actual_purchase_fen: int = Field(default=0, sa_type=sa.BigInteger)
    actual_beneficiaries: int = Field(default=0, sa_type=sa.BigInteger)


class EnterpriseReports(SQLModel, table=True):
    """Outcome reports in any status per reported quarter, county of the village and
    enterprise (the most active enterprises read a range of quarters)."""

    __tablename__ = "enterprise_reports"
    __table_args__ = (*non_negative("reports"),)

    quarter_index: int = Field(primary_key=True)
    county_code: str = Field(max_length=6, foreign_key="counties.code", primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprises.id", primary_key=True)
    reports: int = Field(default=0)


class EnterpriseAgreements(SQLModel, table=True):
    """Active (履行中) agreements per county of the village and enterprise."""

    __tablename__ = "enterprise_agreements"
    __table_args__ = (*non_negative("active"),)

    county_code: str = Field(max_length=6, foreign_key="counties.code", primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprises.id", primary_key=True)
    active: int = Field(default=0)
