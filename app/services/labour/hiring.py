"""劳务对接: a village applies on behalf of a group, the employer interviews and hires, and the
village confirms at 3 and 6 months how many are still employed (``labour_states.APPLICATION``).

A hire by an enterprise that has an active pairing agreement with the village is tied to that
agreement (``agreement_id``), so the agreement's jobs actuals count these workers
(``hires_for_agreement``). The tie is made once, when the application moves to 已录用 — a step
guarded by the application's version, so two overlapping hires of one application write once and
the other is refused — and it never moves afterwards.
"""

from datetime import date

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Cooperative, Enterprise, PairingAgreement, Village
from app.models.base import utcnow
from app.models.enums import AgreementStatus
from app.models.labour import (
    HIRED_STATUSES,
    ApplicationStatus,
    JobPosting,
    LabourApplication,
    LabourSupply,
    PostingStatus,
    SupplyStatus,
)
from app.permissions.labour import LABOUR_APPLICATIONS
from app.services import clock
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.inputs import BoundedDate, parse
from app.services.labour.events import ApplicationEvent
from app.services.labour_states import APPLICATION, ApplicationCase
from app.services.paging import Page, paginate
from app.services.privacy import PublicLine

OPEN_STATUSES = (ApplicationStatus.applied, ApplicationStatus.interviewing)


class ApplyInput(BaseModel):
    head_count: int = Field(title="报名人数", gt=0, le=5000)
    note: PublicLine = Field(default="", title="备注", max_length=500)


class InviteInput(BaseModel):
    interview_on: BoundedDate = Field(title="面试日期")


class HireInput(BaseModel):
    hired_count: int = Field(title="录用人数", gt=0, le=5000)
    hired_on: BoundedDate = Field(title="录用日期")


class CheckInput(BaseModel):
    count: int = Field(title="在岗人数", ge=0, le=5000)


def apply(
    *, session: Session, actor: Actor, posting_id: int, supply_id: int, data: dict
) -> LabourApplication:
    """The village applies to an open posting on behalf of one of its open groups."""
    supply = session.get(LabourSupply, supply_id)
    posting = session.get(JobPosting, posting_id)
    if supply is None or posting is None:
        raise NotFoundError("劳务供给或招工岗位不存在")
    employer = _employer(session, posting)
    APPLICATION.authorize("apply", actor, (supply.village_id, employer.status))
    if posting.status != PostingStatus.open or supply.status != SupplyStatus.open:
        raise ConflictError("岗位已关闭或劳务供给已撤回，不能报名", code="not_open")
    form = parse(ApplyInput, data)
    if form.head_count > supply.head_count:
        raise ValidationError(
            f"报名人数不能超过该组的 {supply.head_count} 人", code="too_many", field="head_count"
        )
    pending = session.exec(
        select(LabourApplication.id).where(
            LabourApplication.posting_id == posting.id,
            LabourApplication.supply_id == supply.id,
            LabourApplication.status.in_(OPEN_STATUSES),
        )
    ).first()
    if pending is not None:
        raise ConflictError("该组已报名此岗位，请等待企业处理", code="already_applied")
    village = session.get(Village, supply.village_id)
    application = LabourApplication(
        posting_id=posting.id,
        supply_id=supply.id,
        village_id=village.id,
        enterprise_id=posting.enterprise_id,
        cooperative_id=posting.cooperative_id,
        county_code=village.county_code,
        head_count=form.head_count,
        note=form.note,
    )
    session.add(application)
    summary = f"{village.name}为“{supply.title}”报名{employer.name}的岗位“{posting.title}”"
    _record(session, actor, "labour_application.apply", application, summary)
    return application


def invite(
    *,
    session: Session,
    actor: Actor,
    application_id: int,
    expected_version: int,
    data: dict,
    today: date | None = None,
) -> LabourApplication:
    """The employer sets an interview date."""
    application, case = _case(session, application_id, today)
    APPLICATION.check("invite", actor, case, expected_version)
    form = parse(InviteInput, data)
    before = snapshot(application)
    APPLICATION.move("invite", case)
    application.interview_on = form.interview_on
    _save(session, application)
    summary = f"安排面试（{form.interview_on:%Y-%m-%d}）"
    _record(session, actor, "labour_application.invite", application, summary, before)
    return application


def hire(
    *,
    session: Session,
    actor: Actor,
    application_id: int,
    expected_version: int,
    data: dict,
    today: date | None = None,
) -> LabourApplication:
    """The employer hires some or all of the group; an active agreement between an enterprise
    and the village counts them from now on."""
    application, case = _case(session, application_id, today)
    APPLICATION.check("hire", actor, case, expected_version)
    form = parse(HireInput, data)
    if form.hired_count > application.head_count:
        raise ValidationError(
            f"录用人数不能超过报名的 {application.head_count} 人",
            code="too_many",
            field="hired_count",
        )
    if form.hired_on > case.today:
        raise ValidationError("录用日期不能晚于今天", code="hired_on_future", field="hired_on")
    agreement_id = _active_agreement(session, application)  # read before anything changes
    before = snapshot(application)
    APPLICATION.move("hire", case)
    application.hired_count = form.hired_count
    application.hired_on = form.hired_on
    application.check_3_due = clock.add_months(form.hired_on, 3)
    application.check_6_due = clock.add_months(form.hired_on, 6)
    application.agreement_id = agreement_id
    _save(session, application)
    summary = f"录用 {form.hired_count} 人（{form.hired_on:%Y-%m-%d}）"
    _record(session, actor, "labour_application.hire", application, summary, before)
    return application


def decline(
    *, session: Session, actor: Actor, application_id: int, expected_version: int
) -> LabourApplication:
    return _step(
        session,
        actor,
        application_id,
        expected_version,
        "decline",
        action="labour_application.decline",
        what="未录用",
    )


def withdraw(
    *, session: Session, actor: Actor, application_id: int, expected_version: int
) -> LabourApplication:
    return _step(
        session,
        actor,
        application_id,
        expected_version,
        "withdraw",
        action="labour_application.withdraw",
        what="撤回报名",
    )


def confirm_check(
    *,
    session: Session,
    actor: Actor,
    application_id: int,
    expected_version: int,
    data: dict,
    today: date | None = None,
) -> LabourApplication:
    """The village confirms how many of the hired workers are still employed: the 3-month check
    first, then the 6-month one, each from its due date."""
    application, case = _case(session, application_id, today)
    name = (
        "confirm_stable" if application.status == ApplicationStatus.retained else "confirm_retained"
    )
    APPLICATION.check(name, actor, case, expected_version)
    form = parse(CheckInput, data)
    ceiling = application.hired_count if name == "confirm_retained" else application.retained_count
    if form.count > ceiling:
        raise ValidationError(f"在岗人数不能超过 {ceiling} 人", code="too_many", field="count")
    before = snapshot(application)
    APPLICATION.move(name, case)
    if name == "confirm_retained":
        application.retained_count = form.count
    else:
        application.stable_count = form.count
    _save(session, application)
    months = 3 if name == "confirm_retained" else 6
    summary = f"确认录用满 {months} 个月仍在岗 {form.count} 人"
    _record(
        session,
        actor,
        action=(
            "labour_application.confirm_retained"
            if name == "confirm_retained"
            else "labour_application.confirm_stable"
        ),
        application=application,
        summary=summary,
        before=before,
    )
    return application


def get_application(*, session: Session, actor: Actor, application_id: int) -> LabourApplication:
    application = session.get(LabourApplication, application_id)
    if application is None or not LABOUR_APPLICATIONS.allows(actor, **_facts(application)):
        raise NotFoundError("报名记录不存在")
    return application


def allowed_steps(
    *, actor: Actor, application: LabourApplication, today: date | None = None
) -> list[str]:
    """The steps ``actor`` may take now (the page's buttons)."""
    return APPLICATION.allowed(actor, ApplicationCase(application, today or clock.today()))


def visible_applications(
    *,
    session: Session,
    actor: Actor,
    status: ApplicationStatus | None = None,
    page: int = 1,
) -> Page[LabourApplication]:
    query = select(LabourApplication).where(
        LABOUR_APPLICATIONS.where(
            actor,
            village_id=LabourApplication.village_id,
            enterprise_id=LabourApplication.enterprise_id,
            cooperative_id=LabourApplication.cooperative_id,
            county_code=LabourApplication.county_code,
        ),
        sa.true() if status is None else LabourApplication.status == status,
    )
    query = query.order_by(LabourApplication.updated_at.desc(), LabourApplication.id.desc())
    return paginate(session, query, number=page)


def hires_for_agreement(session: Session, agreement_id: int) -> int:
    """The workers hired under an agreement (its employer from its village): the system's record
    of the jobs the agreement brought, beside the jobs its reports state."""
    total = session.exec(
        select(sa.func.coalesce(sa.func.sum(LabourApplication.hired_count), 0)).where(
            LabourApplication.agreement_id == agreement_id,
            LabourApplication.status.in_(HIRED_STATUSES),
        )
    ).one()
    return int(total)


def _facts(application: LabourApplication) -> dict:
    return {
        "village_id": application.village_id,
        "enterprise_id": application.enterprise_id,
        "cooperative_id": application.cooperative_id,
        "county_code": application.county_code,
    }


def _step(
    session: Session,
    actor: Actor,
    application_id: int,
    version: int,
    name: str,
    action: str,
    what: str,
) -> LabourApplication:
    application, case = _case(session, application_id, None)
    APPLICATION.check(name, actor, case, version)
    before = snapshot(application)
    APPLICATION.move(name, case)
    _save(session, application)
    _record(session, actor, action, application, what, before)
    return application


def _case(
    session: Session, application_id: int, today: date | None
) -> tuple[LabourApplication, ApplicationCase]:
    application = session.get(LabourApplication, application_id)
    if application is None:
        raise NotFoundError("报名记录不存在")
    return application, ApplicationCase(application, today or clock.today())


def _active_agreement(session: Session, application: LabourApplication) -> int | None:
    if application.enterprise_id is None:
        return None
    return session.exec(
        select(PairingAgreement.id).where(
            PairingAgreement.enterprise_id == application.enterprise_id,
            PairingAgreement.village_id == application.village_id,
            PairingAgreement.status == AgreementStatus.active,
        )
    ).first()


def _employer(session: Session, posting: JobPosting) -> Enterprise | Cooperative:
    if posting.enterprise_id is not None:
        return session.get(Enterprise, posting.enterprise_id)
    return session.get(Cooperative, posting.cooperative_id)


def _save(session: Session, application: LabourApplication) -> None:
    application.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(APPLICATION.stale, code="stale_version") from None


def _record(
    session: Session,
    actor: Actor,
    action: str,
    application: LabourApplication,
    summary: str,
    before: dict | None = None,
) -> None:
    publish(
        session,
        ApplicationEvent.by(
            actor,
            action=action,
            obj=application,
            summary=summary if before is None else f"劳务报名 #{application.id}：{summary}",
            before=before,
            after=snapshot(application),
            county_code=application.county_code,
        ),
    )
