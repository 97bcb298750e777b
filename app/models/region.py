"""Counties, townships, villages and their needs (帮扶需求)."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.base import EnumString, UTCDateTime, non_negative, one_of, utcnow
from app.models.enums import CountyCategory, HelpKind, NeedStatus

if TYPE_CHECKING:
    from app.models.pairing import PairingAgreement


class County(SQLModel, table=True):
    """A county-level division (县/市/区) identified by its GB/T 2260 code."""

    __tablename__ = "counties"
    __table_args__ = (
        one_of("category", CountyCategory),
        sa.CheckConstraint("length(code) = 6", name="code_length"),
    )

    code: str = Field(primary_key=True, max_length=6)
    name: str = Field(max_length=20, unique=True)
    category: CountyCategory = Field(sa_type=EnumString(CountyCategory))

    townships: list["Township"] = Relationship(back_populates="county")


class Township(SQLModel, table=True):
    """A township or street office (乡镇/街道) with its 9-digit statistical code."""

    __tablename__ = "townships"
    __table_args__ = (
        sa.CheckConstraint("length(code) = 9", name="code_length"),
        sa.CheckConstraint("substr(code, 1, 6) = county_code", name="code_in_county"),
    )

    code: str = Field(primary_key=True, max_length=9)
    name: str = Field(max_length=30)
    county_code: str = Field(foreign_key="counties.code", index=True, max_length=6)

    county: County = Relationship(back_populates="townships")


_village_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class Village(SQLModel, table=True):
    """An administrative village (行政村); its 12-digit code extends its township's."""

    __tablename__ = "villages"
    __table_args__ = (
        sa.CheckConstraint("length(code) = 12", name="code_length"),
        sa.CheckConstraint("substr(code, 1, 9) = township_code", name="code_in_township"),
        sa.CheckConstraint("substr(code, 1, 6) = county_code", name="code_in_county"),
        sa.CheckConstraint("lifted_households <= households", name="lifted_within_households"),
        *non_negative("population", "households", "lifted_households", "monitored_households"),
        sa.Index("ix_villages_county_key", "county_code", "key_village"),
    )

    __mapper_args__ = {"version_id_col": _village_version}

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    name: str = Field(max_length=40)
    township_code: str = Field(foreign_key="townships.code", index=True, max_length=9)
    county_code: str = Field(foreign_key="counties.code", max_length=6)
    key_village: bool = Field(default=False)
    lifted_village: bool = Field(default=False)
    relocation_site: bool = Field(default=False)
    pv_station: bool = Field(default=False)
    tourism_demo: bool = Field(default=False)
    population: int = Field(default=0)
    households: int = Field(default=0)
    lifted_households: int = Field(default=0)
    monitored_households: int = Field(default=0)
    main_industries: str = Field(default="", max_length=200)
    resources: str = Field(default="", sa_type=sa.Text)
    introduction: str = Field(default="", sa_type=sa.Text)
    contact_name: str = Field(default="", max_length=40)
    contact_phone: str = Field(default="", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_village_version)

    township: Township = Relationship()
    county: County = Relationship()
    needs: list["VillageNeed"] = Relationship(back_populates="village")
    agreements: list["PairingAgreement"] = Relationship(back_populates="village")


_need_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class VillageNeed(SQLModel, table=True):
    """One item of a village's needs list (需求清单)."""

    __tablename__ = "village_needs"
    __table_args__ = (
        one_of("kind", HelpKind),
        one_of("status", NeedStatus),
        sa.CheckConstraint("amount_fen IS NULL OR amount_fen >= 0", name="amount_non_negative"),
        sa.CheckConstraint("headcount IS NULL OR headcount >= 0", name="headcount_non_negative"),
    )

    __mapper_args__ = {"version_id_col": _need_version}

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="villages.id", index=True)
    kind: HelpKind = Field(sa_type=EnumString(HelpKind))
    description: str = Field(sa_type=sa.Text)
    amount_fen: int | None = Field(default=None, sa_type=sa.BigInteger)
    headcount: int | None = Field(default=None)
    status: NeedStatus = Field(default=NeedStatus.open, sa_type=EnumString(NeedStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_need_version)

    village: Village = Relationship(back_populates="needs")
