"""Claiming an organisation already in the directory: a pending account linked to it with its
proof; only its county's bureau approves; until then the claimant acts for no organisation."""

import pytest
from sqlmodel import select

from app.actors import Actor, Role
from app.errors import NotFoundError, PermissionDeniedError, ValidationError
from app.models import Event, OrganisationClaim, User
from app.models.enums import RegistrationStatus, UserRole
from app.services import claims
from app.services.accounts import actor_for, create_user, review_registration
from app.services.inbox import inbox_counts
from app.services.organisations import register_enterprise
from tests.factories import make_cooperative, make_county, make_enterprise, valid_credit_code
from tests.image_factories import png_bytes

PASSWORD = "Huanghe2026"
PINGLU_BUREAU = Actor(role=Role.bureau, user_id=901, name="平陆县局", region_code="140829")
RUICHENG_BUREAU = Actor(role=Role.bureau, user_id=902, name="芮城县局", region_code="140830")
CITY_BUREAU = Actor(role=Role.bureau, user_id=900, name="市局", region_code="140800")


def _account(username="zhang") -> dict:
    return {
        "username": username,
        "display_name": "张经理",
        "password": PASSWORD,
        "privacy_consent": True,
    }


def _claim(session, tmp_path, organisation, kind=UserRole.enterprise, username="zhang"):
    proof = claims.store_proof("营业执照.png", png_bytes(), tmp_path)
    return claims.claim_organisation(
        session=session,
        kind=kind,
        account=_account(username),
        credit_code=organisation.credit_code,
        proof=proof,
    )


def test_a_claim_links_a_pending_account_that_acts_for_nobody(session, tmp_path):
    enterprise = make_enterprise(session, name="平陆县黄河果业有限公司")
    user = _claim(session, tmp_path, enterprise)
    assert user.enterprise_id == enterprise.id and user.status == RegistrationStatus.pending
    actor = actor_for(user)
    assert actor.enterprise_id is None  # the pending claimant cannot act for it
    claim = session.exec(
        select(OrganisationClaim).where(OrganisationClaim.user_id == user.id)
    ).one()
    assert claim.content_type == "image/png" and (tmp_path / claim.storage_key).exists()
    [event] = session.exec(select(Event).where(Event.action == "account.claim")).all()
    assert event.county_code == "140829" and "平陆县黄河果业有限公司" in event.summary


def test_only_the_organisations_county_bureau_approves(session, tmp_path):
    make_county(session, code="140830", name="芮城县")
    enterprise = make_enterprise(session)
    user = _claim(session, tmp_path, enterprise)
    with pytest.raises(PermissionDeniedError):
        review_registration(session=session, actor=RUICHENG_BUREAU, user_id=user.id, approve=True)
    with pytest.raises(NotFoundError):
        claims.open_claim_proof(
            session=session, actor=RUICHENG_BUREAU, user_id=user.id, upload_dir=tmp_path
        )
    row, path = claims.open_claim_proof(
        session=session, actor=PINGLU_BUREAU, user_id=user.id, upload_dir=tmp_path
    )
    assert path.exists() and row.user_id == user.id
    review_registration(session=session, actor=PINGLU_BUREAU, user_id=user.id, approve=True)
    assert user.status == RegistrationStatus.approved
    assert actor_for(user).enterprise_id == enterprise.id  # now with the whole history


def test_a_rejection_needs_a_reason_and_the_claimant_stays_without_the_organisation(
    session, tmp_path
):
    cooperative = make_cooperative(session)
    user = _claim(session, tmp_path, cooperative, kind=UserRole.cooperative)
    with pytest.raises(ValidationError):
        review_registration(session=session, actor=PINGLU_BUREAU, user_id=user.id, approve=False)
    review_registration(
        session=session, actor=PINGLU_BUREAU, user_id=user.id, approve=False, reason="材料不清晰"
    )
    assert user.status == RegistrationStatus.rejected
    assert actor_for(user).cooperative_id is None


def test_the_bureau_sees_the_claim_in_its_todo_and_the_accounts_already_active(session, tmp_path):
    enterprise = make_enterprise(session)
    create_user(
        session=session,
        actor=Actor(role=Role.system),
        account={"username": "old", "display_name": "老账号", "password": PASSWORD},
        role=UserRole.enterprise,
        enterprise_id=enterprise.id,
    )
    user = _claim(session, tmp_path, enterprise)
    assert claims.active_accounts(session, user) == ["old"]
    assert claims.claims_of(session, [user.id])[user.id].user_id == user.id
    counts = inbox_counts(session=session, actor=PINGLU_BUREAU)
    assert counts.get("registrations") == 1


def test_an_unknown_credit_code_or_a_missing_proof_is_refused(session, tmp_path):
    make_county(session)
    with pytest.raises(NotFoundError):
        claims.claim_organisation(
            session=session,
            kind=UserRole.enterprise,
            account=_account(),
            credit_code=valid_credit_code(),
            proof=claims.store_proof("a.png", png_bytes(), tmp_path),
        )
    enterprise = make_enterprise(session)
    with pytest.raises(ValidationError) as caught:
        claims.claim_organisation(
            session=session,
            kind=UserRole.enterprise,
            account=_account(),
            credit_code=enterprise.credit_code,
            proof=None,
        )
    assert caught.value.field == "document"
    with pytest.raises(ValidationError) as caught:
        claims.store_proof("a.exe", b"MZ\x90\x00", tmp_path)
    assert caught.value.field == "document" and "PDF、JPG 或 PNG" in caught.value.message
    assert session.exec(select(User).where(User.username == "zhang")).first() is None


def test_registering_an_existing_credit_code_points_to_the_claim(session):
    enterprise = make_enterprise(session)
    with pytest.raises(Exception) as caught:
        register_enterprise(
            session=session,
            actor=CITY_BUREAU,
            data={
                "credit_code": enterprise.credit_code,
                "name": "重复企业",
                "kind": "private",
                "industry": "A",
                "county_code": "140829",
            },
        )
    assert caught.value.code == "credit_code_taken" and "认领" in caught.value.message
