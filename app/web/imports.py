"""The bulk import page (数据导入): templates to download, an upload, every error by row and column.

An upload is parsed, checked with a read-only session, then written in one short unit of work; a
file with any error writes nothing and comes back (422) with the table of its errors. A file that
changes registered organisations (a re-imported ledger) is first shown as a preview of every
changed field; the officer confirms it (POST /imports/confirm) and the file, checked again, is
written only if nothing moved since the preview.
"""

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.services import imports
from app.services.filenames import clean_filename
from app.services.imports import staging
from app.services.imports.templates import template_workbook
from app.web.downloads import attachment
from app.web.flash import flash
from app.web.forms import in_unit_of_work, read_only, redirect
from app.web.pages import gate, unless_fixable
from app.web.templating import render

ZIP_SIGNATURE = b"PK\x03\x04"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ERRORS_SHOWN = 500


def _context(values: dict, errors: list, message: str | None = None) -> dict:
    return {
        "kinds": imports.KINDS,
        "values": values,
        "row_errors": errors[:MAX_ERRORS_SHOWN],
        "error_count": len(errors),
        "message": message,
    }


async def import_page(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    return render(request, "imports/index.html", _context({}, []), partial="imports/_form.html")


async def template(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in imports.KINDS:
        raise HTTPException(404)
    name = f"{imports.KINDS[kind].title}导入模板.xlsx"
    return Response(
        template_workbook(kind), media_type=XLSX, headers={"Content-Disposition": attachment(name)}
    )


async def upload(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    # The form closes its uploaded (spooled) file when the block ends.
    async with request.form() as form:
        return await _import(request, actor, form.get("file"), form.get("kind") or None)


async def _import(request: Request, actor, file, kind: str | None) -> Response:
    values = {"kind": kind or ""}
    if not isinstance(file, UploadFile) or not file.filename:
        return _rejected(request, values, [], "请选择要导入的 XLSX 或 CSV 文件")
    if kind is not None and kind not in imports.KINDS:
        return _rejected(request, values, [], "请选择数据类型")
    if not file.filename.lower().endswith((".xlsx", ".csv")):
        return _rejected(request, values, [], "只能导入 XLSX 或 CSV 文件")
    # The parser follows what the bytes are (a ZIP container is XLSX), not what the name says.
    head = file.file.read(len(ZIP_SIGNATURE))
    file.file.seek(0)
    extension = ".xlsx" if head == ZIP_SIGNATURE else ".csv"
    filename = clean_filename(file.filename, extension=extension, default="导入文件")

    try:
        # Parsed, then checked with a read-only session; only the writing holds the write lock.
        parsed = await run_in_threadpool(imports.read_file, file.file, filename, kind)
        checked = await read_only(
            request, lambda s: imports.check_file(session=s, actor=actor, parsed=parsed)
        )
        if checked.needs_preview:
            file.file.seek(0)
            kept = await run_in_threadpool(
                staging.stage, _uploads(request), actor, file.file, filename, kind
            )
            return _preview(request, checked, kept.token)
        result = await in_unit_of_work(
            request, lambda s: imports.apply_import(session=s, actor=actor, checked=checked)
        )
    except imports.ImportRejected as exc:
        return _rejected(request, values, exc.row_errors, exc.message)
    except DomainError as exc:
        unless_fixable(exc)
        return _rejected(request, values, [], exc.message)
    return _done(request, result)


async def confirm(request: Request) -> Response:
    """Write a previewed file, checked again; only if it would do what the preview showed."""
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    async with request.form() as form:
        token, seen = str(form.get("token") or ""), str(form.get("fingerprint") or "")
    uploads = _uploads(request)
    try:
        kept = staging.staged(uploads, actor, token)
        parsed = await run_in_threadpool(imports.read_file, kept.path, kept.filename, kept.kind)
        checked = await read_only(
            request, lambda s: imports.check_file(session=s, actor=actor, parsed=parsed)
        )
        result = await in_unit_of_work(
            request,
            lambda s: imports.apply_import(session=s, actor=actor, checked=checked, previewed=seen),
        )
    except imports.ImportRejected as exc:
        return _rejected(request, {}, exc.row_errors, exc.message)
    except DomainError as exc:
        if exc.code != "import_expired":
            unless_fixable(exc)
        return _rejected(request, {}, [], exc.message)
    await run_in_threadpool(staging.discard, uploads, token)
    return _done(request, result)


def _uploads(request: Request) -> Path:
    return Path(request.app.state.settings.upload_dir)


def _done(request: Request, result) -> Response:
    flash(request, f"导入成功：{summary(result)}", level="success")
    return redirect("/imports", request)


def summary(result) -> str:
    """新增 and 更新 counts by kind, and the rows skipped."""
    titles = {key: spec.title for key, spec in imports.KINDS.items()}
    parts = [f"{titles[k]} {n} 条" for k, n in result.counts.items()]
    parts += [f"更新{titles[k]} {n} 个" for k, n in result.updated.items()]
    if result.skipped:
        parts.append(f"跳过 {result.skipped} 行")
    return "，".join(parts)


def _preview(request: Request, checked, token: str) -> Response:
    context = _context({}, [], None) | {
        "checked": checked,
        "token": token,
        "titles": {key: spec.title for key, spec in imports.KINDS.items()},
    }
    return render(request, "imports/index.html", context, partial="imports/_preview.html")


def _rejected(request: Request, values: dict, errors: list, message: str) -> Response:
    context = _context(values, errors, message)
    return render(
        request, "imports/index.html", context, partial="imports/_form.html", status_code=422
    )
