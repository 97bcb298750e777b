"""Summaries the services keep in the same transaction as the rows they add up."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import EnumString, non_negative, one_of
from app.models.enums import ProductCategory


class SalesMonthly(SQLModel, table=True):
    """Received (已收货) orders per Asia/Shanghai month, origin county and product category,
    as they were at the time of receipt (docs/decisions/0011-dashboard-aggregates.md)."""

    __tablename__ = "sales_monthly"
    __table_args__ = (
        one_of("category", ProductCategory),
        *non_negative("orders", "amount_fen", "paired_fen"),
    )

    month: str = Field(max_length=7, primary_key=True)  # 2026-11
    county_code: str = Field(max_length=6, foreign_key="counties.code", primary_key=True)
    category: ProductCategory = Field(sa_type=EnumString(ProductCategory), primary_key=True)
    orders: int = Field(default=0, sa_type=sa.BigInteger)
    amount_fen: int = Field(default=0, sa_type=sa.BigInteger)
    paired_fen: int = Field(default=0, sa_type=sa.BigInteger)


class PurchasesYearly(SQLModel, table=True):
    """Received (已收货) orders per Asia/Shanghai calendar year, buyer and origin county (of the
    product's village at the time of receipt): the reserved shares and the most active buyers
    (docs/decisions/0011-dashboard-aggregates.md, migration 0011)."""

    __tablename__ = "purchases_yearly"
    __table_args__ = (
        *non_negative("orders", "amount_fen", "paired_fen"),
        # A county officer's year of purchases per buyer, read from the index alone.
        sa.Index("ix_purchases_yearly_county", "year", "county_code", "buyer_id", "amount_fen"),
    )

    year: int = Field(primary_key=True)
    buyer_id: int = Field(foreign_key="enterprises.id", primary_key=True)
    county_code: str = Field(max_length=6, foreign_key="counties.code", primary_key=True)
    orders: int = Field(default=0, sa_type=sa.BigInteger)
    amount_fen: int = Field(default=0, sa_type=sa.BigInteger)
    paired_fen: int = Field(default=0, sa_type=sa.BigInteger)
