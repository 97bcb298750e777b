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
