"""Specialty agricultural products listed by cooperatives."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.base import EnumString, UTCDateTime, non_negative, one_of, utcnow
from app.models.enums import Certification, CertificationStatus, ProductCategory, ProductStatus
from app.models.flags import ALL_MONTHS, full_mask

if TYPE_CHECKING:
    from app.models.organisation import Cooperative
    from app.models.region import Village


_product_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class Product(SQLModel, table=True):
    """A product on offer: price in 分 per unit, stock in units."""

    __tablename__ = "products"
    __table_args__ = (
        one_of("category", ProductCategory),
        one_of("status", ProductStatus),
        sa.CheckConstraint("min_order >= 1", name="min_order_positive"),
        sa.CheckConstraint(
            f"harvest_months >= 0 AND harvest_months <= {ALL_MONTHS}", name="harvest_months_valid"
        ),
        sa.CheckConstraint(
            f"certifications >= 0 AND certifications <= {full_mask(Certification)}",
            name="certifications_valid",
        ),
        sa.CheckConstraint("rating_count >= 0 AND rating_total >= 0", name="rating_non_negative"),
        *non_negative("price_fen", "stock"),
        sa.CheckConstraint("net_weight_g IS NULL OR net_weight_g > 0", name="net_weight_positive"),
        sa.CheckConstraint(
            "pieces_per_unit IS NULL OR pieces_per_unit > 0", name="pieces_positive"
        ),
        sa.CheckConstraint(
            "shelf_life_days IS NULL OR shelf_life_days > 0", name="shelf_life_positive"
        ),
        sa.Index("ix_products_status_category", "status", "category"),
    )

    __mapper_args__ = {"version_id_col": _product_version}

    id: int | None = Field(default=None, primary_key=True)
    cooperative_id: int = Field(foreign_key="cooperatives.id", index=True)
    village_id: int = Field(foreign_key="villages.id", index=True)
    name: str = Field(max_length=60)
    category: ProductCategory = Field(sa_type=EnumString(ProductCategory))
    unit: str = Field(max_length=8)
    price_fen: int = Field(sa_type=sa.BigInteger)
    min_order: int = Field(default=1)
    stock: int = Field(default=0, sa_type=sa.BigInteger)
    harvest_months: int = Field(default=0)
    certifications: int = Field(default=0)
    assistance_certified_until: date | None = Field(default=None)
    description: str = Field(default="", sa_type=sa.Text)
    # 品种 (红富士, 软籽石榴 …): with the category and county, what a price is compared within.
    variety: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    # What one unit holds: its net weight in grams, or how many pieces (枚, 个) — the basis of
    # the price per standard quantity (per 斤 or per piece, app/services/pricing.py).
    net_weight_g: int | None = Field(default=None)
    pieces_per_unit: int | None = Field(default=None)
    shelf_life_days: int | None = Field(default=None)  # 保质期（天）
    shipping_terms: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": ""})
    dispatch_place: str = Field(default="", max_length=60, sa_column_kwargs={"server_default": ""})
    # Certificate numbers of the claimed certifications (绿色食品, 有机, 地理标志), checked in the
    # bureau's certification review.
    green_certificate_no: str = Field(
        default="", max_length=40, sa_column_kwargs={"server_default": ""}
    )
    organic_certificate_no: str = Field(
        default="", max_length=40, sa_column_kwargs={"server_default": ""}
    )
    gi_certificate_no: str = Field(
        default="", max_length=40, sa_column_kwargs={"server_default": ""}
    )
    status: ProductStatus = Field(default=ProductStatus.draft, sa_type=EnumString(ProductStatus))
    rating_total: int = Field(default=0)
    rating_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_product_version)

    cooperative: "Cooperative" = Relationship(back_populates="products")
    village: "Village" = Relationship()

    @property
    def rating(self) -> float | None:
        """Average rating 1–5, or None before the first rating."""
        return self.rating_total / self.rating_count if self.rating_count else None

    def is_assistance_certified(self, today: date) -> bool:
        """Whether the bureau's consumption-assistance certification is in force on ``today``."""
        return (
            self.assistance_certified_until is not None and self.assistance_certified_until >= today
        )


class CertificationApplication(SQLModel, table=True):
    """A cooperative's application for the bureau's consumption-assistance certification."""

    __tablename__ = "certification_applications"
    __table_args__ = (
        one_of("status", CertificationStatus),
        sa.CheckConstraint(
            "status <> 'approved' OR expires_on IS NOT NULL", name="approved_has_expiry"
        ),
        sa.CheckConstraint(
            "status <> 'publicised' OR notice_ends_at IS NOT NULL", name="publicised_has_notice"
        ),
        sa.Index("ix_certification_applications_status", "status"),
        # The inbox's queue of pending applications, oldest first (migration 0007).
        sa.Index("ix_certification_applications_status_applied", "status", "applied_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    status: CertificationStatus = Field(
        default=CertificationStatus.pending, sa_type=EnumString(CertificationStatus)
    )
    note: str = Field(default="", max_length=500)
    expires_on: date | None = Field(default=None)
    reason: str = Field(default="", max_length=500)
    # End of the public notice period (公示期) that follows the bureau's approval.
    notice_ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    applied_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="users.id")

    product: Product = Relationship()
