"""What the agreement page (pairing/_agreement.html) shows besides the service's detail: the
lifecycle stepper, the confirmation of irreversible steps, and the change log's field changes.

Irreversible steps (签约, 婉拒, 备案, 撤回, 终止) are confirmed before they are taken: the button
opens a confirmation (``?confirm=<action>``, a section of the page, swapped in by htmx or
loaded as a page without JavaScript) whose form posts ``confirmed=1``. A post without it writes
nothing and leads to the same confirmation (docs/decisions/0033-coverage-map-and-agreement-page.md).
"""

from dataclasses import dataclass
from datetime import date, datetime

from app.labels import AGREEMENT_STATUS, HELP_KIND, INDICATOR, INDICATOR_UNIT, REPORT_STATUS
from app.models import PairingAgreement
from app.models.enums import AgreementStatus, HelpKind
from app.models.flags import from_mask
from app.web.formatting import date_zh, money

A = AgreementStatus

# action → (question, what follows); every action here needs ``confirmed=1`` to be taken.
CONFIRMATIONS = {
    "sign": ("确认签约？", "签约后协议提交乡村振兴局备案，本村不能再婉拒，承诺内容也不能再修改。"),
    "decline": ("确认婉拒这份结对提议？", "婉拒后提议即结束，不能恢复；帮扶主体会收到通知。"),
    "file": ("确认备案？", "备案后协议生效（履行中），双方按季度报送成效，承诺计入全市统计。"),
    "withdraw": ("确认撤回这份结对提议？", "撤回后提议即结束，不能恢复；村会收到通知。"),
    "terminate": (
        "确认提前终止协议？",
        "终止后协议立即结束，不能恢复；原因记入操作记录，双方和乡村振兴局都能看到。",
    ),
}
# The reason box each confirmation carries: (label, required).
REASONS = {
    "decline": ("婉拒原因（可不填）", False),
    "withdraw": ("撤回原因（可不填）", False),
    "terminate": ("终止原因", True),
}


def confirmation(action: str | None, allowed) -> str | None:
    """The action to confirm, if the query asks for one the actor may take now."""
    return action if action in CONFIRMATIONS and action in allowed else None


@dataclass(frozen=True, slots=True)
class Step:
    label: str
    state: str  # done, current, ended (the agreement stopped here), upcoming, skipped
    on: datetime | None = None
    note: str = ""


STEP_LABELS = ("提议", "签约", "备案", "履行", "完成")
# Status → (index of the current step, whether the agreement ended there).
_POSITION = {
    A.draft: (0, False),  # the coverage plan's draft, waiting for the enterprise (待企业确认)
    A.proposed: (0, False),
    A.returned: (1, False),  # returned at filing: revised, then signed again (退回修改)
    A.signed: (1, False),
    A.active: (3, False),
    A.completed: (4, False),
    A.declined: (0, True),
    A.withdrawn: (0, True),
    A.terminated: (3, True),
}


def steps(agreement: PairingAgreement) -> tuple[Step, ...]:
    """提议 → 签约 → 备案 → 履行 → 完成: done up to the current step; an ended agreement (婉拒,
    撤回, 终止) shows where it stopped, with the status, and skips the rest."""
    status = AgreementStatus(agreement.status)
    current, ended = _POSITION[status]
    a = agreement
    dates = (a.proposed_at, a.signed_at, a.filed_at, a.filed_at, a.ended_at)
    result = []
    for index, label in enumerate(STEP_LABELS):
        if index < current or status == A.completed:
            state, on = "done", dates[index]
        elif index == current:
            state = "ended" if ended else "current"
            on = a.ended_at if ended else dates[index]
        else:
            state, on = ("skipped" if ended else "upcoming"), None
        note = AGREEMENT_STATUS[status] if index == current else ""
        result.append(Step(label, state, on, note))
    return tuple(result)


# The change log ------------------------------------------------------------------------------

FIELD_LABELS = {
    "status": "状态",
    "status_reason": "原因",
    "help_kinds": "帮扶方式",
    "start_on": "开始日期",
    "end_on": "结束日期",
    "note": "备注",
    "narrative": "成效说明",
    **{f"commit_{name}": f"承诺{text}" for name, text in INDICATOR.items()},
    **{f"actual_{name}": f"实绩{text}" for name, text in INDICATOR.items()},
}
_STATUS_LABELS = {
    "PairingAgreement": {s.value: text for s, text in AGREEMENT_STATUS.items()},
    "OutcomeReport": {s.value: text for s, text in REPORT_STATUS.items()},
}


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    old: str
    new: str

    @property
    def text(self) -> str:
        return f"{self.field}：{self.old} → {self.new}"


def changes(event) -> tuple[Change, ...]:
    """The fields an audit event changed, each labelled and formatted (old → new); nothing for
    an event without both sides (a creation) or for bookkeeping columns (version, timestamps)."""
    before, after = event.before or {}, event.after or {}
    if not before or not after:
        return ()
    result = []
    for name, field in FIELD_LABELS.items():
        if name in after and before.get(name) != after.get(name):
            old = _shown(event.object_type, name, before.get(name))
            new = _shown(event.object_type, name, after.get(name))
            result.append(Change(field, old, new))
    return tuple(result)


def _shown(object_type: str, name: str, value) -> str:
    if value is None or value == "":
        return "（空）"
    if name == "status":
        return _STATUS_LABELS.get(object_type, {}).get(value, str(value))
    if name == "help_kinds":
        return "、".join(HELP_KIND[k] for k in from_mask(int(value), HelpKind)) or "（空）"
    if name.endswith("_fen"):
        return money(int(value))
    if name in ("start_on", "end_on"):
        return date_zh(date.fromisoformat(value))
    if name.startswith(("commit_", "actual_")):
        unit = INDICATOR_UNIT.get(name.split("_", 1)[1], "")
        return f"{value} {unit}".strip()
    return str(value)
