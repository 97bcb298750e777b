"""Input pieces shared by the 劳务协作 forms: skills and months as a page or the API sends them."""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from app.models.flags import mask_to_months, months_to_mask
from app.services.inputs import Text

SKILL_SEPARATORS = re.compile(r"[、,，;；/ \u3000]+")
MAX_SKILLS = 12


def split_skills(text: str) -> list[str]:
    """The skills of a stored or typed list, in order, without repeats or blanks."""
    return list(dict.fromkeys(s for s in SKILL_SEPARATORS.split(text or "") if s))


def _skills(value: str) -> str:
    skills = split_skills(value)
    if len(skills) > MAX_SKILLS:
        raise ValueError(f"最多填写 {MAX_SKILLS} 项技能")
    if any(len(skill) > 20 for skill in skills):
        raise ValueError("每项技能不超过 20 个字")
    return "、".join(skills)


def _months(value: Any) -> Any:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,，、\s]+", value) if part]
    if not isinstance(value, list | tuple):
        return value
    try:
        months = sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise ValueError("月份应为 1 到 12 的数字") from None
    if not months:
        raise ValueError("请至少选择一个可务工月份")
    try:
        return months_to_mask(months)
    except ValueError:
        raise ValueError("月份应为 1 到 12 的数字") from None


# "瓦工，电焊 瓦工" → "瓦工、电焊" (cleaned as one line first; at most MAX_SKILLS, each ≤ 20
# characters).
Skills = Annotated[Text, AfterValidator(_skills)]
# [3, 4, 5] or "3,4,5" → the bit mask of those months (at least one).
Months = Annotated[int, BeforeValidator(_months)]


def months_of(mask: int) -> list[int]:
    return mask_to_months(mask)


def term_months(start_month: int, term: int) -> list[int]:
    """The calendar months a posting's term covers (a term of 12 or more covers every month)."""
    return sorted({(start_month - 1 + i) % 12 + 1 for i in range(min(term, 12))})


# A checkbox: "on", "true", "1" … as pydantic reads them; an empty value is unchecked.
Flag = Annotated[bool, BeforeValidator(lambda value: False if value == "" else value)]
