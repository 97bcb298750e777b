"""Email of notifications: an outbox written with the notification, sent after commit.

Email is off unless ``CUNQI_SMTP_HOST`` is set. Mails are rows of ``mail_outbox`` written in the
action's transaction with a background job that sends them (app/jobs.py), and a periodic job
retries the ones that failed with a growing delay. Sending happens only after the commit, outside
any request, and catches every SMTP error, so a mail server that is down never fails or rolls
back the action that caused the mail.
"""

import logging
import re
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, select

from app.config import Settings, get_settings
from app.errors import ValidationError
from app.models import MailMessage, MailSubscription, Notification, User
from app.models.base import utcnow
from app.models.enums import RecipientKind
from app.services import jobs

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
MAX_DELAY = timedelta(hours=6)
BATCH = 50
DELIVER_KIND = "mail.deliver"
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_USER_LINK = {
    RecipientKind.enterprise: User.enterprise_id,
    RecipientKind.cooperative: User.cooperative_id,
    RecipientKind.village: User.village_id,
    RecipientKind.user: User.id,
}


def check_address(address: str) -> str:
    """A trimmed email address, or blank; anything else is a validation error."""
    address = (address or "").strip()
    if address and (len(address) > 254 or not _ADDRESS.match(address)):
        raise ValidationError("请填写有效的邮箱地址", code="invalid_email", field="address")
    return address


def retry_delay(attempts: int) -> timedelta:
    """Wait 1, 2, 4 … minutes after each failed attempt, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_DELAY)


def queue_for(
    session: Session, notifications: list[Notification], settings: Settings | None = None
) -> list[MailMessage]:
    """Write one mail per subscribed, active staff member of each notification's recipient."""
    settings = settings or get_settings()
    if not settings.mail_enabled or not notifications:
        return []
    session.flush()  # the notifications' ids
    messages = []
    for note in notifications:
        addresses = session.exec(
            select(MailSubscription.address)
            .join(User, User.id == MailSubscription.user_id)
            .where(_USER_LINK[note.recipient_kind] == note.recipient_id, User.is_active)
            .order_by(MailSubscription.id)
        ).all()
        for address in addresses:
            message = MailMessage(
                notification_id=note.id,
                recipient=address,
                subject=f"【村企通】{note.title}",
                body=f"{note.body}\n\n查看详情：{note.link}\n\n（本邮件由系统自动发送，请勿回复）",
            )
            session.add(message)
            messages.append(message)
    if messages:
        # Never sent inside the request: a background job sends them once this commits.
        jobs.enqueue(session, DELIVER_KIND)
    return messages


def _send(message: MailMessage, settings: Settings) -> None:
    mail = EmailMessage()
    mail["From"] = settings.smtp_sender
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail.set_content(message.body)
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(mail)


def deliver_due(
    bind: Engine | Connection,
    settings: Settings | None = None,
    *,
    now: datetime | None = None,
    send: Callable[[MailMessage, Settings], None] = _send,
) -> int:
    """Send the mails whose time has come; returns how many went out. Never raises for SMTP."""
    settings = settings or get_settings()
    if not settings.mail_enabled:
        return 0
    now = now or utcnow()
    sent = 0
    with Session(bind=bind, expire_on_commit=False) as session:
        due = session.exec(
            select(MailMessage)
            .where(
                MailMessage.sent_at.is_(None),
                MailMessage.attempts < MAX_ATTEMPTS,
                MailMessage.next_attempt_at <= now,
            )
            .order_by(MailMessage.next_attempt_at, MailMessage.id)
            .limit(BATCH)
        ).all()
        session.commit()  # release the read; each mail is then claimed on its own
        unreachable: OSError | None = None
        for message in due:
            if not _claim(session, message, now):
                continue  # another process took it
            if unreachable is not None:
                # The server did not answer for the previous mail: waiting out its timeout once
                # per mail would hold the request that committed; they all retry later.
                _failed(session, message, unreachable)
                continue
            try:
                send(message, settings)
            except smtplib.SMTPException as exc:  # refused by the server: this mail only
                _failed(session, message, exc)
                continue
            except OSError as exc:  # no server to talk to
                unreachable = exc
                _failed(session, message, exc)
                continue
            session.execute(
                sa.update(MailMessage).where(MailMessage.id == message.id).values(sent_at=utcnow())
            )
            session.commit()
            sent += 1
    return sent


def _claim(session: Session, message: MailMessage, now: datetime) -> bool:
    """Count the attempt and push the next one back before sending, so no two senders race."""
    attempts = message.attempts + 1
    result = session.execute(
        sa.update(MailMessage)
        .where(
            MailMessage.id == message.id,
            MailMessage.sent_at.is_(None),
            MailMessage.attempts == message.attempts,
        )
        .values(attempts=attempts, next_attempt_at=now + retry_delay(attempts))
    )
    session.commit()
    message.attempts = attempts
    return result.rowcount == 1


def _failed(session: Session, message: MailMessage, exc: Exception) -> None:
    log.warning("mail %s to %s failed: %s", message.id, message.recipient, exc)
    session.execute(
        sa.update(MailMessage)
        .where(MailMessage.id == message.id)
        .values(last_error=f"{type(exc).__name__}: {exc}"[:500])
    )
    session.commit()
