"""Notifications (消息), the mail outbox, mail subscriptions and certification objections (异议)."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.base import EnumString, UTCDateTime, one_of, utcnow
from app.models.enums import ObjectionStatus, RecipientKind

if TYPE_CHECKING:
    from app.models.product import CertificationApplication


class Notification(SQLModel, table=True):
    """One event told to one recipient: a user, or an organisation whose staff share it.

    UNIQUE(event_id, recipient) keeps it to exactly one row per event, however often the
    hook that writes it runs.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        one_of("recipient_kind", RecipientKind),
        sa.UniqueConstraint(
            "event_id", "recipient_kind", "recipient_id", name="uq_notifications_event_recipient"
        ),
        sa.Index("ix_notifications_recipient", "recipient_kind", "recipient_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True)
    recipient_kind: RecipientKind = Field(sa_type=EnumString(RecipientKind))
    recipient_id: int
    kind: str = Field(max_length=60)
    title: str = Field(max_length=120)
    body: str = Field(default="", max_length=500)
    link: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MailSubscription(SQLModel, table=True):
    """The address a user wants notifications mailed to (email is optional and opt-in)."""

    __tablename__ = "mail_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", unique=True)
    address: str = Field(max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MailMessage(SQLModel, table=True):
    """A mail waiting to be sent, written with its notification and sent after commit."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        sa.Index("ix_mail_outbox_due", "sent_at", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    notification_id: int | None = Field(default=None, foreign_key="notifications.id", index=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=sa.Text)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CertificationObjection(SQLModel, table=True):
    """An objection (异议) to a certification in its notice period; the filer stays private."""

    __tablename__ = "certification_objections"
    __table_args__ = (
        one_of("status", ObjectionStatus),
        sa.CheckConstraint(
            "(status = 'open') = (resolved_at IS NULL)", name="resolved_when_closed"
        ),
        sa.Index("ix_certification_objections_status", "application_id", "status"),
        # One open objection per contact (and per signed-in filer) on a certification: a second
        # one is the same objection again, and a flood of copies would only hold the notice.
        sa.Index(
            "uq_certification_objections_open_contact",
            "application_id",
            "contact_key",
            unique=True,
            sqlite_where=sa.text("status = 'open' AND contact_key <> ''"),
            postgresql_where=sa.text("status = 'open' AND contact_key <> ''"),
        ),
        sa.Index(
            "uq_certification_objections_open_filer",
            "application_id",
            "filer_user_id",
            unique=True,
            sqlite_where=sa.text("status = 'open' AND filer_user_id IS NOT NULL"),
            postgresql_where=sa.text("status = 'open' AND filer_user_id IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="certification_applications.id", index=True)
    reason: str = Field(max_length=1000)
    # Shown only to the bureau; the public pages never print who objected.
    filer_name: str = Field(default="", max_length=40)
    filer_contact: str = Field(default="", max_length=60)
    filer_user_id: int | None = Field(default=None, foreign_key="users.id")
    # A digest of the normalised contact (app.services.objection_limits), "" when none was given:
    # it finds the same filer again without keeping a second copy of the number.
    contact_key: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    status: ObjectionStatus = Field(
        default=ObjectionStatus.open, sa_type=EnumString(ObjectionStatus)
    )
    resolution: str = Field(default="", max_length=500)
    filed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: int | None = Field(default=None, foreign_key="users.id")

    application: "CertificationApplication" = Relationship()
