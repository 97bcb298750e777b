"""Uploaded files: outcome-report evidence and product photos.

The bytes live outside the web root under the upload directory (``storage_key`` is a path relative
to it); these rows say what each file is, who may see it and that it has not changed (sha256).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class ReportEvidence(SQLModel, table=True):
    """A file attached to an outcome report as evidence of what was delivered."""

    __tablename__ = "report_evidence"
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="outcome_reports.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200, unique=True)
    uploaded_by: int | None = Field(default=None, foreign_key="users.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProductImage(SQLModel, table=True):
    """A product photo with its generated thumbnail; ``position`` orders the gallery."""

    __tablename__ = "product_images"
    __table_args__ = (
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
        sa.CheckConstraint("width > 0 AND height > 0", name="dimensions_positive"),
        sa.CheckConstraint("position >= 0", name="position_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    content_type: str = Field(max_length=100)
    size_bytes: int
    width: int
    height: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200, unique=True)
    thumbnail_key: str = Field(max_length=200, unique=True)
    position: int = Field(default=0)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
