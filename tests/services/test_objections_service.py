"""The certification notice period (公示期): objections hold it back; the bureau resolves them."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.actors import ANONYMOUS
from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.models import CertificationObjection, Event, Notification, Product
from app.models.enums import CertificationStatus, ObjectionStatus
from app.services import certification, objections
from tests.factories import make_cooperative
from tests.trade_factories import bureau_actor, cooperative_actor, make_listed_product

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
NOTICE_ENDS = NOW + timedelta(days=5)
REASON = "该产品实际产地不在本村，且未带动脱贫户。"


def _publicised(session):
    cooperative = make_cooperative(session)
    product = make_listed_product(session, cooperative=cooperative)
    application = certification.apply_for_certification(
        session=session, actor=cooperative_actor(cooperative), product_id=product.id
    )
    certification.approve_certification(
        session=session,
        actor=bureau_actor(),
        application_id=application.id,
        data={"expires_on": "2027-11-30"},
        today=TODAY,
        now=NOW,
    )
    return application, product, cooperative


def _object(session, application, actor=ANONYMOUS, **data):
    return objections.file_objection(
        session=session,
        actor=actor,
        application_id=application.id,
        data={"reason": REASON, "filer_name": "张三", "filer_contact": "13912345678"} | data,
        now=NOW + timedelta(days=1),
    )


def _resolve(session, objection, decision, actor=None):
    return objections.resolve_objection(
        session=session,
        actor=actor or bureau_actor(),
        objection_id=objection.id,
        data={"decision": decision, "resolution": "经实地核查"},
    )


def test_an_open_objection_blocks_the_certification_at_the_end_of_the_notice_period(session):
    application, product, _ = _publicised(session)
    objection = _object(session, application)
    assert objection.status == ObjectionStatus.open
    assert certification.take_effect_when_due(session=session, now=NOTICE_ENDS) == 0
    assert (
        certification.take_effect_when_due(session=session, now=NOTICE_ENDS + timedelta(days=30))
        == 0
    )
    assert application.status == CertificationStatus.publicised
    assert product.assistance_certified_until is None


def test_upholding_refuses_the_certification(session):
    application, product, _ = _publicised(session)
    objection = _object(session, application)
    _resolve(session, objection, "upheld")
    assert (objection.status, objection.resolution) == (ObjectionStatus.upheld, "经实地核查")
    assert objection.resolved_at is not None
    assert application.status == CertificationStatus.rejected
    assert application.reason == "经实地核查"
    assert certification.take_effect_when_due(session=session, now=NOTICE_ENDS) == 0
    assert product.assistance_certified_until is None
    actions = session.exec(select(Event.action).order_by(Event.id)).all()
    assert actions[-3:] == ["objection.file", "objection.resolve", "certification.refuse"]


def test_dismissing_lets_it_proceed_at_once_when_the_period_is_over(session):
    application, product, _ = _publicised(session)
    first = _object(session, application)
    second = _object(
        session, application, reason="价格明显高于市场价，质次价高。", filer_contact="13800001111"
    )
    # Within the period dismissing one changes nothing yet; the other still holds it back.
    _resolve(session, first, "dismissed")
    assert application.status == CertificationStatus.publicised
    assert certification.take_effect_when_due(session=session, now=NOTICE_ENDS) == 0
    # The period is over (the clock says so): dismissing the last one puts it in force.
    application.notice_ends_at = datetime.now(UTC) - timedelta(minutes=1)
    session.flush()
    _resolve(session, second, "dismissed")
    assert application.status == CertificationStatus.approved
    assert product.assistance_certified_until == date(2027, 11, 30)
    assert session.exec(select(Event.action).order_by(Event.id.desc())).first() == (
        "certification.take_effect"
    )


def test_without_objections_it_takes_effect_when_the_period_ends(session):
    application, product, cooperative = _publicised(session)
    with pytest.raises(ConflictError) as caught:
        certification.apply_for_certification(
            session=session, actor=cooperative_actor(cooperative), product_id=product.id
        )
    assert caught.value.code == "already_applied"
    assert certification.take_effect_when_due(session=session, now=NOTICE_ENDS) == 1
    assert application.status == CertificationStatus.approved
    assert session.get(Product, product.id).assistance_certified_until == date(2027, 11, 30)


def test_objections_only_during_the_notice_period_and_with_a_reason(session):
    application, _, _ = _publicised(session)
    with pytest.raises(ValidationError) as caught:
        _object(session, application, reason="不行")
    assert (caught.value.field, caught.value.message) == ("reason", "异议理由至少 5 个字符")
    with pytest.raises(ConflictError) as late:
        objections.file_objection(
            session=session,
            actor=ANONYMOUS,
            application_id=application.id,
            data={"reason": REASON},
            now=NOTICE_ENDS,
        )
    assert late.value.code == "notice_ended"
    pending_cooperative = make_cooperative(session)
    pending = certification.apply_for_certification(
        session=session,
        actor=cooperative_actor(pending_cooperative),
        product_id=make_listed_product(session, cooperative=pending_cooperative).id,
    )
    with pytest.raises(NotFoundError):
        _object(session, pending)
    assert session.exec(select(CertificationObjection)).all() == []


def test_only_the_products_county_bureau_resolves_and_only_once(session):
    application, _, cooperative = _publicised(session)
    objection = _object(session, application)
    for actor in (bureau_actor("140830"), cooperative_actor(cooperative), ANONYMOUS):
        with pytest.raises(PermissionDeniedError):
            _resolve(session, objection, "upheld", actor)
    with pytest.raises(ValidationError) as caught:
        _resolve(session, objection, "open")
    assert caught.value.code == "invalid_decision"
    _resolve(session, objection, "dismissed", bureau_actor("140800"))
    with pytest.raises(ConflictError):
        _resolve(session, objection, "upheld")


def test_the_filer_stays_private_outside_the_bureau(session):
    application, _, cooperative = _publicised(session)
    objection = _object(session, application)
    summaries = session.exec(select(Event.summary).where(Event.action == "objection.file")).all()
    notes = session.exec(select(Notification).where(Notification.kind == "objection.file")).all()
    assert [n.recipient_id for n in notes] == [cooperative.id]
    for text in [*summaries, *(n.body for n in notes)]:
        assert "张三" not in text and "13912345678" not in text
    assert (
        objections.visible_objection(
            session=session, actor=bureau_actor(), objection_id=objection.id
        )
        is objection
    )
    assert (
        objections.visible_objection(
            session=session, actor=cooperative_actor(cooperative), objection_id=objection.id
        )
        is None
    )
    assert objections.objection_queue(session=session, actor=bureau_actor()) == [objection]
    assert objections.objection_queue(session=session, actor=bureau_actor("140830")) == []
