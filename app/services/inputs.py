"""Validate input models and turn pydantic's errors into Chinese field errors.

The shared field types below are where every entry path (pages, GraphQL, imports, the command
line) gets the same bounds: text without control characters, dates in a sane range, ids that fit
a 64-bit column. Limits and their arithmetic: docs/decisions/0020-input-bounds.md.
"""

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, TypeVar

import pydantic
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from app.errors import ConflictError, DomainError, NotFoundError, ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)

# Row ids are signed 64-bit on both databases; a larger number names no row.
MAX_ID = 2**63 - 1
# People counted in one field (a village's population, a cooperative's members, jobs).
MAX_HEADCOUNT = 1_000_000
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# Embedding/override/isolate controls reorder how text is shown ("Trojan source" names).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that show nothing yet are not whitespace or format characters to Python.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e")


def _is_invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return (
        char.isspace()
        or category == "Cf"
        or char in _BLANK_LETTERS
        or "\ufe00" <= char <= "\ufe0f"
        or "\U000e0100" <= char <= "\U000e01ef"
    )


def _refuse_controls(text: str, *, allowed: str) -> None:
    for char in text:
        if char in allowed:
            continue
        if char in _BIDI_CONTROLS:
            raise PydanticCustomError("text_bidi", "bidirectional control character")
        category = unicodedata.category(char)
        # Cc: C0, DEL and C1 (NUL among them, which PostgreSQL refuses in text); Cs: lone
        # surrogates, which cannot be encoded; Zl/Zp: line breaks in a one-line field.
        if category in ("Cc", "Cs") or (category in ("Zl", "Zp") and "\n" not in allowed):
            raise PydanticCustomError("text_control", "control character")


def _is_edge_blank(char: str) -> bool:
    # Spaces, line ends and zero-width format characters are trimmed; a trailing variation
    # selector belongs to its character (❤️) and a bidi control is refused, not hidden.
    category = unicodedata.category(char)
    return (
        char in " \t\n\r"
        or category in ("Zs", "Zl", "Zp")
        or (category == "Cf" and char not in _BIDI_CONTROLS)
    )


def _clean(value: Any, *, multiline: bool) -> Any:
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.strip("".join(c for c in set(text) if _is_edge_blank(c)))
    _refuse_controls(text, allowed="\n\t" if multiline else "")
    if all(_is_invisible(char) for char in text):
        return ""
    return text


def _clean_line(value: Any) -> Any:
    return _clean(value, multiline=False)


def _clean_lines(value: Any) -> Any:
    return _clean(value, multiline=True)


def _in_date_range(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError("date_out_of_range", "date out of range")
    return value


def _row_id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        raise PydanticCustomError("id_not_found", "no such row")
    return value


# One line of text: NFC, trimmed (also of invisible characters), no control characters; a
# value made only of invisible characters reads as empty.
Text = Annotated[str, BeforeValidator(_clean_line)]
# The same for text areas, which keep their line breaks (\r\n read as \n) and tabs.
MultilineText = Annotated[str, BeforeValidator(_clean_lines)]
# A calendar date between EARLIEST_DATE and LATEST_DATE.
BoundedDate = Annotated[date, AfterValidator(_in_date_range)]
# A row id chosen in a form: outside 1..2^63-1 it names nothing.
RowId = Annotated[int, AfterValidator(_row_id)]


def clean_text(value: str, *, multiline: bool = False, label: str = "内容", field=None) -> str:
    """``Text``/``MultilineText`` for a service argument outside an input model."""
    try:
        return _clean(value, multiline=multiline)
    except PydanticCustomError as exc:
        raise ValidationError(_MESSAGES[exc.type](label, {}), code=exc.type, field=field) from None


def check_row_id(value: int | None) -> bool:
    """Whether ``value`` can name a row at all (larger numbers overflow the database's integer)."""
    return value is not None and 0 < value <= MAX_ID


class InputErrors(ValidationError):
    """Several fields are wrong at once; ``errors`` holds one ValidationError per field."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, code=errors[0].code, field=errors[0].field)
        self.errors = errors


class ErrorCollector:
    """Every problem of a form at once: run each independent check through ``check`` (its
    errors are kept, and it answers None), then ``raise_any`` raises them together as
    InputErrors, one per field (the first found), or does nothing when all passed.

    A form reports all its problems in one answer only if its checks after the input model
    (a credit code's check digit, a name already taken, a county that does not exist) do not
    stop at the first; this is how they don't.
    """

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def check(self, function, /, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (ValidationError, NotFoundError, ConflictError) as exc:
            if exc.field is None and not hasattr(exc, "errors"):
                raise  # not about the form's input (a stale version, a missing record)
            self.add(exc)
            return None

    def add(self, exc: DomainError) -> None:
        self.errors.extend(getattr(exc, "errors", [exc]))

    def fields(self) -> set[str | None]:
        return {error.field for error in self.errors}

    def raise_any(self) -> None:
        if not self.errors:
            return
        first: dict[str | None, DomainError] = {}
        for error in self.errors:
            first.setdefault(error.field, error)
        errors = list(first.values())
        if len(errors) == 1 and not isinstance(errors[0], ValidationError):
            raise errors[0]  # a lone conflict stays a ConflictError (a lone NotFoundError too)
        raise InputErrors(errors)


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate ``data`` into ``model`` or raise InputErrors with a Chinese message per field."""
    try:
        return model.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        raise InputErrors([_field_error(model, err) for err in exc.errors()]) from None


def _too_short(label: str, ctx: dict) -> str:
    if ctx.get("min_length") == 1:
        return f"{label}不能为空"
    return f"{label}至少 {ctx.get('min_length')} 个字符"


def _date(label: str, ctx: dict) -> str:
    return f"{label}应为日期，如 2026-11-29"


_MESSAGES = {
    "missing": lambda label, ctx: f"请填写{label}",
    "string_too_short": _too_short,
    "string_too_long": lambda label, ctx: f"{label}不能超过 {ctx.get('max_length')} 个字符",
    "too_short": lambda label, ctx: (
        f"请至少选择一项{label}"
        if ctx.get("min_length") == 1
        else f"{label}至少 {ctx.get('min_length')} 项"
    ),
    "int_parsing": lambda label, ctx: f"{label}应为整数",
    # A choice left empty (a select's "请选择") asks for it instead of calling it invalid.
    "missing_choice": lambda label, ctx: f"请选择{label}",
    "missing_number": lambda label, ctx: f"请填写{label}",
    "int_parsing_size": lambda label, ctx: f"{label}超出允许范围",
    "int_type": lambda label, ctx: f"{label}应为整数",
    "int_from_float": lambda label, ctx: f"{label}应为整数",
    "greater_than_equal": lambda label, ctx: f"{label}不能小于 {ctx.get('ge')}",
    "greater_than": lambda label, ctx: f"{label}应大于 {ctx.get('gt')}",
    "less_than_equal": lambda label, ctx: f"{label}不能大于 {ctx.get('le')}",
    "less_than": lambda label, ctx: f"{label}应小于 {ctx.get('lt')}",
    "date_parsing": _date,
    "date_from_datetime_parsing": _date,
    "date_from_datetime_inexact": _date,
    "date_type": _date,
    "enum": lambda label, ctx: f"请从列表中选择{label}",
    "literal_error": lambda label, ctx: f"请从列表中选择{label}",
    "bool_parsing": lambda label, ctx: f"{label}应为“是”或“否”",
    "string_type": lambda label, ctx: f"{label}应为文字",
    "text_control": lambda label, ctx: f"{label}不能包含控制字符",
    "text_bidi": lambda label, ctx: f"{label}不能包含改变文字方向的控制字符",
    "date_out_of_range": lambda label, ctx: (
        f"{label}应在 {EARLIEST_DATE.isoformat()} 至 {LATEST_DATE.isoformat()} 之间"
    ),
    "id_not_found": lambda label, ctx: f"{label}不存在",
}


def _field_error(model: type[pydantic.BaseModel], err: Any) -> ValidationError:
    field = str(err["loc"][0]) if err["loc"] else None
    info = model.model_fields.get(field) if field else None
    label = (info.title if info and info.title else field) or "输入"
    ctx = err.get("ctx") or {}
    kind = err["type"]
    blank = isinstance(err.get("input"), str) and not err["input"].strip()
    if blank and kind in ("enum", "literal_error"):
        kind = "missing_choice"
    elif blank and kind in ("int_parsing", "float_parsing", "decimal_parsing"):
        kind = "missing_number"
    if kind == "value_error":
        message = str(ctx.get("error") or err["msg"]).removeprefix("Value error, ")
    elif kind in _MESSAGES:
        message = _MESSAGES[kind](label, ctx)
    else:
        message = f"{label}格式不正确"
    return ValidationError(message, code=kind, field=field)
