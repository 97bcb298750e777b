"""Official identifiers: 统一社会信用代码 (GB 32100-2015), county (GB/T 2260) and village codes."""

import re

from app.errors import ValidationError

# GB 32100-2015 code characters: digits and capitals without I, O, Z, S, V.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CHAR_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_CHARS)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_CREDIT_CODE_SHAPE = re.compile(rf"^[{CREDIT_CODE_CHARS}]{{18}}$")
_COUNTY_CODE_SHAPE = re.compile(r"^\d{6}$")
_VILLAGE_CODE_SHAPE = re.compile(r"^\d{12}$")


def credit_code_check_char(first17: str) -> str:
    """Return the 18th (check) character for the first 17 characters of a credit code."""
    total = sum(_CHAR_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(raw: str, *, field: str = "credit_code") -> str:
    """Validate a 统一社会信用代码 and return it upper-cased, or raise ValidationError."""
    code = (raw or "").strip().upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为 18 位", code="credit_code_length", field=field)
    if not _CREDIT_CODE_SHAPE.match(code):
        raise ValidationError(
            "统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）",
            code="credit_code_chars",
            field=field,
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            "统一社会信用代码校验位不正确，请核对后重新输入", code="credit_code_check", field=field
        )
    return code


def normalize_county_code(raw: str, *, field: str = "county_code") -> str:
    """Validate the shape of a 6-digit GB/T 2260 county code."""
    code = (raw or "").strip()
    if not _COUNTY_CODE_SHAPE.match(code) or code.endswith("00"):
        raise ValidationError(
            "县级行政区划代码应为 6 位数字（GB/T 2260），且不能以 00 结尾",
            code="county_code_invalid",
            field=field,
        )
    return code


def normalize_village_code(raw: str, *, county_code: str, field: str = "code") -> str:
    """Validate a 12-digit village code and that it lies inside ``county_code``."""
    code = (raw or "").strip()
    if not _VILLAGE_CODE_SHAPE.match(code):
        raise ValidationError(
            "村级统计代码应为 12 位数字", code="village_code_invalid", field=field
        )
    if not code.startswith(county_code):
        raise ValidationError(
            f"村级统计代码应以所属县的代码 {county_code} 开头",
            code="village_code_county_mismatch",
            field=field,
        )
    return code
