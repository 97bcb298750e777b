"""招工岗位: job postings by approved organisations (enterprises or cooperatives).

A posting names its place by township (the county follows from it), a monthly wage range in 分,
the month it starts and its term, board, skills and head-count, and whether it is a 帮扶车间, a
nearby job or work away from home. Edits carry the version they were based on; a closed posting
is kept (its figures stay) and no longer listed.
"""

import sqlalchemy as sa
from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session, select

from app.actors import Actor, Role
from app.errors import ConflictError, NotFoundError, ValidationError
from app.labels import register
from app.models import Cooperative, Enterprise, Township
from app.models.base import utcnow
from app.models.labour import JobPosting, PostingKind, PostingStatus
from app.money import MAX_UNIT_PRICE_FEN
from app.permissions import require
from app.permissions.labour import JOB_POSTINGS, can_manage_posting, can_post_jobs, can_see_posting
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.inputs import Text, parse
from app.services.labour.events import PostingEvent
from app.services.labour.fields import Flag, Skills
from app.services.paging import Page, paginate
from app.services.privacy import PublicLine, PublicText
from app.services.versioning import expect_version, flush_versioned

POSTING_STALE = "该招工岗位已被他人修改，请刷新后再试"
MAX_OPENINGS = 5000

register(PostingStatus, {PostingStatus.open: "招聘中", PostingStatus.closed: "已关闭"})
register(
    PostingKind,
    {
        PostingKind.workshop: "帮扶车间",
        PostingKind.nearby: "就近就业",
        PostingKind.away: "外出务工",
    },
)


class PostingInput(BaseModel):
    title: PublicLine = Field(title="岗位名称", min_length=2, max_length=80)
    positions: PublicText = Field(default="", title="岗位说明", max_length=2000)
    township_code: Text = Field(title="工作地点（乡镇）", min_length=9, max_length=9)
    wage_min_fen: int = Field(title="最低月薪", ge=0, le=MAX_UNIT_PRICE_FEN)
    wage_max_fen: int = Field(title="最高月薪", ge=0, le=MAX_UNIT_PRICE_FEN)
    start_month: int = Field(title="开始月份", ge=1, le=12)
    term_months: int = Field(title="用工期限（月）", ge=1, le=36)
    housing: Flag = Field(default=False, title="提供住宿")
    meals: Flag = Field(default=False, title="提供餐食")
    skills: Skills = Field(default="", title="技能要求", max_length=200)
    head_count: int = Field(title="招聘人数", gt=0, le=MAX_OPENINGS)
    kind: PostingKind = Field(title="岗位类型")

    @model_validator(mode="after")
    def _wages(self):
        if self.wage_min_fen > self.wage_max_fen:
            raise ValueError("最低月薪不能高于最高月薪")
        return self


def publish_posting(*, session: Session, actor: Actor, data: dict) -> JobPosting:
    """An approved enterprise or cooperative publishes a job posting."""
    employer = _employer_of(session, actor)
    require(employer is not None and can_post_jobs(actor, employer.status))
    form = parse(PostingInput, data)
    township = _township(session, form.township_code)
    posting = JobPosting(
        **form.model_dump(),
        county_code=township.county_code,
        enterprise_id=actor.enterprise_id if actor.role == Role.enterprise else None,
        cooperative_id=actor.cooperative_id if actor.role == Role.cooperative else None,
    )
    session.add(posting)
    _record(session, actor, "job_posting.publish", posting, employer.name, "发布招工岗位")
    return posting


def revise_posting(
    *, session: Session, actor: Actor, posting_id: int, expected_version: int, data: dict
) -> JobPosting:
    """The employer edits an open posting at the version it saw."""
    posting = _own(session, actor, posting_id)
    expect_version(posting, expected_version, POSTING_STALE)
    if posting.status != PostingStatus.open:
        raise ConflictError("该岗位已关闭，不能修改", code="posting_closed")
    form = parse(PostingInput, data)
    township = _township(session, form.township_code)
    before = snapshot(posting)
    for name, value in form.model_dump().items():
        setattr(posting, name, value)
    posting.county_code = township.county_code
    posting.updated_at = utcnow()
    flush_versioned(session, POSTING_STALE)
    name = _employer_name(session, posting)
    _record(session, actor, "job_posting.update", posting, name, "修改招工岗位", before)
    return posting


def close_posting(
    *, session: Session, actor: Actor, posting_id: int, expected_version: int
) -> JobPosting:
    """The employer closes a posting it has filled or given up."""
    posting = _own(session, actor, posting_id)
    expect_version(posting, expected_version, POSTING_STALE)
    if posting.status == PostingStatus.closed:
        raise ConflictError("该岗位已关闭", code="already_closed")
    before = snapshot(posting)
    posting.status = PostingStatus.closed
    posting.updated_at = utcnow()
    flush_versioned(session, POSTING_STALE)
    name = _employer_name(session, posting)
    _record(session, actor, "job_posting.close", posting, name, "关闭招工岗位", before)
    return posting


def get_posting(*, session: Session, actor: Actor, posting_id: int) -> JobPosting:
    posting = session.get(JobPosting, posting_id)
    if posting is None or not can_see_posting(actor, posting):
        raise NotFoundError("招工岗位不存在或已关闭")
    return posting


def visible_postings(
    *,
    session: Session,
    actor: Actor,
    status: PostingStatus | None = None,
    county_code: str | None = None,
    page: int = 1,
) -> Page[JobPosting]:
    """The postings the actor may see, newest first (everyone: the open ones; the employer: its
    own; the bureau: those of its region)."""
    query = select(JobPosting).where(
        _visible(actor),
        sa.true() if status is None else JobPosting.status == status,
        sa.true() if county_code is None else JobPosting.county_code == county_code,
    )
    query = query.order_by(JobPosting.created_at.desc(), JobPosting.id.desc())
    return paginate(session, query, number=page)


def open_postings(*, session: Session, actor: Actor) -> list[JobPosting]:
    """Every open posting the actor may see (what the matching reads)."""
    query = select(JobPosting).where(_visible(actor), JobPosting.status == PostingStatus.open)
    return list(session.exec(query.order_by(JobPosting.id)))


def employer_name(session: Session, posting: JobPosting) -> str:
    return _employer_name(session, posting)


def _visible(actor: Actor):
    return JOB_POSTINGS.where(
        actor,
        status=JobPosting.status,
        enterprise_id=JobPosting.enterprise_id,
        cooperative_id=JobPosting.cooperative_id,
        county_code=JobPosting.county_code,
    )


def _employer_of(session: Session, actor: Actor) -> Enterprise | Cooperative | None:
    if actor.role == Role.enterprise and actor.enterprise_id:
        return session.get(Enterprise, actor.enterprise_id)
    if actor.role == Role.cooperative and actor.cooperative_id:
        return session.get(Cooperative, actor.cooperative_id)
    return None


def _employer_name(session: Session, posting: JobPosting) -> str:
    if posting.enterprise_id is not None:
        return session.get(Enterprise, posting.enterprise_id).name
    return session.get(Cooperative, posting.cooperative_id).name


def _township(session: Session, code: str) -> Township:
    township = session.get(Township, code)
    if township is None:
        raise ValidationError(
            "工作地点的乡镇不存在", code="unknown_township", field="township_code"
        )
    return township


def _own(session: Session, actor: Actor, posting_id: int) -> JobPosting:
    posting = session.get(JobPosting, posting_id)
    if posting is None:
        raise NotFoundError("招工岗位不存在")
    require(can_manage_posting(actor, posting.enterprise_id, posting.cooperative_id))
    return posting


def _record(
    session: Session,
    actor: Actor,
    action: str,
    posting: JobPosting,
    employer: str,
    summary: str,
    before: dict | None = None,
) -> None:
    publish(
        session,
        PostingEvent.by(
            actor,
            action=action,
            obj=posting,
            summary=f"{employer}{summary}“{posting.title}”（{posting.head_count} 人）",
            before=before,
            after=snapshot(posting),
            county_code=posting.county_code,
        ),
    )
