"""Database refusals told by their real cause, in Chinese.

Integrity errors name the constraint that failed (PostgreSQL: ``diag.constraint_name``; SQLite:
the message) and its kind; a caller maps the constraints it expects to its own message and
everything else gets a truthful generic one, never "duplicate". A number too large for a 64-bit
column (SQLite raises OverflowError, PostgreSQL ``numeric_value_out_of_range``) and NUL in text
(which PostgreSQL refuses) are turned into domain errors before they can become a 500.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine, event

from app.errors import ConflictError, DomainError, NotFoundError, ValidationError

UNIQUE, FOREIGN_KEY, CHECK, NOT_NULL = "unique", "foreign_key", "check", "not_null"
_SQLSTATE_KINDS = {"23505": UNIQUE, "23503": FOREIGN_KEY, "23514": CHECK, "23502": NOT_NULL}
_SQLITE_KINDS = {
    "UNIQUE": UNIQUE,
    "FOREIGN KEY": FOREIGN_KEY,
    "CHECK": CHECK,
    "NOT NULL": NOT_NULL,
    "PRIMARY KEY": UNIQUE,
}
_SQLITE_MESSAGE = re.compile(r"^(UNIQUE|FOREIGN KEY|CHECK|NOT NULL|PRIMARY KEY) constraint failed")
# PostgreSQL: 22003 numeric_value_out_of_range; 22P05 untranslatable_character.
_OUT_OF_RANGE_SQLSTATES = frozenset({"22003"})


@dataclass(frozen=True, slots=True)
class Violation:
    """Which constraint refused a write: ``kind`` is one of UNIQUE, FOREIGN_KEY, CHECK, NOT_NULL
    (None if unknown); ``name`` the constraint's name, or on SQLite (which names only check
    constraints and expression indexes) its columns as "table.column, table.column"."""

    kind: str | None
    name: str | None
    column: str | None = None


def violation(exc: sa.exc.IntegrityError) -> Violation:
    original = exc.orig
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is not None:
        diag = getattr(original, "diag", None)
        return Violation(
            _SQLSTATE_KINDS.get(sqlstate),
            getattr(diag, "constraint_name", None),
            getattr(diag, "column_name", None),
        )
    text = str(original)
    match = _SQLITE_MESSAGE.match(text)
    if match is None:
        return Violation(None, None)
    detail = text[match.end() :].lstrip(": ").strip()
    if detail.startswith("index "):
        detail = detail.removeprefix("index ").strip("'\"")
    column = detail.split(", ")[-1].split(".")[-1] if match[1] == "NOT NULL" else None
    return Violation(_SQLITE_KINDS[match[1]], detail or None, column)


def constraint_keys(table: str, name: str, *columns: str) -> tuple[str, str]:
    """How a unique constraint is named on PostgreSQL (``name``) and on SQLite (its columns)."""
    return name, ", ".join(f"{table}.{column}" for column in columns)


def integrity_error(
    exc: sa.exc.IntegrityError, known: Mapping[str, DomainError] | None = None
) -> DomainError:
    """The domain error for a refused write: ``known`` maps constraint names (PostgreSQL names or
    SQLite column lists, see Violation) to the caller's message; otherwise one by kind."""
    found = violation(exc)
    if known and found.name in known:
        return known[found.name]
    if found.kind == UNIQUE:
        return ConflictError(
            "与已有记录冲突：同样的内容已经存在，请刷新后核对", code="unique_violation"
        )
    if found.kind == FOREIGN_KEY:
        return NotFoundError(
            "引用的记录不存在或已被删除，请刷新后重试", code="foreign_key_violation"
        )
    if found.kind == CHECK:
        return ValidationError("提交的数值不符合规则，未保存", code="check_violation")
    if found.kind == NOT_NULL:
        return ValidationError(
            "缺少必填的内容，未保存", code="not_null_violation", field=found.column
        )
    return ConflictError("数据未能保存：与数据库的完整性规则冲突", code="integrity_violation")


def _refusal(exc: BaseException, statement: str | None) -> DomainError | None:
    """A domain error for a statement the database could not even run, or None."""
    out_of_range = isinstance(exc, OverflowError) or (
        getattr(exc, "sqlstate", None) in _OUT_OF_RANGE_SQLSTATES
    )
    if out_of_range:
        if (statement or "").lstrip().upper().startswith("SELECT"):
            # A number past 2^63 - 1 names no row.
            return NotFoundError("记录不存在", code="not_found")
        return ValidationError("数值超出允许范围，未保存", code="value_out_of_range")
    if "NUL (0x00)" in str(exc):
        return ValidationError("输入不能包含控制字符（NUL）", code="text_control")
    return None


def install(engine: Engine) -> None:
    """Turn out-of-range numbers and NUL characters into domain errors on ``engine``."""

    @event.listens_for(engine, "handle_error")
    def _translate(context) -> None:
        refusal = _refusal(context.original_exception, context.statement)
        if refusal is not None:
            raise refusal from context.original_exception
