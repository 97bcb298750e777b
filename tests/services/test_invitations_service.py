"""Invitation codes: one per organisation without an account, in the officer's region only;
hashed, expiring, single use; revoked and regenerated; accepted into a linked, approved account."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.actors import SYSTEM, Actor, Role
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import Event, Invitation
from app.models.enums import RegistrationStatus, UserRole
from app.services import invitations
from app.services.accounts import actor_for, create_user
from tests.factories import make_cooperative, make_county, make_enterprise, make_village

PASSWORD = "Huanghe2026"
T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
PINGLU = Actor(role=Role.bureau, user_id=None, name="平陆县局", region_code="140829")
RUICHENG = Actor(role=Role.bureau, user_id=None, name="芮城县局", region_code="140830")
CITY = Actor(role=Role.bureau, user_id=None, name="市局", region_code="140800")


def _account(username="newstaff") -> dict:
    return {
        "username": username,
        "display_name": "刘会计",
        "password": PASSWORD,
        "privacy_consent": True,
    }


def _world(session):
    make_county(session)
    make_county(session, code="140830", name="芮城县", category="overall")
    free = make_enterprise(session, name="平陆县无账号企业")
    taken = make_enterprise(session, name="平陆县有账号企业")
    create_user(
        session=session,
        actor=SYSTEM,
        account={"username": "old", "display_name": "老账号", "password": PASSWORD},
        role=UserRole.enterprise,
        enterprise_id=taken.id,
    )
    elsewhere = make_enterprise(session, name="芮城县企业", county_code="140830")
    return free, taken, elsewhere


def test_one_code_per_organisation_without_an_account_in_the_region(session):
    free, _taken, _elsewhere = _world(session)
    issued = invitations.invite_organisations(
        session=session, actor=PINGLU, kind="enterprise", now=T0
    )
    assert [i.name for i in issued] == ["平陆县无账号企业"]
    [row] = session.exec(select(Invitation)).all()
    assert row.enterprise_id == free.id and row.expires_at == T0 + timedelta(days=30)
    assert issued[0].code not in row.code_digest and len(row.code_digest) == 64
    # A live code exists: asking again makes none.
    again = invitations.invite_organisations(
        session=session, actor=PINGLU, kind="enterprise", now=T0
    )
    assert again == []
    assert session.exec(select(Event).where(Event.action == "invitation.create")).one()


def test_a_county_officer_cannot_invite_or_manage_codes_of_another_county(session):
    _world(session)
    with pytest.raises(PermissionDeniedError):
        invitations.invite_organisations(
            session=session, actor=RUICHENG, kind="enterprise", county_code="140829"
        )
    [issued] = invitations.invite_organisations(session=session, actor=PINGLU, kind="enterprise")
    with pytest.raises(PermissionDeniedError):
        invitations.revoke_invitation(
            session=session, actor=RUICHENG, invitation_id=issued.invitation_id
        )
    with pytest.raises(PermissionDeniedError):
        invitations.regenerate_invitation(
            session=session, actor=RUICHENG, invitation_id=issued.invitation_id
        )
    # Ruicheng's own: its one enterprise only.
    mine = invitations.invite_organisations(session=session, actor=RUICHENG, kind="enterprise")
    assert [i.name for i in mine] == ["芮城县企业"]
    with pytest.raises(PermissionDeniedError):
        invitations.invite_organisations(
            session=session, actor=actor_for_enterprise(session), kind="enterprise"
        )


def actor_for_enterprise(session):
    return Actor(role=Role.enterprise, user_id=None, name="x")


def test_accepting_a_code_makes_an_approved_linked_account_once(session):
    free, _, _ = _world(session)
    [issued] = invitations.invite_organisations(
        session=session, actor=PINGLU, kind="enterprise", now=T0
    )
    later = T0 + timedelta(days=1)
    user = invitations.accept_invitation(
        session=session, code=issued.code.lower().replace("-", " "), account=_account(), now=later
    )
    assert user.enterprise_id == free.id and user.status == RegistrationStatus.approved
    assert actor_for(user).enterprise_id == free.id
    with pytest.raises(ValidationError) as caught:
        invitations.accept_invitation(
            session=session, code=issued.code, account=_account("other2"), now=later
        )
    assert caught.value.field == "code"
    assert session.exec(select(Event).where(Event.action == "invitation.accept")).one()


def test_an_expired_revoked_or_unknown_code_is_refused(session):
    _world(session)
    [issued] = invitations.invite_organisations(
        session=session, actor=PINGLU, kind="enterprise", now=T0
    )
    with pytest.raises(ValidationError):
        invitations.accept_invitation(
            session=session, code=issued.code, account=_account(), now=T0 + timedelta(days=31)
        )
    with pytest.raises(ValidationError):
        invitations.accept_invitation(session=session, code="AAAA-BBBB-CCCC", account=_account())
    invitations.revoke_invitation(session=session, actor=PINGLU, invitation_id=issued.invitation_id)
    with pytest.raises(ConflictError):
        invitations.revoke_invitation(
            session=session, actor=PINGLU, invitation_id=issued.invitation_id
        )
    with pytest.raises(ValidationError):
        invitations.accept_invitation(session=session, code=issued.code, account=_account(), now=T0)


def test_regenerating_voids_the_old_code(session):
    _world(session)
    [old] = invitations.invite_organisations(session=session, actor=PINGLU, kind="enterprise")
    new = invitations.regenerate_invitation(
        session=session, actor=PINGLU, invitation_id=old.invitation_id
    )
    assert new.code != old.code and new.name == old.name
    with pytest.raises(ValidationError):
        invitations.accept_invitation(session=session, code=old.code, account=_account())
    user = invitations.accept_invitation(session=session, code=new.code, account=_account())
    assert user.role == UserRole.enterprise
    rows = invitations.recent_invitations(session=session, actor=PINGLU)
    assert sorted(r.state for r in rows) == ["已作废", "已使用"]
    assert invitations.recent_invitations(session=session, actor=RUICHENG) == []


def test_cooperatives_and_villages_are_invited_by_their_village_county(session):
    _world(session)
    cooperative = make_cooperative(session)
    village = make_village(session)
    coops = invitations.invite_organisations(session=session, actor=CITY, kind="cooperative")
    assert [c.identifier for c in coops] == [cooperative.credit_code]
    villages = invitations.invite_organisations(session=session, actor=PINGLU, kind="village")
    assert village.code in {v.identifier for v in villages}
