"""Two-factor sign-in: enrolment confirmed by a code, recovery codes, the second step's
throttle and single use, turning it off, and who may do each."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.actors import ANONYMOUS, SYSTEM
from app.errors import AuthenticationError, PermissionDeniedError, ThrottledError, ValidationError
from app.models import Event, RecoveryCode, User
from app.models.enums import UserRole
from app.services import totp, two_factor
from app.services.accounts import actor_for, create_user

PASSWORD = "Huanghe2026"
T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def _user(session, username="shiju", role=UserRole.bureau) -> User:
    return create_user(
        session=session,
        actor=SYSTEM,
        account={"username": username, "display_name": "李科长", "password": PASSWORD},
        role=role,
        region_code="140800" if role == UserRole.bureau else None,
    )


def _code(secret: str, when: datetime) -> str:
    return totp.totp(totp.secret_bytes(secret), when.timestamp())


def _enrol(session, user, when=T0) -> tuple[str, list[str]]:
    actor = actor_for(user)
    offered = two_factor.offer_enrolment(session=session, actor=actor)
    codes = two_factor.enable_two_factor(
        session=session,
        actor=actor,
        sealed=offered.sealed,
        code=_code(offered.secret, when),
        now=when,
    )
    return offered.secret, codes


def _actions(session, user) -> list[str]:
    return list(
        session.exec(select(Event.action).where(Event.object_id == user.id).order_by(Event.id))
    )


def test_enrolment_stores_the_secret_sealed_and_ten_hashed_recovery_codes(session):
    user = _user(session)
    secret, codes = _enrol(session, user)
    assert two_factor.is_enrolled(user) and user.totp_enabled_at == T0
    assert secret not in user.totp_secret and totp.unseal(user.totp_secret) == secret
    assert len(set(codes)) == 10
    digests = set(session.exec(select(RecoveryCode.code_digest)))
    assert digests == {totp.recovery_digest(c) for c in codes}
    assert not digests & set(codes)
    assert "account.enable_two_factor" in _actions(session, user)


def test_a_wrong_code_or_an_altered_secret_enrols_nothing(session):
    user = _user(session)
    actor = actor_for(user)
    offered = two_factor.offer_enrolment(session=session, actor=actor)
    with pytest.raises(ValidationError) as caught:
        two_factor.enable_two_factor(
            session=session, actor=actor, sealed=offered.sealed, code="000000x"
        )
    assert caught.value.message == two_factor.WRONG_CODE
    with pytest.raises(ValidationError):
        two_factor.enable_two_factor(
            session=session,
            actor=actor,
            sealed=offered.sealed[:-4] + "AAAA",
            code=_code(offered.secret, T0),
            now=T0,
        )
    assert not two_factor.is_enrolled(user)
    assert session.exec(select(RecoveryCode)).all() == []


def test_the_offered_secret_is_kept_until_confirmed(session):
    user = _user(session)
    actor = actor_for(user)
    first = two_factor.offer_enrolment(session=session, actor=actor)
    again = two_factor.offer_enrolment(session=session, actor=actor, sealed=first.sealed)
    assert again.secret == first.secret
    fresh = two_factor.offer_enrolment(session=session, actor=actor, sealed="garbage")
    assert fresh.secret != first.secret


def test_anonymous_may_not_enrol(session):
    with pytest.raises(PermissionDeniedError):
        two_factor.offer_enrolment(session=session, actor=ANONYMOUS)


def test_the_second_step_takes_each_code_once_and_each_recovery_code_once(session):
    user = _user(session)
    secret, codes = _enrol(session, user)
    later = T0 + timedelta(minutes=1)
    signed = two_factor.complete_sign_in(
        session=session,
        user_id=user.id,
        auth_version=user.auth_version,
        code=_code(secret, later),
        ip="10.0.0.1",
        now=later,
    )
    assert signed.id == user.id and user.last_login_at == later
    with pytest.raises(AuthenticationError):  # the same code again
        two_factor.complete_sign_in(
            session=session,
            user_id=user.id,
            auth_version=user.auth_version,
            code=_code(secret, later),
            ip="10.0.0.1",
            now=later,
        )
    two_factor.complete_sign_in(
        session=session,
        user_id=user.id,
        auth_version=user.auth_version,
        code=codes[0],
        ip="10.0.0.1",
        now=later,
    )
    with pytest.raises(AuthenticationError):
        two_factor.complete_sign_in(
            session=session,
            user_id=user.id,
            auth_version=user.auth_version,
            code=codes[0],
            ip="10.0.0.1",
            now=later,
        )
    assert two_factor.unused_recovery_codes(session=session, actor=actor_for(user)) == 9
    assert "account.use_recovery_code" in _actions(session, user)


def test_a_changed_password_voids_the_half_signed_in_state(session):
    user = _user(session)
    secret, _ = _enrol(session, user)
    later = T0 + timedelta(minutes=1)
    with pytest.raises(AuthenticationError):
        two_factor.complete_sign_in(
            session=session,
            user_id=user.id,
            auth_version=user.auth_version + 1,
            code=_code(secret, later),
            ip="10.0.0.1",
            now=later,
        )


def test_code_attempts_are_spaced_like_password_attempts(session):
    user = _user(session)
    _enrol(session, user)
    later = T0 + timedelta(minutes=1)
    with pytest.raises(ThrottledError):
        for _ in range(20):
            try:
                two_factor.complete_sign_in(
                    session=session,
                    user_id=user.id,
                    auth_version=user.auth_version,
                    code="000000",
                    ip="10.0.0.9",
                    now=later,
                )
            except AuthenticationError:
                continue


def test_turning_it_off_needs_the_password_and_a_code(session):
    user = _user(session)
    secret, _ = _enrol(session, user)
    actor = actor_for(user)
    later = T0 + timedelta(minutes=2)
    with pytest.raises(ValidationError) as caught:
        two_factor.turn_off_two_factor(
            session=session,
            actor=actor,
            password="wrong-pass1",
            code=_code(secret, later),
            now=later,
        )
    assert caught.value.field == "password"
    with pytest.raises(ValidationError) as caught:
        two_factor.turn_off_two_factor(
            session=session, actor=actor, password=PASSWORD, code="123456", now=later
        )
    assert caught.value.field == "code"
    two_factor.turn_off_two_factor(
        session=session, actor=actor, password=PASSWORD, code=_code(secret, later), now=later
    )
    assert not two_factor.is_enrolled(user) and user.totp_secret == ""
    assert session.exec(select(RecoveryCode)).all() == []
    assert "account.disable_two_factor" in _actions(session, user)


def test_staff_must_enrol_only_where_the_setting_requires_it(session, monkeypatch):
    from app.config import get_settings

    bureau = _user(session)
    enterprise_like = _user(session, "admin1", role=UserRole.admin)
    settings = get_settings()
    monkeypatch.setattr(settings, "require_totp_for_staff", True)
    assert two_factor.must_enrol(bureau) and two_factor.must_enrol(enterprise_like)
    _enrol(session, bureau)
    assert not two_factor.must_enrol(bureau)
    monkeypatch.setattr(settings, "require_totp_for_staff", False)
    assert not two_factor.must_enrol(enterprise_like)
