"""Personal information (个人信息保护法): public free text free of phone and ID numbers, and the
version of the personal-information notice (个人信息处理说明) a registration consents to.

Text that anyone may read — a village's profile and needs, an organisation's introduction, a
product's description, a demand — is refused when it holds a mainland mobile number, a landline
with its area code or an 18-digit resident ID number with a valid check digit. Digits may be
written with spaces or dashes between them or in full-width form; both are undone first. Credit
codes (统一社会信用代码), prices, dates and quantities are not numbers of these shapes
(docs/decisions/0019-personal-information.md).
"""

import re
import unicodedata
from datetime import date
from typing import Annotated

from pydantic import AfterValidator

from app.services.inputs import MultilineText, Text

# Bump when /privacy changes in substance: consents record the version they agreed to.
NOTICE_VERSION = "2026-12-07"

PERSONAL_NUMBER_MESSAGE = (
    "公开内容中不能包含手机号、固定电话或身份证号，请删除后再提交（联系方式请填在“联系电话”中）"
)

# A run of digits that may be broken by single spaces or dashes, not touching a letter or digit.
_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z])(?:\+\s?)?[0-9](?:[ \-]?[0-9])*[Xx]?(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?:86)?1[3-9]\d{9}")
# Area code 0xx or 0xxx, then a 7- or 8-digit number.
_LANDLINE = re.compile(r"0[1-9]\d{1,2}[2-9]\d{6,7}")
_RESIDENT_ID = re.compile(r"[1-8]\d{5}(19|20)\d{2}\d{2}\d{2}\d{3}[\dX]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_valid(number: str) -> bool:
    """An 18-digit resident ID number (GB 11643): a real birth date and a matching check digit."""
    number = number.upper()
    if not _RESIDENT_ID.fullmatch(number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born > date.today():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def personal_numbers(text: str) -> list[str]:
    """The phone and resident ID numbers written in ``text`` (as written)."""
    normal = unicodedata.normalize("NFKC", text or "")
    # (0359)1234567: an area code in brackets is read like 0359-1234567.
    normal = re.sub(r"\(\s?(0\d{2,3})\s?\)\s?", r"\1-", normal)
    found = []
    for match in _DIGIT_RUN.finditer(normal):
        digits = re.sub(r"[^0-9Xx]", "", match.group()).upper()
        if digits.endswith("X"):
            hit = resident_id_valid(digits)
        else:
            hit = bool(
                _MOBILE.fullmatch(digits)
                or _LANDLINE.fullmatch(digits)
                or resident_id_valid(digits)
            )
        if hit:
            found.append(match.group().strip())
    return found


def no_personal_numbers(value: str) -> str:
    """A pydantic validator: refuse public text holding a phone or resident ID number."""
    if isinstance(value, str) and personal_numbers(value):
        raise ValueError(PERSONAL_NUMBER_MESSAGE)
    return value


# Published free text: use these in input models instead of ``Text`` / ``MultilineText``. The
# shared cleaning (NFC, no control or bidi characters, invisible-only is empty) runs first.
PublicText = Annotated[MultilineText, AfterValidator(no_personal_numbers)]
PublicLine = Annotated[Text, AfterValidator(no_personal_numbers)]
