"""Matrix actions for accounts, organisations, villages, proposals and the audit trail."""

from sqlmodel import select

from app.models import UserSession
from app.models.enums import UserRole
from app.services import (
    accounts,
    api_tokens,
    audit_trail,
    credentials,
    organisations,
    pairing,
    user_sessions,
    villages,
)
from tests.authz.world import COUNTY_BUREAUS, PASSWORD, SIGNED_IN, Action, PreparedAction
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


ACTIONS = [
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
)
LIFECYCLE_STEPS = ()
