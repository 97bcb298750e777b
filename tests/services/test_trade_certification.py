"""消费帮扶产品认定: apply, certify with an expiry after a notice period, reject with a reason;
the badge expires."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from app.actors import ANONYMOUS
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import CertificationApplication, Event, SearchOutbox
from app.models.enums import CertificationStatus, ProductStatus
from app.services import certification
from tests.factories import make_cooperative, make_enterprise
from tests.trade_factories import (
    bureau_actor,
    buyer_actor,
    cooperative_actor,
    make_listed_product,
)

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
AFTER_NOTICE = NOW + timedelta(days=5)


def _apply(session, cooperative, product, note="有扶贫带贫台账"):
    return certification.apply_for_certification(
        session=session,
        actor=cooperative_actor(cooperative),
        product_id=product.id,
        data={"note": note},
    )


def _approve(session, actor, application, expires_on):
    return certification.approve_certification(
        session=session,
        actor=actor,
        application_id=application.id,
        data={"expires_on": expires_on},
        today=TODAY,
        now=NOW,
    )


def test_apply_then_certify_sets_the_expiry_on_the_product_after_the_notice_period(session):
    cooperative = make_cooperative(session)
    product = make_listed_product(session, cooperative=cooperative)
    application = _apply(session, cooperative, product)
    assert application.status == CertificationStatus.pending
    with pytest.raises(ConflictError) as caught:
        _apply(session, cooperative, product)
    assert caught.value.code == "already_applied"
    _approve(session, bureau_actor("140829"), application, "2027-11-30")
    assert application.status == CertificationStatus.publicised
    assert application.notice_ends_at == AFTER_NOTICE
    assert application.expires_on == date(2027, 11, 30)
    assert application.decided_at is not None
    assert product.assistance_certified_until is None
    # One second before the period ends nothing happens; at its end the certification holds.
    before_end = AFTER_NOTICE - timedelta(seconds=1)
    assert certification.take_effect_when_due(session=session, now=before_end) == 0
    assert certification.take_effect_when_due(session=session, now=AFTER_NOTICE) == 1
    assert application.status == CertificationStatus.approved
    assert product.assistance_certified_until == date(2027, 11, 30)
    actions = session.exec(select(Event.action).order_by(Event.id)).all()
    assert actions == ["certification.apply", "certification.approve", "certification.take_effect"]
    assert session.exec(select(SearchOutbox.doc_id)).all() == [product.id]


def test_the_badge_disappears_by_itself_after_the_expiry_date(session):
    cooperative = make_cooperative(session)
    product = make_listed_product(session, cooperative=cooperative)
    _approve(session, bureau_actor(), _apply(session, cooperative, product), "2026-12-31")
    certification.take_effect_when_due(session=session, now=AFTER_NOTICE)
    assert product.is_assistance_certified(date(2026, 12, 31))
    assert not product.is_assistance_certified(date(2027, 1, 1))


@pytest.mark.parametrize(
    ("expires_on", "message"),
    [
        (TODAY, "有效期应晚于今天"),
        (TODAY - timedelta(days=1), "有效期应晚于今天"),
        (date(2029, 11, 30), "有效期最长 3 年"),
        ("明年", "认定有效期至应为日期，如 2026-11-29"),
    ],
)
def test_expiry_must_be_within_three_years_ahead(session, expires_on, message):
    cooperative = make_cooperative(session)
    application = _apply(
        session, cooperative, make_listed_product(session, cooperative=cooperative)
    )
    with pytest.raises(ValidationError) as caught:
        _approve(session, bureau_actor(), application, expires_on)
    assert (caught.value.field, caught.value.message) == ("expires_on", message)
    assert application.status == CertificationStatus.pending


def test_reject_needs_a_reason_and_cannot_be_decided_twice(session):
    cooperative = make_cooperative(session)
    product = make_listed_product(session, cooperative=cooperative)
    application = _apply(session, cooperative, product)
    with pytest.raises(ValidationError) as caught:
        certification.reject_certification(
            session=session,
            actor=bureau_actor(),
            application_id=application.id,
            data={"reason": " "},
        )
    assert (caught.value.field, caught.value.message) == ("reason", "不通过的原因不能为空")
    certification.reject_certification(
        session=session,
        actor=bureau_actor(),
        application_id=application.id,
        data={"reason": "带贫证明材料不全"},
    )
    assert (application.status, application.reason) == ("rejected", "带贫证明材料不全")
    assert product.assistance_certified_until is None
    with pytest.raises(ConflictError):
        _approve(session, bureau_actor(), application, "2027-06-30")
    # A rejected product may apply again.
    assert _apply(session, cooperative, product).status == CertificationStatus.pending


def test_only_the_products_county_bureau_decides(session):
    cooperative = make_cooperative(session)
    application = _apply(
        session, cooperative, make_listed_product(session, cooperative=cooperative)
    )
    for actor in (
        bureau_actor("140830"),
        cooperative_actor(cooperative),
        buyer_actor(make_enterprise(session)),
        ANONYMOUS,
    ):
        with pytest.raises(PermissionDeniedError):
            _approve(session, actor, application, "2027-06-30")
    assert application.status == CertificationStatus.pending
    _approve(session, bureau_actor("140800"), application, "2027-06-30")


def test_only_the_owner_applies_and_not_for_a_delisted_product(session):
    cooperative = make_cooperative(session)
    product = make_listed_product(session, cooperative=cooperative)
    with pytest.raises(PermissionDeniedError):
        _apply(session, make_cooperative(session), product)
    product.status = ProductStatus.delisted
    with pytest.raises(ConflictError):
        _apply(session, cooperative, product)
    assert session.exec(select(CertificationApplication)).all() == []


def test_the_queue_shows_pending_applications_of_the_officers_region(session):
    cooperative = make_cooperative(session)
    first = _apply(session, cooperative, make_listed_product(session, cooperative=cooperative))
    second = _apply(session, cooperative, make_listed_product(session, cooperative=cooperative))
    certification.reject_certification(
        session=session, actor=bureau_actor(), application_id=second.id, data={"reason": "不符合"}
    )
    assert certification.certification_queue(session=session, actor=bureau_actor()) == [first]
    assert certification.certification_queue(session=session, actor=bureau_actor("140830")) == []
    with pytest.raises(PermissionDeniedError):
        certification.certification_queue(session=session, actor=cooperative_actor(cooperative))
    latest = certification.latest_applications(session, [first.product_id, second.product_id])
    assert latest == {first.product_id: first, second.product_id: second}
