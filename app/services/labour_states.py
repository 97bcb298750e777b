"""The lifecycle of a labour application (劳务对接), taken by ``app.services.labour.hiring``:

(village) apply ─▶ applied ─invite (employer)─▶ interviewing ─hire (employer)─▶ hired
─confirm_retained (village, from 3 months after the hire)─▶ retained
─confirm_stable (village, from 6 months)─▶ stable;   hire also straight from applied;
decline (employer) or withdraw (village) before the hire ─▶ declined / withdrawn
"""

from dataclasses import dataclass
from datetime import date

from app.labels import register
from app.models.enums import RegistrationStatus
from app.models.labour import ApplicationStatus, LabourApplication
from app.permissions.labour import can_manage_posting, can_publish_supply
from app.services.state_machine import Guard, Machine, Transition

S = ApplicationStatus

register(
    ApplicationStatus,
    {
        S.applied: "已报名",
        S.interviewing: "面试中",
        S.hired: "已录用",
        S.retained: "三个月在岗",
        S.stable: "稳定就业",
        S.declined: "未录用",
        S.withdrawn: "已撤回",
    },
    {
        S.interviewing: "pending",
        S.hired: "ok",
        S.retained: "ok",
        S.stable: "done",
        S.declined: "muted",
    },
)


@dataclass(frozen=True, slots=True)
class ApplicationCase:
    """An application and today's date (the stable-employment checks fall due)."""

    application: LabourApplication
    today: date


def _employer(actor, case: ApplicationCase) -> bool:
    a = case.application
    return can_manage_posting(actor, a.enterprise_id, a.cooperative_id)


def _village(actor, case: ApplicationCase) -> bool:
    return can_publish_supply(actor, case.application.village_id)


def _applying(actor, subject) -> bool:
    """Creation: the village of the group (subject: the group's village id and the posting's
    employer's registration status)."""
    village_id, employer_status = subject
    return can_publish_supply(actor, village_id) and employer_status == RegistrationStatus.approved


def _due(attribute: str, months: int) -> Guard:
    def holds(case: ApplicationCase) -> bool:
        due = getattr(case.application, attribute)
        return due is not None and case.today >= due

    def message(case: ApplicationCase) -> str:
        due = getattr(case.application, attribute)
        return f"录用满 {months} 个月（{due:%Y年%-m月%-d日}）后才能确认"

    return Guard(holds, message, "check_not_due")


def _step(name: str, sources, target, allowed, label: str, **more) -> Transition:
    return Transition(name, sources, target, allowed, f"labour_application.{name}", label, **more)


APPLICATION = Machine(
    name="labour_application",
    model="LabourApplication",
    states=tuple(S),
    initial=(S.applied,),
    terminal=(S.stable, S.declined, S.withdrawn),
    entity=lambda case: case.application,
    wrong_state="该报名{state}，不能{action}",
    wrong_state_code="invalid_transition",
    stale="该报名已被他人处理，请刷新后再试",
    transitions=(
        _step("apply", (), S.applied, _applying, "报名", offered=False),
        _step(
            "invite",
            (S.applied,),
            S.interviewing,
            _employer,
            "安排面试",
            done="已安排面试，已通知村里",
        ),
        _step(
            "hire",
            (S.applied, S.interviewing),
            S.hired,
            _employer,
            "录用",
            button="录用",
            done="已录用",
        ),
        _step(
            "decline",
            (S.applied, S.interviewing),
            S.declined,
            _employer,
            "不录用",
            done="已告知村里未录用",
        ),
        _step(
            "withdraw",
            (S.applied, S.interviewing),
            S.withdrawn,
            _village,
            "撤回报名",
            done="报名已撤回",
        ),
        _step(
            "confirm_retained",
            (S.hired,),
            S.retained,
            _village,
            "确认三个月在岗",
            guards=(_due("check_3_due", 3),),
            done="已确认三个月在岗人数",
        ),
        _step(
            "confirm_stable",
            (S.retained,),
            S.stable,
            _village,
            "确认六个月稳定就业",
            guards=(_due("check_6_due", 6),),
            done="已确认六个月稳定就业人数",
        ),
    ),
)
