"""The commitment rule: an agreement commits to something, and only to what its help kinds allow.

Every proposal carries at least one non-zero commitment, and each non-zero commitment must be
allowed by one of the chosen help kinds (帮扶方式):

    经营性资金 ← 产业合作 / 资金支持      公益性资金 ← 资金支持 / 公益帮扶
    带动就业人数 ← 劳务协作               培训人次 ← 劳务协作 / 人才支援
    采购帮销金额 ← 结对帮销               受益人数 ← 任一帮扶方式

The checks are pydantic field validators, so a form gets every problem at once, each on its own
field, and nothing is written. A draft from the bureau's coverage plan is created without
commitments (``Terms``); the enterprise completes them before the draft becomes a proposal.
"""

from typing import Any

from pydantic import ValidationInfo, field_validator

from app.labels import HELP_KIND
from app.models.enums import HelpKind

H = HelpKind

# Each commitment field and the help kinds that allow it (None: any help kind).
ALLOWED_BY: dict[str, frozenset[HelpKind] | None] = {
    "commit_funding_business": frozenset({H.industry, H.funding}),
    "commit_funding_welfare": frozenset({H.funding, H.welfare}),
    "commit_jobs": frozenset({H.employment}),
    "commit_trainees": frozenset({H.employment, H.talent}),
    "commit_purchase": frozenset({H.sales}),
    "commit_beneficiaries": None,
}
COMMITMENT_FIELDS = tuple(ALLOWED_BY)
NOTHING_COMMITTED = "请至少填写一项大于 0 的承诺（资金、带动就业、培训、采购帮销或受益人数）"


def kinds_label(kinds: frozenset[HelpKind]) -> str:
    names = [f"“{HELP_KIND[k]}”" for k in HelpKind if k in kinds]
    return "或".join(names)


def disallowed_message(label: str, kinds: frozenset[HelpKind]) -> str:
    return f"{label}需选择帮扶方式{kinds_label(kinds)}，或将{label}填为 0"


def _allowed(cls, value: int, info: ValidationInfo) -> int:
    kinds = ALLOWED_BY[info.field_name]
    chosen = info.data.get("help_kinds")
    if not value or kinds is None or chosen is None:  # help_kinds has its own error
        return value
    if not kinds & set(chosen):
        label = cls.model_fields[info.field_name].title
        raise ValueError(disallowed_message(label, kinds))
    return value


def _something(cls, value: int, info: ValidationInfo) -> int:
    """On the last commitment field: all of them zero is an error (unless one had its own)."""
    earlier = [info.data.get(name) for name in COMMITMENT_FIELDS[:-1]]
    if value or any(v is None for v in earlier) or any(earlier):
        return value
    raise ValueError(NOTHING_COMMITTED)


def commitment_rule() -> tuple[Any, Any]:
    """The two validators a model with the ``commit_*`` fields adds to hold the rule."""
    return (
        field_validator(*COMMITMENT_FIELDS)(_allowed),
        field_validator(COMMITMENT_FIELDS[-1])(_something),
    )


# The agreement's columns for each commitment field, and the fields' labels.
COLUMNS = {
    "commit_funding_business": "commit_funding_business_fen",
    "commit_funding_welfare": "commit_funding_welfare_fen",
    "commit_jobs": "commit_jobs",
    "commit_trainees": "commit_trainees",
    "commit_purchase": "commit_purchase_fen",
    "commit_beneficiaries": "commit_beneficiaries",
}
LABELS = {
    "commit_funding_business": "经营性资金",
    "commit_funding_welfare": "公益性资金",
    "commit_jobs": "带动就业人数",
    "commit_trainees": "培训人次",
    "commit_purchase": "采购帮销金额",
    "commit_beneficiaries": "受益人数",
}


def stored_problems(agreement: Any) -> list[str]:
    """The commitment rule's refusals for an agreement's stored values (a draft being accepted,
    a returned agreement being resubmitted, or an agreement older than the rule)."""
    chosen = {k for i, k in enumerate(HelpKind) if agreement.help_kinds & (1 << i)}
    values = {name: getattr(agreement, column) or 0 for name, column in COLUMNS.items()}
    problems = [
        disallowed_message(LABELS[name], kinds)
        for name, kinds in ALLOWED_BY.items()
        if values[name] and kinds is not None and not kinds & chosen
    ]
    if not any(values.values()):
        problems.append(NOTHING_COMMITTED)
    return problems


def stored_commitments_hold(agreement: Any) -> bool:
    return not stored_problems(agreement)


def commitments_message(agreement: Any) -> str:
    return "请先修改承诺内容：" + "；".join(stored_problems(agreement))
