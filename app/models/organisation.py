"""Helping organisations (帮扶主体) and cooperatives (合作社)."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.base import EnumString, UTCDateTime, non_negative, one_of, utcnow
from app.models.enums import INDUSTRY_SECTIONS, EnterpriseKind, HelpKind, RegistrationStatus
from app.models.flags import full_mask

if TYPE_CHECKING:
    from app.models.pairing import PairingAgreement
    from app.models.product import Product
    from app.models.region import County, Village

_SECTIONS = ", ".join(f"'{s}'" for s in INDUSTRY_SECTIONS)


_enterprise_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class Enterprise(SQLModel, table=True):
    """An enterprise or other social force that pairs with villages and buys their products."""

    __tablename__ = "enterprises"
    __table_args__ = (
        one_of("kind", EnterpriseKind),
        one_of("status", RegistrationStatus),
        sa.CheckConstraint(f"industry IN ({_SECTIONS})", name="industry_valid"),
        sa.CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
        sa.CheckConstraint(f"offers >= 0 AND offers <= {full_mask(HelpKind)}", name="offers_valid"),
        sa.CheckConstraint("county_code IS NOT NULL OR external_region <> ''", name="has_region"),
        *non_negative("reserved_share_fen", "max_villages"),
    )

    __mapper_args__ = {"version_id_col": _enterprise_version}

    id: int | None = Field(default=None, primary_key=True)
    credit_code: str = Field(max_length=18, unique=True)
    name: str = Field(max_length=80, index=True)
    kind: EnterpriseKind = Field(sa_type=EnumString(EnterpriseKind))
    industry: str = Field(max_length=1)
    county_code: str | None = Field(
        default=None, foreign_key="counties.code", index=True, max_length=6
    )
    external_region: str = Field(default="", max_length=40)
    offers: int = Field(default=0)
    # 预留份额: the consumption-assistance purchases this buyer reserves for each calendar year.
    reserved_share_fen: int = Field(default=0, sa_type=sa.BigInteger)
    # The most villages this enterprise will pair with at once (the coverage planner's capacity).
    max_villages: int = Field(default=3, sa_column_kwargs={"server_default": "3"})
    introduction: str = Field(default="", sa_type=sa.Text)
    contact_name: str = Field(default="", max_length=40)
    contact_phone: str = Field(default="", max_length=20)
    status: RegistrationStatus = Field(
        default=RegistrationStatus.approved, sa_type=EnumString(RegistrationStatus)
    )
    status_reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_enterprise_version)

    county: "County" = Relationship()
    agreements: list["PairingAgreement"] = Relationship(back_populates="enterprise")


class Cooperative(SQLModel, table=True):
    """A farmers' cooperative or other village producer that lists products."""

    __tablename__ = "cooperatives"
    __table_args__ = (
        one_of("status", RegistrationStatus),
        sa.CheckConstraint("length(credit_code) = 18", name="credit_code_length"),
        sa.CheckConstraint("lifted_members <= members", name="lifted_within_members"),
        *non_negative("members", "lifted_members"),
    )

    id: int | None = Field(default=None, primary_key=True)
    credit_code: str = Field(max_length=18, unique=True)
    name: str = Field(max_length=80, index=True)
    village_id: int = Field(foreign_key="villages.id", index=True)
    members: int = Field(default=0)
    lifted_members: int = Field(default=0)
    introduction: str = Field(default="", sa_type=sa.Text)
    contact_name: str = Field(default="", max_length=40)
    contact_phone: str = Field(default="", max_length=20)
    status: RegistrationStatus = Field(
        default=RegistrationStatus.approved, sa_type=EnumString(RegistrationStatus)
    )
    status_reason: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    village: "Village" = Relationship()
    products: list["Product"] = Relationship(back_populates="cooperative")
