"""The retention purge: each kind of row goes exactly when it is past its period, no sooner."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS, SYSTEM, Actor, Role
from app.config import Settings
from app.errors import PermissionDeniedError
from app.jobs import JobRunner
from app.models import (
    ApiToken,
    Event,
    Job,
    LoginAttempt,
    MailMessage,
    Notification,
    User,
    UserSession,
)
from app.models.enums import UserRole
from app.models.limits import RateLimitCounter
from app.services import retention
from app.services.retention import Rule, purge_expired

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SETTINGS = Settings(
    retention_login_attempts_days=30,
    retention_sessions_days=30,
    retention_api_tokens_days=90,
    retention_sent_mail_days=60,
    retention_read_notifications_days=180,
    retention_rate_limit_days=2,
    retention_jobs_days=7,
)
SECOND = timedelta(seconds=1)


def _ago(days: int, *, older: bool) -> datetime:
    """Just past the period (older) or just within it."""
    return NOW - timedelta(days=days) - (SECOND if older else -SECOND)


def _user(session) -> User:
    user = User(username="u1", display_name="甲", password_hash="x", role=UserRole.admin)
    session.add(user)
    session.flush()
    return user


def _event(session) -> Event:
    event = Event(action="test", object_type="Test", object_id="1")
    session.add(event)
    session.flush()
    return event


def _count(session, model, *where) -> int:
    return session.exec(select(sa.func.count()).select_from(model).where(*where)).one()


def test_each_kind_goes_just_past_its_period_and_stays_just_within(session):
    user, event = _user(session), _event(session)
    for older in (True, False):
        session.add(LoginAttempt(key=f"old:{older}", attempted_at=_ago(30, older=older)))
        session.add(
            ApiToken(
                user_id=user.id,
                name="t",
                token_digest=f"{older}".ljust(64, "0"),
                prefix="p",
                revoked_at=_ago(90, older=older),
            )
        )
        session.add(
            MailMessage(recipient="a@b.cn", subject="s", body="b", sent_at=_ago(60, older=older))
        )
        session.add(Job(kind="k", state="done", finished_at=_ago(7, older=older)))
        session.add(
            Notification(
                event_id=event.id,
                recipient_kind="user",
                recipient_id=user.id + older,
                kind="test",
                title="t",
                body="b",
                link="/",
                read_at=_ago(180, older=older),
            )
        )
    # Never past a period: a live token, an unsent mail, an unread notification.
    session.add(ApiToken(user_id=user.id, name="live", token_digest="l" * 64, prefix="p"))
    session.add(MailMessage(recipient="a@b.cn", subject="s", body="b"))
    session.add(Job(kind="k"))  # still queued
    session.add(
        Notification(
            event_id=event.id,
            recipient_kind="user",
            recipient_id=user.id + 2,
            kind="test",
            title="t",
            body="b",
            link="/",
            created_at=NOW - timedelta(days=999),
        )
    )
    session.flush()

    counts = purge_expired(session=session, actor=SYSTEM, now=NOW, settings=SETTINGS)

    assert counts == {
        "login_attempts": 1,
        "user_sessions": 0,
        "api_tokens": 1,
        "rate_limit_counters": 0,
        "mail_outbox": 1,
        "jobs": 1,
        "notifications": 1,
    }
    assert session.exec(select(LoginAttempt.key)).all() == ["old:False"]
    assert sorted(session.exec(select(ApiToken.name)).all()) == ["live", "t"]
    assert _count(session, MailMessage) == 2 and _count(session, Notification) == 2
    summary = session.exec(select(Event).where(Event.action == "retention.purge")).one()
    assert summary.after == counts
    assert summary.summary == (
        "按保存期限清理：登录失败记录 1 条，已吊销或过期的接口令牌 1 条，已发送的邮件 1 条，"
        "已结束的后台任务 1 条，已读消息 1 条"
    )
    # Idempotent: a second run (or another process) finds nothing and records nothing.
    again = purge_expired(session=session, actor=SYSTEM, now=NOW, settings=SETTINGS)
    assert set(again.values()) == {0}
    assert _count(session, Event, Event.action == "retention.purge") == 1


def test_a_read_notification_stays_while_an_unsent_mail_points_at_it(session):
    user, event = _user(session), _event(session)
    note = Notification(
        event_id=event.id,
        recipient_kind="user",
        recipient_id=user.id,
        kind="test",
        title="t",
        body="b",
        link="/",
        read_at=NOW - timedelta(days=400),
    )
    session.add(note)
    session.flush()
    session.add(MailMessage(notification_id=note.id, recipient="a@b.cn", subject="s", body="b"))
    session.flush()
    counts = purge_expired(session=session, actor=SYSTEM, now=NOW, settings=SETTINGS)
    assert counts["notifications"] == 0 and _count(session, Notification) == 1


def test_sessions_tokens_and_counters_go_when_revoked_expired_or_idle_past_their_period(session):
    user = _user(session)
    rows = {
        "revoked long ago": {"revoked_at": _ago(30, older=True)},
        "revoked lately": {"revoked_at": _ago(30, older=False)},
        "idle long ago": {"last_seen_at": _ago(30, older=True)},
        "in use": {"last_seen_at": _ago(30, older=False)},
    }
    for digest, (_label, columns) in enumerate(rows.items()):
        session.add(UserSession(key_digest=str(digest).ljust(64, "0"), user_id=user.id, **columns))
    for older in (True, False):
        session.add(
            ApiToken(
                user_id=user.id,
                name=f"expired:{older}",
                token_digest=f"e{older}".ljust(64, "0"),
                prefix="p",
                expires_at=_ago(90, older=older),
            )
        )
        session.add(
            RateLimitCounter(
                scope="sign_in", key=f"k:{older}", window_start=NOW, updated_at=_ago(2, older=older)
            )
        )
    session.flush()

    counts = purge_expired(session=session, actor=SYSTEM, now=NOW, settings=SETTINGS)

    assert (counts["user_sessions"], counts["api_tokens"], counts["rate_limit_counters"]) == (
        2,
        1,
        1,
    )
    kept = session.exec(select(UserSession.key_digest).order_by(UserSession.key_digest)).all()
    assert [int(digest[0]) for digest in kept] == [1, 3]  # revoked lately, in use
    assert session.exec(select(ApiToken.name)).all() == ["expired:False"]
    assert session.exec(select(RateLimitCounter.key)).all() == ["k:False"]


def test_a_rule_whose_table_or_column_is_not_there_is_skipped(session, monkeypatch):
    # A rule may be registered before the migration that adds its table or column has run.
    monkeypatch.setattr(
        retention,
        "RULES",
        [
            *retention.RULES,
            Rule("future_table", "未来的表", ("created_at",), "retention_sessions_days"),
            Rule("api_tokens", "未来的列", ("future_column",), "retention_api_tokens_days"),
        ],
    )
    session.add(LoginAttempt(key="old", attempted_at=_ago(30, older=True)))
    session.flush()

    counts = purge_expired(session=session, actor=SYSTEM, now=NOW, settings=SETTINGS)

    assert counts["login_attempts"] == 1
    assert "future_table" not in counts


@pytest.mark.parametrize(
    "actor",
    [
        ANONYMOUS,
        Actor(role=Role.bureau, user_id=1, region_code="140800"),
        Actor(role=Role.enterprise, enterprise_id=1),
    ],
)
def test_only_the_system_and_admins_purge(session, actor):
    session.add(LoginAttempt(key="k", attempted_at=NOW - timedelta(days=400)))
    session.flush()
    with pytest.raises(PermissionDeniedError):
        purge_expired(session=session, actor=actor, now=NOW, settings=SETTINGS)
    assert _count(session, LoginAttempt) == 1


def test_the_purge_is_a_periodic_job_that_runs_once_per_interval(fresh_db):
    # One period from 2001 to 2033: both runs below fall in the same one.
    settings = Settings(retention_login_attempts_days=30, retention_interval_seconds=10**9)
    with fresh_db.unit_of_work() as session:
        session.add(LoginAttempt(key="old", attempted_at=datetime(2020, 1, 1, tzinfo=UTC)))
    JobRunner(fresh_db, settings).run_pending(periodic=False)  # nothing periodic: no purge
    with fresh_db.read_only() as session:
        assert _count(session, LoginAttempt) == 1
    JobRunner(fresh_db, settings).run_pending()
    with fresh_db.unit_of_work() as session:
        assert _count(session, LoginAttempt) == 0
        session.add(LoginAttempt(key="old", attempted_at=datetime(2020, 1, 1, tzinfo=UTC)))
    # Another runner in the same interval: the period's purge already ran.
    JobRunner(fresh_db, settings).run_pending()
    with fresh_db.read_only() as session:
        assert _count(session, LoginAttempt) == 1
        assert _count(session, Event, Event.action == "retention.purge") == 1
