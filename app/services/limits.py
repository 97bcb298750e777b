"""Abuse limits kept in the database, so they hold across processes and hosts.

Two kinds (docs/decisions/0018-abuse-limits.md):

- **Fixed windows** (``hit``): at most ``Limit.hits`` actions of one key per window. One
  ``INSERT … ON CONFLICT DO UPDATE … WHERE hits < limit RETURNING hits`` counts the action and
  checks the limit at once, on SQLite and PostgreSQL alike; a refused action changes nothing.
  It runs in the action's own transaction, so an action that fails for another reason counts
  nothing either.
- **Progressive delays** (``claim_sign_in``): sign-in attempts are never locked out, only spaced.
  Each attempt is counted before the password is checked (a success takes it back), and after a
  few the next one must wait 1, 2, 4 … seconds; early attempts are refused, nobody sleeps.

Keys are client addresses (an IPv6 address counts by its /64, what one subscriber is given),
accounts, credit codes and digests of contacts. ``updated_at`` is the column a retention job
purges by (``purge``): a row untouched for longer than its window no longer limits anything.
"""

import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.config import Settings, get_settings
from app.errors import ThrottledError
from app.models import RateLimitCounter
from app.models.base import utcnow

TABLE = RateLimitCounter.__table__
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KEY_LENGTH = 120
# Compare-and-set attempts on one sign-in counter before giving up as "busy, try again".
CLAIM_ROUNDS = 5
SIGN_IN_PAIR, SIGN_IN_ADDRESS = "sign_in.account_address", "sign_in.address"


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` actions per key in each window of ``window_seconds``."""

    scope: str
    hits: int
    window_seconds: int


def address_key(address: str | None) -> str:
    """The key of a client address: IPv4 as is, IPv6 by its /64 network."""
    try:
        parsed = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return (address or "unknown")[:KEY_LENGTH]
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))


def window_start(now: datetime, seconds: int) -> datetime:
    """The start of the window of ``seconds`` holding ``now`` (windows begin at the epoch)."""
    elapsed = int((now - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds from ``now`` to ``moment``, at least one (a Retry-After value)."""
    return max(1, math.ceil((moment - now).total_seconds()))


def wait_text(seconds: int) -> str:
    """``seconds`` as a person reads a wait: 40 秒, 3 分钟, 2 小时 (rounded up)."""
    if seconds < 60:
        return f"{seconds} 秒"
    if (minutes := math.ceil(seconds / 60)) < 60:
        return f"{minutes} 分钟"
    return f"{math.ceil(seconds / 3600)} 小时"


def throttled(retry_after: int, what: str = "操作过于频繁") -> ThrottledError:
    return ThrottledError(f"{what}，请 {wait_text(retry_after)}后再试", retry_after=retry_after)


def _insert(session: Session):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(TABLE)


# Fixed windows ---------------------------------------------------------------------------------


def hit(
    session: Session, limit: Limit, key: str, *, now: datetime | None = None, what: str = ""
) -> int:
    """Count one action of ``key`` against ``limit`` and return its hits in this window; past
    the limit raise ``ThrottledError`` (saying when to retry) and count nothing."""
    now = now or utcnow()
    start = window_start(now, limit.window_seconds)
    statement = _insert(session).values(
        scope=limit.scope, key=key[:KEY_LENGTH], window_start=start, hits=1, updated_at=now
    )
    hits = session.execute(
        statement.on_conflict_do_update(
            index_elements=["scope", "key", "window_start"],
            set_={"hits": TABLE.c.hits + 1, "updated_at": now},
            where=TABLE.c.hits < limit.hits,
        ).returning(TABLE.c.hits)
    ).scalar_one_or_none()
    if hits is None or hits > limit.hits:
        end = start + timedelta(seconds=limit.window_seconds)
        raise throttled(seconds_until(end, now), *([what] if what else []))
    return hits


def add_hits(
    session: Session, scope: str, key: str, start: datetime, count: int, now: datetime
) -> int:
    """Add ``count`` hits to ``key``'s window at ``start``; the window's total across processes."""
    statement = _insert(session).values(
        scope=scope, key=key[:KEY_LENGTH], window_start=start, hits=count, updated_at=now
    )
    return session.execute(
        statement.on_conflict_do_update(
            index_elements=["scope", "key", "window_start"],
            set_={"hits": TABLE.c.hits + count, "updated_at": now},
        ).returning(TABLE.c.hits)
    ).scalar_one()


def hits_in(session: Session, scope: str, keys: list[str], start: datetime) -> dict[str, int]:
    """The hits of ``keys`` in the window at ``start`` (keys with none are left out)."""
    rows = session.execute(
        sa.select(TABLE.c.key, TABLE.c.hits).where(
            TABLE.c.scope == scope, TABLE.c.key.in_(keys), TABLE.c.window_start == start
        )
    )
    return dict(rows.all())


def registration_limits(settings: Settings | None = None) -> tuple[Limit, Limit]:
    """Per client address per hour; per organisation (credit code, or village) per day."""
    settings = settings or get_settings()
    return (
        Limit("register.address", settings.register_per_address_per_hour, 3600),
        Limit("register.organisation", settings.register_per_organisation_per_day, 86400),
    )


def objection_limits(settings: Settings | None = None) -> tuple[Limit, Limit]:
    """Per client address per hour; per contact per day."""
    settings = settings or get_settings()
    return (
        Limit("objection.address", settings.objections_per_address_per_hour, 3600),
        Limit("objection.contact", settings.objections_per_contact_per_day, 86400),
    )


# Sign-in delays --------------------------------------------------------------------------------


def claim_sign_in(
    session: Session, *, username: str, address: str, now: datetime | None = None
) -> None:
    """Count a sign-in attempt per (account, address) and per address, or refuse it with the
    wait still due. Call before the password is checked; ``clear_sign_in`` after a success."""
    settings = get_settings()
    now = now or utcnow()
    keys = refuse_waiting_sign_in(session, username=username, address=address, now=now)
    for scope, key, free in keys:
        _claim(session, settings, scope, key, free, now)


def refuse_waiting_sign_in(
    session: Session, *, username: str, address: str, now: datetime | None = None
) -> list[tuple[str, str, int]]:
    """Refuse an attempt whose wait is still due, reading only: a sign-in calls it before the
    (slow) password check, with a read-only session, and ``claim_sign_in`` again when it writes."""
    settings = get_settings()
    now = now or utcnow()
    keys = _sign_in_keys(settings, username, address)
    waits = [_wait(settings, _read(session, scope, key), now) for scope, key, _ in keys]
    if any(waits):
        raise throttled(max(waits), "尝试次数过多")
    return keys


def clear_sign_in(
    session: Session, *, username: str, address: str, now: datetime | None = None
) -> None:
    """A success: forget the (account, address) attempts and take this one off the address."""
    settings = get_settings()
    now = now or utcnow()
    (pair_scope, pair_key, _), (scope, key, free) = _sign_in_keys(settings, username, address)
    session.execute(
        sa.update(TABLE)
        .where(*_row(pair_scope, pair_key))
        .values(hits=0, blocked_until=None, updated_at=now)
    )
    remaining = sa.case((TABLE.c.hits > 0, TABLE.c.hits - 1), else_=0)
    session.execute(
        sa.update(TABLE)
        .where(*_row(scope, key))
        .values(
            hits=remaining,
            blocked_until=sa.case((TABLE.c.hits - 1 < free, None), else_=TABLE.c.blocked_until),
            updated_at=now,
        )
    )


def sign_in_delay(settings: Settings, attempts: int, free: int) -> int:
    """Seconds the attempt after ``attempts`` unanswered ones must wait (0 while still free)."""
    if attempts < free:
        return 0
    doublings = min(attempts - free, 30)  # 2**30 s is past any sensible cap
    return min(settings.login_delay_base_seconds * 2**doublings, settings.login_delay_max_seconds)


def _sign_in_keys(settings: Settings, username: str, address: str) -> list[tuple[str, str, int]]:
    address = address_key(address)
    account = (username or "").strip().lower()[:60]
    return [
        (SIGN_IN_PAIR, f"{account}|{address}", settings.login_max_failures_per_account),
        (SIGN_IN_ADDRESS, address, settings.login_max_failures_per_ip),
    ]


def _row(scope: str, key: str) -> tuple:
    return (TABLE.c.scope == scope, TABLE.c.key == key[:KEY_LENGTH], TABLE.c.window_start == EPOCH)


def _read(session: Session, scope: str, key: str):
    return session.execute(
        sa.select(TABLE.c.hits, TABLE.c.blocked_until, TABLE.c.updated_at).where(*_row(scope, key))
    ).first()


def _quiet(settings: Settings, row, now: datetime) -> bool:
    """Nothing happened for a whole window and no wait is pending: the attempts are forgotten."""
    idle = row.updated_at <= now - timedelta(seconds=settings.login_window_seconds)
    return idle and (row.blocked_until is None or row.blocked_until <= now)


def _wait(settings: Settings, row, now: datetime) -> int:
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return 0
    return seconds_until(row.blocked_until, now)


def _claim(session: Session, settings: Settings, scope: str, key: str, free: int, now) -> None:
    """Add one attempt to the counter by compare-and-set: a concurrent attempt that got there
    first makes this one read again (and perhaps find it must wait)."""
    for _ in range(CLAIM_ROUNDS):
        row = _read(session, scope, key)
        if row is None:
            delay = sign_in_delay(settings, 1, free)
            inserted = session.execute(
                _insert(session)
                .values(
                    scope=scope,
                    key=key[:KEY_LENGTH],
                    window_start=EPOCH,
                    hits=1,
                    blocked_until=now + timedelta(seconds=delay) if delay else None,
                    updated_at=now,
                )
                .on_conflict_do_nothing()
                .returning(TABLE.c.hits)
            ).scalar_one_or_none()
            if inserted is not None:  # (rowcount is not told for ON CONFLICT by every driver)
                return
            continue
        if wait := _wait(settings, row, now):
            raise throttled(wait, "尝试次数过多")
        attempts = 1 if _quiet(settings, row, now) else row.hits + 1
        delay = sign_in_delay(settings, attempts, free)
        updated = session.execute(
            sa.update(TABLE)
            .where(
                *_row(scope, key),
                TABLE.c.hits == row.hits,
                TABLE.c.updated_at == row.updated_at,
            )
            .values(
                hits=attempts,
                blocked_until=now + timedelta(seconds=delay) if delay else None,
                updated_at=now,
            )
            .returning(TABLE.c.hits)
        ).scalar_one_or_none()
        if updated is not None:
            return
    raise throttled(1, "登录请求过于集中")


# Retention -------------------------------------------------------------------------------------


def purge(session: Session, *, before: datetime) -> int:
    """Delete counters untouched since ``before`` (pass now minus the longest window: a day)."""
    return session.execute(sa.delete(TABLE).where(TABLE.c.updated_at < before)).rowcount
