"""Retention (个人信息保存期限): purge what the service no longer needs after set periods.

Each kind of row joins with one ``register`` line: the table, the timestamp columns that end its
life (a row goes when any of them is older than the period) and the setting giving the period in
days. A rule whose table or columns are absent from the database is skipped, so a table added
later (``user_sessions``) or a column not yet migrated (``api_tokens.expires_at``) is purged as
soon as it exists. A purge is plain ``DELETE … WHERE <timestamp> < cutoff``: running it twice, or in
two processes at once, deletes each row once (docs/decisions/0019-personal-information.md).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.config import Settings, get_settings
from app.models import Event
from app.models.base import UTCDateTime
from app.permissions import can_purge_personal_data, require


@dataclass(frozen=True, slots=True)
class Rule:
    table: str
    label: str
    # Timestamp columns: a row is purged when any present one is older than the period.
    columns: tuple[str, ...]
    setting: str
    # (table, column) of rows that still point here: such a row is kept until they are gone.
    referenced_by: tuple[str, str] | None = None


RULES: list[Rule] = []


def register(rule: Rule) -> Rule:
    """Add a kind of row to the purge; rules run in the order registered."""
    RULES.append(rule)
    return rule


register(Rule("login_attempts", "登录失败记录", ("attempted_at",), "retention_login_attempts_days"))
# A session idle past the sign-in lifetime (CUNQI_SESSION_MAX_AGE_SECONDS, 14 days) is dead.
register(
    Rule(
        "user_sessions",
        "已失效的登录会话",
        ("revoked_at", "last_seen_at"),
        "retention_sessions_days",
    )
)
register(
    Rule(
        "api_tokens",
        "已吊销或过期的接口令牌",
        ("revoked_at", "expires_at"),
        "retention_api_tokens_days",
    )
)
register(Rule("rate_limit_counters", "限流计数", ("updated_at",), "retention_rate_limit_days"))
register(Rule("mail_outbox", "已发送的邮件", ("sent_at",), "retention_sent_mail_days"))
register(Rule("jobs", "已结束的后台任务", ("finished_at",), "retention_jobs_days"))
register(
    Rule(
        "notifications",
        "已读消息",
        ("read_at",),
        "retention_read_notifications_days",
        referenced_by=("mail_outbox", "notification_id"),
    )
)


def purge_expired(
    *, session: Session, actor: Actor, now: datetime, settings: Settings | None = None
) -> dict[str, int]:
    """Delete every registered kind of row past its period; rows deleted per table.

    A purge that deleted anything is recorded as one summary event.
    """
    require(can_purge_personal_data(actor))
    settings = settings or get_settings()
    inspector = sa.inspect(session.connection())
    present = set(inspector.get_table_names())
    counts: dict[str, int] = {}
    for rule in RULES:
        if rule.table not in present:
            continue
        names = {column["name"] for column in inspector.get_columns(rule.table)}
        columns = [name for name in rule.columns if name in names]
        if not columns:
            continue
        cutoff = now - timedelta(days=getattr(settings, rule.setting))
        stamps = (sa.column(name, UTCDateTime()) for name in columns)
        table = sa.table(rule.table, sa.column("id"), *stamps)
        expired = sa.or_(*(table.c[name] < cutoff for name in columns))
        if rule.referenced_by is not None and rule.referenced_by[0] in present:
            other, key = rule.referenced_by
            referring = sa.table(other, sa.column(key))
            expired = sa.and_(expired, ~sa.exists().where(referring.c[key] == table.c.id))
        counts[rule.table] = session.execute(sa.delete(table).where(expired)).rowcount or 0
    if any(counts.values()):
        _record(session, actor, counts, now)
    return counts


def _record(session: Session, actor: Actor, counts: dict[str, int], now: datetime) -> None:
    labels = {rule.table: rule.label for rule in RULES}
    parts = "，".join(f"{labels[table]} {n} 条" for table, n in counts.items() if n)
    session.add(
        Event(
            occurred_at=now,
            actor_id=actor.user_id,
            actor_label=actor.label,
            action="retention.purge",
            object_type="Retention",
            object_id=now.date().isoformat(),
            summary=f"按保存期限清理：{parts}"[:500],
            after=counts,
        )
    )
