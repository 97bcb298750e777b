"""Bulk imports (数据导入) of villages, enterprises, cooperatives and products from the templates.

Every row is checked by the service that owns its rules, each inside a savepoint, so one pass
finds every error of every row (and a row may refer to one above it). Any error rejects the whole
file: ``ImportRejected`` carries every error by sheet, row and column, and the caller's unit of
work rolls back, so nothing is written. A file without errors is written in that one
transaction, with each service's audit events and search-outbox rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlmodel import Session

from app.actors import Actor, Role
from app.errors import DomainError, PermissionDeniedError, ValidationError
from app.permissions import is_system, require
from app.services.imports.cells import Sheet, convert, read_sheets, text_of
from app.services.imports.columns import (
    KIND_BY_TITLE,
    KIND_ORDER,
    KINDS,
    Column,
    Kind,
    column_letter,
)
from app.services.imports.records import WRITERS

__all__ = ["KINDS", "ImportRejected", "ImportResult", "RowError", "can_import", "import_file"]

Progress = Callable[[int, int | None], None]
WHOLE_ROW = "—"


@dataclass(frozen=True, slots=True)
class RowError:
    sheet: str
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str  # the column's header, or — when the error concerns the whole row
    letter: str  # the column's letter (A, B, …), or — as above
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (
            f"“{self.column}”列（{self.letter} 列）" if self.letter != WHOLE_ROW else ""
        )
        return f"{self.sheet} {where}：{self.message}"


@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)  # kind → rows written

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ImportRejected(ValidationError):
    """The file has errors; nothing of it was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"文件有 {len(errors)} 处错误，未导入任何数据", code="import_rejected")
        self.row_errors = errors


def can_import(actor: Actor) -> bool:
    """Bureau officers (each row is then checked against their region) and the operator's CLI."""
    return actor.role == Role.bureau or is_system(actor)


def import_file(
    *,
    session: Session,
    actor: Actor,
    source: str | Path | IO[bytes],
    filename: str,
    kind: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import every template sheet of an XLSX workbook (or one CSV table of ``kind``)."""
    require(can_import(actor))
    result, errors = ImportResult(), []
    with read_sheets(source, filename) as sheets:
        chosen = _chosen(sheets, kind)
        if not chosen:
            names = "、".join(k.title for k in KINDS.values())
            message = f"没有可导入的工作表（{names}）"
            raise ImportRejected([RowError(filename, 1, WHOLE_ROW, WHOLE_ROW, message)])
        done = 0
        for found, sheet in sorted(chosen, key=lambda pair: KIND_ORDER.index(pair[0].key)):
            written, done = _import_sheet(session, actor, found, sheet, errors, progress, done)
            result.counts[found.key] = written
    if errors:
        raise ImportRejected(errors)
    return result


def _chosen(sheets: list[Sheet], kind: str | None) -> list[tuple[Kind, Sheet]]:
    """Sheets named after a kind; with ``kind`` given, its sheet (or else the first one)."""
    if kind is None:
        return [(KIND_BY_TITLE[s.title], s) for s in sheets if s.title in KIND_BY_TITLE]
    matching = [s for s in sheets if s.title == KINDS[kind].title]
    return [(KINDS[kind], s) for s in (matching or sheets[:1])]


def _import_sheet(session, actor, kind: Kind, sheet: Sheet, errors, progress, done):
    name = sheet.title or kind.title
    header = next(sheet.rows, None) or ()
    positions = _positions(kind, [text_of(v) for v in header])
    missing = [c for c in kind.columns if c.required and c.field not in positions]
    if missing:
        for column in missing:
            errors.append(RowError(name, 1, column.header, WHOLE_ROW, "缺少这一列"))
        return 0, done
    written = 0
    for number, values in enumerate(sheet.rows, start=2):
        cells = {f: text_of(values[i]) if i < len(values) else "" for f, i in positions.items()}
        if any(cells.values()):
            row_errors = _import_row(session, actor, kind, cells)
            errors.extend(_locate(name, number, kind, positions, e) for e in row_errors)
            written += not row_errors
        done += 1
        if progress is not None:
            progress(done, sheet.size)
    return written, done


def _positions(kind: Kind, headers: list[str]) -> dict[str, int]:
    by_header = {c.header: c.field for c in kind.columns}
    return {by_header[h]: i for i, h in enumerate(headers) if h in by_header}


def _import_row(session, actor, kind: Kind, cells: dict[str, str]) -> list[DomainError]:
    data, problems = {}, []
    for column in kind.columns:
        text = cells.get(column.field, "")
        if not text:
            if column.required:
                problems.append(ValidationError(f"请填写{column.header}", field=column.field))
            continue
        try:
            data[column.field] = convert(column, text)
        except DomainError as exc:
            problems.append(exc)
    if problems:
        return problems
    savepoint = session.begin_nested()
    try:
        WRITERS[kind.key](session, actor, data)
        session.flush()
    except PermissionDeniedError:
        # A row outside the officer's region refuses the whole file, like any other action.
        savepoint.rollback()
        raise
    except DomainError as exc:
        savepoint.rollback()
        return list(getattr(exc, "errors", None) or [exc])
    savepoint.commit()
    return []


def _locate(sheet: str, row: int, kind: Kind, positions, error: DomainError) -> RowError:
    column: Column | None = next((c for c in kind.columns if c.field == error.field), None)
    if error.field == "village_id":  # the service's field for the cooperative's village
        column = next(c for c in kind.columns if c.field == "village_code")
    if column is None or column.field not in positions:
        return RowError(sheet, row, WHOLE_ROW, WHOLE_ROW, error.message)
    letter = column_letter(positions[column.field])
    return RowError(sheet, row, column.header, letter, error.message)
