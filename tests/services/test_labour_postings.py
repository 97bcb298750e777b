"""招工岗位: an approved enterprise or cooperative publishes postings (wages in 分, place by
township), edits them at a version and closes them; everyone sees the open ones."""

import pytest
from sqlmodel import select

from app.actors import ANONYMOUS
from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.models import Event
from app.models.enums import RegistrationStatus
from app.models.labour import JobPosting, PostingKind, PostingStatus
from app.services.labour import postings
from tests.factories import make_cooperative, make_enterprise, make_township, make_village
from tests.labour_factories import POSTING_FORM
from tests.pairing_factories import bureau_actor, village_actor
from tests.trade_factories import buyer_actor, cooperative_actor


def _publish(session, actor, **overrides):
    make_township(session)
    return postings.publish_posting(session=session, actor=actor, data=POSTING_FORM | overrides)


def test_an_enterprise_publishes_a_posting(session):
    employer = make_enterprise(session)
    posting = _publish(session, buyer_actor(employer))
    assert (posting.enterprise_id, posting.cooperative_id) == (employer.id, None)
    assert (posting.county_code, posting.township_code) == ("140829", "140829100")
    assert (posting.wage_min_fen, posting.wage_max_fen) == (300_000, 450_000)
    assert (posting.housing, posting.meals, posting.kind) == (True, True, PostingKind.workshop)
    assert posting.status == PostingStatus.open
    assert session.exec(select(Event.action)).all() == ["job_posting.publish"]


def test_a_cooperative_publishes_a_nearby_job(session):
    cooperative = make_cooperative(session)
    posting = _publish(session, cooperative_actor(cooperative), kind="nearby", housing="")
    assert (posting.enterprise_id, posting.cooperative_id) == (None, cooperative.id)
    assert (posting.kind, posting.housing) == (PostingKind.nearby, False)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"wage_min_fen": "500000"}, None, "最低月薪不能高于最高月薪"),
        ({"wage_min_fen": "3000.5"}, "wage_min_fen", "最低月薪应为整数"),
        ({"township_code": "140899100"}, "township_code", "工作地点的乡镇不存在"),
        ({"term_months": "37"}, "term_months", "用工期限"),
        ({"head_count": "0"}, "head_count", "招聘人数"),
        ({"kind": "remote"}, "kind", "岗位类型"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(session, overrides, field, message):
    employer = make_enterprise(session)
    with pytest.raises(ValidationError) as caught:
        _publish(session, buyer_actor(employer), **overrides)
    assert message in caught.value.message
    if field:
        assert caught.value.field == field
    assert session.exec(select(JobPosting)).all() == []
    assert session.exec(select(Event)).all() == []


def test_only_approved_organisations_post_jobs(session):
    pending = make_enterprise(session, status=RegistrationStatus.pending)
    for actor in (
        ANONYMOUS,
        buyer_actor(pending),
        village_actor(make_village(session)),
        bureau_actor(),
    ):
        with pytest.raises(PermissionDeniedError):
            _publish(session, actor)


def test_edits_are_versioned_and_only_the_employer_edits(session):
    employer = make_enterprise(session)
    actor = buyer_actor(employer)
    posting = _publish(session, actor)
    with pytest.raises(PermissionDeniedError):
        postings.close_posting(
            session=session,
            actor=buyer_actor(make_enterprise(session)),
            posting_id=posting.id,
            expected_version=1,
        )
    edited = postings.revise_posting(
        session=session,
        actor=actor,
        posting_id=posting.id,
        expected_version=1,
        data=POSTING_FORM | {"head_count": "30"},
    )
    assert (edited.head_count, edited.version) == (30, 2)
    with pytest.raises(ConflictError) as stale:
        postings.close_posting(
            session=session, actor=actor, posting_id=posting.id, expected_version=1
        )
    assert stale.value.code == "stale_version"
    closed = postings.close_posting(
        session=session, actor=actor, posting_id=posting.id, expected_version=2
    )
    assert closed.status == PostingStatus.closed
    with pytest.raises(ConflictError):
        postings.close_posting(
            session=session, actor=actor, posting_id=posting.id, expected_version=3
        )


def test_open_postings_are_public_and_closed_ones_stay_with_their_employer(session):
    employer = make_enterprise(session)
    actor = buyer_actor(employer)
    posting = _publish(session, actor)
    assert postings.get_posting(session=session, actor=ANONYMOUS, posting_id=posting.id) == posting
    postings.close_posting(session=session, actor=actor, posting_id=posting.id, expected_version=1)
    with pytest.raises(NotFoundError):
        postings.get_posting(session=session, actor=ANONYMOUS, posting_id=posting.id)
    for reader in (actor, bureau_actor("140829")):
        assert postings.get_posting(session=session, actor=reader, posting_id=posting.id)
    with pytest.raises(NotFoundError):
        postings.get_posting(session=session, actor=bureau_actor("140830"), posting_id=posting.id)
    listed = postings.visible_postings(session=session, actor=ANONYMOUS)
    assert listed.items == []
