"""What an import will do, before it does it: the field-level changes of registered organisations
(a re-imported directory sheet), the rows it skips, and a fingerprint of all of it.

The preview is shown (page, GraphQL) and its fingerprint carried to the commit, which checks the
file again and writes only if the fingerprint is unchanged: what is written is what was shown.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.models import Village
from app.models.flags import from_mask
from app.money import fen_to_yuan
from app.services.imports.columns import FLAG_FALSE, FLAG_TRUE, KINDS, LIST_SEPARATOR, Cell
from app.services.imports.records import Checked


@dataclass(frozen=True, slots=True)
class FieldChange:
    column: str  # the sheet's header
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class RowChange:
    """A registered organisation a row updates, with every field it changes."""

    sheet: str
    row: int
    kind: str
    name: str
    credit_code: str
    changes: list[FieldChange]
    note: str  # e.g. that the registration status stays as it is


@dataclass(frozen=True, slots=True)
class RowSkipped:
    sheet: str
    row: int
    reason: str


def changed_rows(session: Session, rows: list[Checked]) -> list[RowChange]:
    """Every updating row (an unchanged one too, so the preview says it matched)."""
    found = []
    for row in rows:
        if row.update is None:
            continue
        changes = [
            FieldChange(*_describe(session, row.kind, field, before, after))
            for field, (before, after) in row.update.changes.items()
        ]
        found.append(
            RowChange(
                row.sheet,
                row.row,
                KINDS[row.kind].title,
                row.update.name,
                row.obj.credit_code,
                changes,
                row.note,
            )
        )
    return found


def skipped_rows(rows: list[Checked]) -> list[RowSkipped]:
    return [RowSkipped(r.sheet, r.row, r.skipped) for r in rows if r.skipped]


def fingerprint(rows: list[Checked]) -> str:
    """A digest of what the import would write: new rows, every change, skipped rows."""
    parts = []
    for row in rows:
        if row.update is not None:
            changes = sorted((f, _plain(b), _plain(a)) for f, (b, a) in row.update.changes.items())
            parts.append(["update", row.kind, row.update.id, changes])
        elif row.skipped:
            parts.append(["skip", row.kind, row.sheet, row.row])
        else:
            parts.append(["new", row.kind, row.sheet, row.row, _key(row)])
    text = json.dumps(parts, ensure_ascii=False, default=str, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _key(row: Checked) -> str:
    obj = row.obj
    return str(getattr(obj, "credit_code", None) or getattr(obj, "code", None) or obj.name)


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)


def _describe(session: Session, kind: str, field: str, before, after) -> tuple[str, str, str]:
    if field == "village_id":
        return ("所在村统计代码", _village_code(session, before), _village_code(session, after))
    column = next(c for c in KINDS[kind].columns if c.field == field)
    return column.header, _text(column, before), _text(column, after)


def _village_code(session: Session, village_id: int | None) -> str:
    village = session.get(Village, village_id) if village_id is not None else None
    return village.code if village is not None else ""


def _text(column, value) -> str:
    if value is None or value == "":
        return "（空）"
    if column.cell == Cell.flag:
        return FLAG_TRUE if value else FLAG_FALSE
    if column.cell == Cell.yuan:
        return str(fen_to_yuan(value))
    if column.cell == Cell.choice:
        return column.labels.get(value, str(value))
    if column.cell == Cell.choices:
        members = from_mask(value, type(next(iter(column.labels))))
        return LIST_SEPARATOR.join(column.labels[m] for m in members) or "（空）"
    return str(value)
