"""Bulk imports (数据导入) of villages, enterprises, cooperatives and products from the templates.

Three steps, so that SQLite's one write lock is held only for the writing (decision 0016):

1. ``read_file`` (no session) parses the whole file and every cell; formulas are refused.
2. ``check_file`` (a read-only session is enough) checks every row with the services that own
   its rules and writes nothing; a row may refer to one above it. One pass finds every error of
   every row: any error rejects the whole file with ``ImportRejected``, which carries every error
   by sheet, row and column.
3. ``apply_import`` (the unit of work) writes the checked rows with each service's audit events
   and search-outbox rows, in one transaction, after looking again for codes registered by
   someone else meanwhile. All or nothing: any failure rolls the whole file back.

``import_file`` runs the three in one session (the authorization matrix, tests).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor, Role
from app.errors import ConflictError, DomainError, PermissionDeniedError, ValidationError
from app.permissions import is_system, require
from app.services.imports.cells import (
    FORMULA_REFUSED,
    Sheet,
    UnreadableFile,
    convert,
    is_formula,
    read_sheets,
    text_of,
)
from app.services.imports.columns import (
    KIND_BY_TITLE,
    KIND_ORDER,
    KINDS,
    Column,
    Kind,
    column_letter,
)
from app.services.imports.preview import (
    FieldChange,
    RowChange,
    RowSkipped,
    changed_rows,
    fingerprint,
    skipped_rows,
)
from app.services.imports.records import CHECKERS, Checked, Pending, add_rows, taken_since_checked

__all__ = [
    "KINDS",
    "CheckedImport",
    "FieldChange",
    "ImportRejected",
    "ImportResult",
    "ParsedFile",
    "RowChange",
    "RowError",
    "RowSkipped",
    "UnreadableFile",
    "apply_import",
    "can_import",
    "check_file",
    "import_file",
    "read_file",
]

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
    updated: dict[str, int] = field(default_factory=dict)  # kind → organisations changed
    skipped: int = 0  # rows not written (pending or rejected organisations)

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


@dataclass(frozen=True, slots=True)
class ParsedRow:
    number: int  # the spreadsheet's row number
    data: dict  # the service's input, every cell converted


@dataclass
class ParsedSheet:
    kind: Kind
    name: str
    positions: dict[str, int]  # field → column index
    rows: list[ParsedRow] = field(default_factory=list)


@dataclass
class ParsedFile:
    """Every template sheet of a file, read and converted; the errors found in its cells."""

    sheets: list[ParsedSheet]
    errors: list[RowError]

    @property
    def size(self) -> int:
        return sum(len(sheet.rows) for sheet in self.sheets)


@dataclass
class CheckedImport:
    """Every row of a file, checked for ``actor`` and ready to write."""

    actor: Actor
    rows: list[Checked]
    counts: dict[str, int]  # kind → new rows
    changed: list[RowChange] = field(default_factory=list)  # registered organisations updated
    skipped: list[RowSkipped] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """What a preview showed; a commit writes only if checking again gives the same."""
        return fingerprint(self.rows)

    @property
    def updated(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            if row.update is not None and row.update.changes:
                counts[row.kind] = counts.get(row.kind, 0) + 1
        return counts

    @property
    def needs_preview(self) -> bool:
        """True when the file changes or skips registered data (a re-imported ledger)."""
        return bool(self.changed or self.skipped)


def import_file(
    *,
    session: Session,
    actor: Actor,
    source: str | Path | IO[bytes],
    filename: str,
    kind: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, check and write a file in one session (adapters run the three steps apart)."""
    require(can_import(actor))
    parsed = read_file(source, filename, kind)
    checked = check_file(session=session, actor=actor, parsed=parsed, progress=progress)
    return apply_import(session=session, actor=actor, checked=checked)


def read_file(source: str | Path | IO[bytes], filename: str, kind: str | None = None) -> ParsedFile:
    """Parse every template sheet of an XLSX workbook (or one CSV table of ``kind``); no session.

    ImportRejected when no sheet is a template's; cell errors are kept for ``check_file``.
    """
    errors: list[RowError] = []
    with read_sheets(source, filename) as sheets:
        chosen = _chosen(sheets, kind)
        if not chosen:
            names = "、".join(k.title for k in KINDS.values())
            message = f"没有可导入的工作表（{names}）"
            raise ImportRejected([RowError(filename, 1, WHOLE_ROW, WHOLE_ROW, message)])
        ordered = sorted(chosen, key=lambda pair: KIND_ORDER.index(pair[0].key))
        parsed = [_read_sheet(found, sheet, errors) for found, sheet in ordered]
    return ParsedFile(parsed, errors)


def check_file(
    *, session: Session, actor: Actor, parsed: ParsedFile, progress: Progress | None = None
) -> CheckedImport:
    """Check every row with its service, writing nothing; ImportRejected with every error."""
    require(can_import(actor))
    errors, rows, pending = list(parsed.errors), [], Pending()
    counts = {sheet.kind.key: 0 for sheet in parsed.sheets}
    done, total = 0, parsed.size
    for sheet in parsed.sheets:
        check = CHECKERS[sheet.kind.key]
        for row in sheet.rows:
            try:
                checked = check(session, actor, dict(row.data), pending, sheet.name, row.number)
                rows.append(checked)
                counts[sheet.kind.key] += checked.is_new
            except PermissionDeniedError:
                # A row outside the officer's region refuses the whole file, like any other action.
                raise
            except DomainError as exc:
                errors.extend(
                    _locate(sheet.name, row.number, sheet.kind, sheet.positions, e)
                    for e in getattr(exc, "errors", None) or [exc]
                )
            done += 1
            if progress is not None:
                progress(done, total)
    if errors:
        # In the file's order: a row's cell errors and its rule errors never both occur.
        order = {sheet.name: i for i, sheet in enumerate(parsed.sheets)}
        raise ImportRejected(sorted(errors, key=lambda e: (order.get(e.sheet, -1), e.row)))
    return CheckedImport(actor, rows, counts, changed_rows(session, rows), skipped_rows(rows))


def apply_import(
    *, session: Session, actor: Actor, checked: CheckedImport, previewed: str | None = None
) -> ImportResult:
    """Write the checked rows in the caller's unit of work; nothing of them if anything fails.

    The rows were checked (region included) for ``checked.actor``, who alone may write them.
    ``previewed``: the fingerprint of the preview the officer confirmed; the file, checked again
    now, must give the same (else ConflictError, nothing written).
    """
    require(can_import(actor) and checked.actor == actor)
    if previewed is not None and previewed != checked.fingerprint:
        raise ConflictError(
            "预览之后数据已有变化，未导入任何数据，请重新预览后再确认", code="import_stale"
        )
    taken = taken_since_checked(session, checked.rows)
    if taken:
        raise ImportRejected([_taken(row, name) for row, name in taken])
    try:
        add_rows(session, actor, checked.rows)
    except sa.exc.IntegrityError:
        raise ConflictError(
            "导入期间数据已被他人修改，未导入任何数据，请重新导入", code="import_conflict"
        ) from None
    return ImportResult(dict(checked.counts), checked.updated, len(checked.skipped))


def _taken(row: Checked, name: str) -> RowError:
    label = "村级统计代码" if name == "code" else "统一社会信用代码"
    return RowError(row.sheet, row.row, label, WHOLE_ROW, f"{label}刚被他人登记，请核对后重新导入")


def _chosen(sheets: list[Sheet], kind: str | None) -> list[tuple[Kind, Sheet]]:
    """Sheets named after a kind; with ``kind`` given, its sheet (or else the first one)."""
    if kind is None:
        return [(KIND_BY_TITLE[s.title], s) for s in sheets if s.title in KIND_BY_TITLE]
    matching = [s for s in sheets if s.title == KINDS[kind].title]
    return [(KINDS[kind], s) for s in (matching or sheets[:1])]


def _read_sheet(kind: Kind, sheet: Sheet, errors: list[RowError]) -> ParsedSheet:
    name = sheet.title or kind.title
    header = next(sheet.rows, None) or ()
    positions = _positions(kind, [text_of(v) for v in header])
    parsed = ParsedSheet(kind, name, positions)
    missing = [c for c in kind.columns if c.required and c.field not in positions]
    if missing:
        for column in missing:
            errors.append(RowError(name, 1, column.header, WHOLE_ROW, "缺少这一列"))
        return parsed
    for number, values in enumerate(sheet.rows, start=2):
        cells = {f: text_of(values[i]) if i < len(values) else "" for f, i in positions.items()}
        if not any(cells.values()):
            continue
        data, problems = _convert_row(kind, cells)
        errors.extend(_locate(name, number, kind, positions, e) for e in problems)
        if not problems:
            parsed.rows.append(ParsedRow(number, data))
    return parsed


def _positions(kind: Kind, headers: list[str]) -> dict[str, int]:
    by_header = {c.header: c.field for c in kind.columns}
    return {by_header[h]: i for i, h in enumerate(headers) if h in by_header}


def _convert_row(kind: Kind, cells: dict[str, str]) -> tuple[dict, list[DomainError]]:
    data, problems = {}, []
    for column in kind.columns:
        text = cells.get(column.field, "")
        if is_formula(text):
            problems.append(ValidationError(FORMULA_REFUSED, code="formula", field=column.field))
            continue
        if not text:
            if column.required:
                problems.append(ValidationError(f"请填写{column.header}", field=column.field))
            continue
        try:
            data[column.field] = convert(column, text)
        except DomainError as exc:
            problems.append(exc)
    return data, problems


def _locate(sheet: str, row: int, kind: Kind, positions, error: DomainError) -> RowError:
    column: Column | None = next((c for c in kind.columns if c.field == error.field), None)
    if error.field == "village_id":  # the service's field for the cooperative's village
        column = next(c for c in kind.columns if c.field == "village_code")
    if column is None or column.field not in positions:
        return RowError(sheet, row, WHOLE_ROW, WHOLE_ROW, error.message)
    letter = column_letter(positions[column.field])
    return RowError(sheet, row, column.header, letter, error.message)
