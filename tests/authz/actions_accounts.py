"""Matrix actions for accounts, organisations, villages, proposals and the audit trail."""

import time
from datetime import date

from sqlmodel import select

from app.actors import SYSTEM
from app.models import Invitation, User, UserSession
from app.models.enums import UserRole
from app.services import (
    accounts,
    api_tokens,
    audit_trail,
    credentials,
    invitations,
    organisations,
    pairing,
    password_resets,
    totp,
    two_factor,
    user_admin,
    user_sessions,
    villages,
)
from tests.authz.world import (
    ACTORS,
    COUNTY_BUREAUS,
    PASSWORD,
    SIGNED_IN,
    Action,
    PreparedAction,
)
from tests.factories import make_village, valid_credit_code


def _enterprise_form() -> dict:
    return {
        "credit_code": valid_credit_code(),
        "name": "新登记企业",
        "kind": "private",
        "industry": "C",
        "county_code": "140829",
    }


def _sessions(s, w) -> None:
    """One sign-in per user of the world."""
    for user_id in w.user_ids.values():
        user_sessions.open_session(session=s, user_id=user_id)
    s.flush()


def _own_session(s, w, a) -> int:
    """The acting user's session (anonymous: the city bureau's, which it may not touch)."""
    user_id = a.user_id or w.user_ids["bureau_city"]
    return s.exec(select(UserSession.id).where(UserSession.user_id == user_id)).one()


def _enrolled(s, w) -> None:
    """Every user of the world enrolled in two-factor sign-in with the secret ``_SECRET``."""
    for user_id in w.user_ids.values():
        user = s.get(User, user_id)
        user.totp_secret = totp.seal(_SECRET)
        user.totp_enabled_at = user.created_at
    s.flush()


_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _current_code() -> str:
    return totp.totp(totp.secret_bytes(_SECRET), time.time())


def _enable(s, a):
    offered = two_factor.offer_enrolment(session=s, actor=a)
    code = totp.totp(totp.secret_bytes(offered.secret), time.time())
    return two_factor.enable_two_factor(session=s, actor=a, sealed=offered.sealed, code=code)


def _uninvited_village(s, w) -> None:
    """A village of 平陆 without an account or a code."""
    make_village(s, name="待邀请村")
    s.flush()


def _open_invitation(s, w) -> None:
    invitations.invite_organisations(
        session=s, actor=w.actors["bureau_county"], kind="village", county_code="140829"
    )
    s.flush()


def _invitation_id(s) -> int:
    return s.exec(select(Invitation.id).order_by(Invitation.id.desc())).first()


ACTIONS = [
    PreparedAction(
        "invitations.invite_organisations",
        lambda s, w, a: invitations.invite_organisations(
            session=s, actor=a, kind="village", county_code="140829"
        ),
        COUNTY_BUREAUS,
        prepare=_uninvited_village,
        covers=("invitation.create",),
    ),
    PreparedAction(
        "invitations.revoke_invitation",
        lambda s, w, a: invitations.revoke_invitation(
            session=s, actor=a, invitation_id=_invitation_id(s)
        ),
        COUNTY_BUREAUS,
        prepare=_open_invitation,
        covers=("invitation.revoke",),
    ),
    PreparedAction(
        "invitations.regenerate_invitation",
        lambda s, w, a: invitations.regenerate_invitation(
            session=s, actor=a, invitation_id=_invitation_id(s)
        ),
        COUNTY_BUREAUS,
        prepare=_open_invitation,
        covers=("invitation.regenerate",),
    ),
    Action(
        "invitations.recent_invitations",
        lambda s, w, a: invitations.recent_invitations(session=s, actor=a),
        COUNTY_BUREAUS | {"bureau_other_county"},
        writes=False,
    ),
    Action(
        "two_factor.enable_two_factor",
        lambda s, w, a: _enable(s, a),
        SIGNED_IN,
        covers=("account.enable_two_factor",),
    ),
    PreparedAction(
        "two_factor.turn_off_two_factor",
        lambda s, w, a: two_factor.turn_off_two_factor(
            session=s, actor=a, password=PASSWORD, code=_current_code()
        ),
        SIGNED_IN,
        prepare=_enrolled,
        covers=("account.disable_two_factor",),
    ),
    Action(
        "organisations.register_enterprise",
        lambda s, w, a: organisations.register_enterprise(
            session=s, actor=a, data=_enterprise_form()
        ),
        # Anonymous self-registration is allowed too: it stays pending.
        COUNTY_BUREAUS | {"anonymous"},
        covers=("enterprise.register",),
    ),
    Action(
        "organisations.register_cooperative",
        lambda s, w, a: organisations.register_cooperative(
            session=s,
            actor=a,
            data={
                "credit_code": valid_credit_code("93140829"),
                "name": "新合作社",
                "village_id": w.village_id,
            },
        ),
        COUNTY_BUREAUS | {"anonymous"},
        covers=("cooperative.register",),
    ),
    Action(
        "villages.create_village",
        lambda s, w, a: villages.create_village(
            session=s,
            actor=a,
            data={"code": "140829100299", "name": "新建村", "county_code": "140829"},
        ),
        COUNTY_BUREAUS,
        covers=("village.create",),
    ),
    Action(
        "pairing.propose_agreement",
        lambda s, w, a: pairing.propose_agreement(
            session=s,
            actor=a,
            data={
                "enterprise_id": w.enterprise_a,
                "village_id": make_village(s).id,
                "help_kinds": ["sales"],
                "start_on": "2026-03-01",
                "end_on": "2028-02-28",
                "commit_purchase": "1000",
            },
            today=date(2026, 2, 1),
        ),
        frozenset({"enterprise_a"}),
        covers=("agreement.propose",),
    ),
    Action(
        "pairing.revise_proposal",
        lambda s, w, a: pairing.revise_proposal(
            session=s,
            actor=a,
            agreement_id=w.proposal_id,
            expected_version=1,
            data={
                "help_kinds": ["funding"],
                "start_on": "2026-01-01",
                "end_on": "2027-12-31",
                "commit_funding_welfare": "1000",
            },
        ),
        frozenset({"enterprise_a"}),
        covers=("agreement.revise",),
    ),
    Action(
        "accounts.review_registration",
        lambda s, w, a: accounts.review_registration(
            session=s, actor=a, user_id=w.pending_user_id, approve=True
        ),
        COUNTY_BUREAUS,
        covers=("account.approve", "account.reject"),
    ),
    Action(
        "accounts.create_user",
        lambda s, w, a: accounts.create_user(
            session=s,
            actor=a,
            account={"username": "newbie", "display_name": "新人", "password": PASSWORD},
            role=UserRole.bureau,
            region_code="140829",
        ),
        frozenset({"admin"}),
        covers=("account.create",),
    ),
    Action(
        "api_tokens.create_api_token",
        lambda s, w, a: api_tokens.create_api_token(session=s, actor=a, name="对接"),
        SIGNED_IN,
        covers=("api_token.create",),
    ),
    Action(
        "credentials.change_password",
        lambda s, w, a: credentials.change_password(
            session=s, actor=a, old_password=PASSWORD, new_password="Fenhe2027x"
        ),
        SIGNED_IN,
        covers=("account.change_password",),
    ),
    PreparedAction(
        "user_sessions.revoke_session",
        lambda s, w, a: user_sessions.revoke_session(
            session=s, actor=a, session_id=_own_session(s, w, a)
        ),
        SIGNED_IN,
        prepare=_sessions,
        covers=("session.revoke",),
    ),
    PreparedAction(
        "user_sessions.revoke_all_sessions",
        lambda s, w, a: user_sessions.revoke_all_sessions(session=s, actor=a),
        SIGNED_IN,
        prepare=_sessions,
        covers=("session.revoke_all",),
    ),
    Action(
        "credentials.check_password_change",
        lambda s, w, a: credentials.check_password_change(
            session=s, actor=a, old_password=PASSWORD, new_password="Fenhe2027x"
        ),
        SIGNED_IN,
        writes=False,
    ),
    Action(
        "audit_trail.object_events",
        lambda s, w, a: audit_trail.object_events(
            session=s,
            actor=a,
            object_type="PairingAgreement",
            object_id=w.proposal_id,
            county_code="140829",
        ),
        COUNTY_BUREAUS | {"admin"},
        writes=False,
    ),
]

# Edits at a version (tests/edit_paths.py): none; what is named like one and carries no version.
EDITS = ()
UNVERSIONED = (
    (
        "credentials.change_password",
        "the old password is the guard; it bumps auth_version, which ends every other session of"
        " the account",
    ),
    (
        "invitations.revoke_invitation",
        "one way: an invitation used or revoked refuses (ConflictError)",
    ),
    (
        "invitations.regenerate_invitation",
        "one way: the old code is voided and a new row made; a used one refuses",
    ),
    (
        "two_factor.turn_off_two_factor",
        "the password and a current code are the guard; only the owner acts on the account",
    ),
    (
        "two_factor.enable_two_factor",
        "confirmed by a code of the offered secret; an enrolled account is refused",
    ),
    (
        "user_admin.reassign_user",
        "carries the role and organisation the form showed (``seen``, assignment_of): a change"
        " since is the same stale conflict; users carry no version column because every sign-in"
        " writes the row",
    ),
    (
        "user_admin.deactivate_user",
        "a state toggle checked against the current state: deactivating an inactive account is"
        " a conflict",
    ),
    (
        "user_admin.reactivate_user",
        "a state toggle checked against the current state: reactivating an active account is a"
        " conflict",
    ),
)
LIFECYCLE_STEPS = ()


# User administration and password recovery (app/services/user_admin.py, password_resets.py).


def _deactivated_village_user(s, w) -> None:
    s.get(User, w.user_ids["village"]).is_active = False
    s.flush()


def _reassign_village_user(s, w, a):
    user = s.get(User, w.user_ids["village"])
    return user_admin.reassign_user(
        session=s,
        actor=a,
        user_id=user.id,
        role="village",
        link_id=w.spare_village_id,
        seen=user_admin.assignment_of(user),
    )


def _redeem_issued_code(s, w, a):
    _reset, code = password_resets.issue_reset_code(
        session=s, actor=SYSTEM, user_id=w.user_ids["village"]
    )
    attempt = password_resets.prepare_reset(
        username="village", secret=code, new_password="Fenhe2027x", kind="code"
    )
    return password_resets.redeem_reset(session=s, attempt=attempt, address="10.9.9.9")


USER_ADMINS = COUNTY_BUREAUS | {"admin"}

ACTIONS += [
    Action(
        "user_admin.list_users",
        lambda s, w, a: user_admin.list_users(session=s, actor=a),
        USER_ADMINS | {"bureau_other_county"},
        writes=False,
    ),
    Action(
        "user_admin.deactivate_user",
        lambda s, w, a: user_admin.deactivate_user(
            session=s, actor=a, user_id=w.user_ids["village"]
        ),
        USER_ADMINS,
        covers=("account.deactivate",),
    ),
    Action(
        "user_admin.deactivate_user (a bureau account)",
        lambda s, w, a: user_admin.deactivate_user(
            session=s, actor=a, user_id=w.user_ids["bureau_other_county"]
        ),
        frozenset({"admin"}),
    ),
    PreparedAction(
        "user_admin.reactivate_user",
        lambda s, w, a: user_admin.reactivate_user(
            session=s, actor=a, user_id=w.user_ids["village"]
        ),
        USER_ADMINS,
        prepare=_deactivated_village_user,
        covers=("account.reactivate",),
    ),
    Action(
        "user_admin.reassign_user",
        _reassign_village_user,
        USER_ADMINS,
        covers=("account.reassign",),
    ),
    Action(
        "accounts.create_user (a village account)",
        lambda s, w, a: accounts.create_user(
            session=s,
            actor=a,
            account={"username": "cunyuan", "display_name": "新村干部", "password": PASSWORD},
            role=UserRole.village,
            village_id=w.village_id,
        ),
        USER_ADMINS,
    ),
    Action(
        "password_resets.issue_reset_code",
        lambda s, w, a: password_resets.issue_reset_code(
            session=s, actor=a, user_id=w.user_ids["village"]
        ),
        USER_ADMINS,
        covers=("account.issue_reset_code",),
    ),
    # Anyone may ask for a mailed link or redeem a code: the code or link is the credential.
    Action(
        "password_resets.request_reset_link",
        lambda s, w, a: password_resets.request_reset_link(
            session=s, username="village", address="10.9.9.8", link_base="http://cunqi.test"
        ),
        frozenset(ACTORS),
        writes=False,
        covers=("account.request_reset",),
    ),
    Action(
        "password_resets.redeem_reset",
        _redeem_issued_code,
        frozenset(ACTORS),
        covers=("account.reset_password",),
    ),
]
