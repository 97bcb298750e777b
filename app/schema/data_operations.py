"""Ledger exports and bulk imports over GraphQL (the pages: /exports and /imports).

Export: ``startLedgerExport`` queues the export (a background job, as the page does); the client
follows it with ``ledgerExport(id)`` until ``status`` is ``done`` and then downloads
``downloadUrl`` (the page's download route, with the same session or API token).

Import: ``previewImport`` uploads a file (base64), reads and checks every row, writes nothing and
keeps the file under a token; its answer lists the new rows, every changed field of registered
organisations and the skipped rows. ``commitImport`` with that token and the preview's fingerprint
checks the file again and writes it only if it would still do what the preview showed.
"""

import io
from typing import Annotated

import strawberry

from app.errors import DomainError, ValidationError
from app.permissions import require
from app.schema.context import Info
from app.schema.errors import UserError, require_signed_in, user_errors
from app.schema.payloads import Input, decode_file
from app.services import imports, ledger
from app.services.filenames import clean_filename
from app.services.imports import staging

MAX_IMPORT_BYTES = 8 * 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"


@strawberry.type(description="一次台账导出：进度，完成后的下载地址")
class LedgerExport:
    id: int = strawberry.field(description="导出任务编号")
    status: str = strawberry.field(
        description="状态：queued 排队中、running 导出中、done 已完成、failed 失败"
    )
    format: str = strawberry.field(description="格式：xlsx 或 csv（CSV 为 ZIP 压缩包）")
    file_name: str = strawberry.field(description="文件名")
    rows_done: int = strawberry.field(description="已写出的行数")
    rows_total: int = strawberry.field(description="总行数")
    error: str = strawberry.field(description="失败原因；未失败时为空")
    download_url: str | None = strawberry.field(description="完成后的下载路径；未完成时为空")


def _export(job) -> LedgerExport:
    done = job.status == "done" and bool(job.storage_key)
    return LedgerExport(
        id=job.id,
        status=str(job.status),
        format=str(job.format),
        file_name=job.file_name,
        rows_done=job.rows_done,
        rows_total=job.rows_total,
        error=job.error,
        download_url=f"/exports/{job.id}/download" if done else None,
    )


@strawberry.input(description="导出台账")
class StartLedgerExportInput:
    format: str = strawberry.field(description="xlsx 或 csv")
    county_code: str | None = strawberry.field(default=None, description="只导出一个县；空为全部")


@strawberry.type(description="导出台账的结果")
class StartLedgerExportPayload:
    export: LedgerExport | None = strawberry.field(description="排队中的导出任务；出错时为空")
    errors: list[UserError] = strawberry.field(description="业务错误；成功时为空列表")


@strawberry.type(description="导入文件中的一处错误")
class ImportRowError:
    sheet: str = strawberry.field(description="工作表")
    row: int = strawberry.field(description="行号（表头为第 1 行）")
    column: str = strawberry.field(description="列名；与整行有关时为 —")
    message: str = strawberry.field(description="问题")


@strawberry.type(description="某类数据的行数")
class ImportCount:
    kind: str = strawberry.field(description="villages、enterprises、cooperatives 或 products")
    title: str = strawberry.field(description="工作表名，如 帮扶主体")
    count: int = strawberry.field(description="行数")


@strawberry.type(description="一个字段的变化")
class ImportFieldChange:
    column: str = strawberry.field(description="列名")
    before: str = strawberry.field(description="原值")
    after: str = strawberry.field(description="新值")


@strawberry.type(description="按统一社会信用代码匹配到的已登记单位及其变化")
class ImportRowChange:
    sheet: str = strawberry.field(description="工作表")
    row: int = strawberry.field(description="行号")
    name: str = strawberry.field(description="单位名称（导入前）")
    credit_code: str = strawberry.field(description="统一社会信用代码")
    fields: list[ImportFieldChange] = strawberry.field(description="变化的字段；空为与已登记一致")
    note: str = strawberry.field(description="说明，如审核状态不随导入改变")


@strawberry.type(description="跳过的一行")
class ImportRowSkipped:
    sheet: str = strawberry.field(description="工作表")
    row: int = strawberry.field(description="行号")
    reason: str = strawberry.field(description="原因")


@strawberry.type(description="导入预览：确认前不写入任何数据")
class ImportPreview:
    token: str = strawberry.field(description="确认导入时交回的文件凭据（一天内有效）")
    fingerprint: str = strawberry.field(description="预览内容的摘要；确认导入时交回")
    created: list[ImportCount] = strawberry.field(description="将新增的行数")
    changes: list[ImportRowChange] = strawberry.field(description="将更新的已登记单位")
    skipped: list[ImportRowSkipped] = strawberry.field(description="将跳过的行")


@strawberry.input(description="上传并预览导入文件")
class PreviewImportInput:
    file_name: str = strawberry.field(description="文件名（.xlsx 或 .csv）")
    content_base64: str = strawberry.field(description="文件内容，base64 编码")
    kind: str | None = strawberry.field(
        default=None, description="CSV 的数据类型：villages、enterprises、cooperatives、products"
    )


@strawberry.type(description="导入预览的结果")
class PreviewImportPayload:
    preview: ImportPreview | None = strawberry.field(description="预览；文件有错时为空")
    row_errors: list[ImportRowError] = strawberry.field(description="文件中的每一处错误")
    errors: list[UserError] = strawberry.field(description="业务错误；成功时为空列表")


@strawberry.input(description="确认导入预览过的文件")
class CommitImportInput:
    token: str = strawberry.field(description="预览给出的文件凭据")
    fingerprint: str = strawberry.field(description="预览给出的摘要")


@strawberry.type(description="导入的结果")
class ImportOutcome:
    created: list[ImportCount] = strawberry.field(description="新增的行数")
    updated: list[ImportCount] = strawberry.field(description="更新的已登记单位数")
    skipped: int = strawberry.field(description="跳过的行数")


@strawberry.type(description="确认导入的结果")
class CommitImportPayload:
    outcome: ImportOutcome | None = strawberry.field(description="导入结果；出错时为空")
    row_errors: list[ImportRowError] = strawberry.field(description="文件中的每一处错误")
    errors: list[UserError] = strawberry.field(description="业务错误（含预览后数据已变化）")


def _counts(counts: dict[str, int]) -> list[ImportCount]:
    return [ImportCount(kind=k, title=imports.KINDS[k].title, count=n) for k, n in counts.items()]


def _row_errors(exc: imports.ImportRejected) -> list[ImportRowError]:
    return [
        ImportRowError(sheet=e.sheet, row=e.row, column=e.column, message=e.message)
        for e in exc.row_errors
    ]


def _preview(checked, token: str) -> ImportPreview:
    return ImportPreview(
        token=token,
        fingerprint=checked.fingerprint,
        created=_counts(checked.counts),
        changes=[
            ImportRowChange(
                sheet=c.sheet,
                row=c.row,
                name=c.name,
                credit_code=c.credit_code,
                fields=[
                    ImportFieldChange(column=f.column, before=f.before, after=f.after)
                    for f in c.changes
                ],
                note=c.note,
            )
            for c in checked.changed
        ],
        skipped=[
            ImportRowSkipped(sheet=s.sheet, row=s.row, reason=s.reason) for s in checked.skipped
        ],
    )


def _checked(info: Info, source, filename: str, kind: str | None):
    actor = info.context.actor
    parsed = imports.read_file(source, filename, kind)
    return info.context.read(lambda s: imports.check_file(session=s, actor=actor, parsed=parsed))


@strawberry.type
class DataQueries:
    @strawberry.field(description="一次台账导出的进度（本人所在范围的导出）；不存在时为空")
    async def ledger_export(
        self, info: Info, id: Annotated[int, strawberry.argument(description="导出任务编号")]
    ) -> LedgerExport | None:
        actor = info.context.actor
        require_signed_in(actor)
        try:
            job = await info.context.read(
                lambda s: ledger.get_job(session=s, actor=actor, job_id=id)
            )
        except DomainError:
            return None
        return _export(job)


@strawberry.type
class DataMutations:
    @strawberry.mutation(description="导出台账（后台进行；用 ledgerExport 查看进度并下载）")
    async def start_ledger_export(
        self, info: Info, input: Input[StartLedgerExportInput]
    ) -> StartLedgerExportPayload:
        actor = info.context.actor
        attempts = 3
        if info.context.request is not None:
            attempts = info.context.request.app.state.settings.job_max_attempts
        try:
            job = await info.context.write(
                lambda s: ledger.request_export(
                    session=s,
                    actor=actor,
                    fmt=input.format,
                    county_code=input.county_code,
                    max_attempts=attempts,
                )
            )
        except DomainError as exc:
            return StartLedgerExportPayload(export=None, errors=user_errors(exc))
        return StartLedgerExportPayload(export=_export(job), errors=[])

    @strawberry.mutation(description="上传导入文件并预览（不写入任何数据）")
    async def preview_import(
        self, info: Info, input: Input[PreviewImportInput]
    ) -> PreviewImportPayload:
        actor = info.context.actor
        try:
            require_signed_in(actor)
            require(imports.can_import(actor))
            if input.kind is not None and input.kind not in imports.KINDS:
                raise ValidationError("请选择数据类型", field="kind")
            content = decode_file(
                input.content_base64, field="contentBase64", max_bytes=MAX_IMPORT_BYTES
            )
            extension = ".xlsx" if content.startswith(ZIP_SIGNATURE) else ".csv"
            filename = clean_filename(input.file_name, extension=extension, default="导入文件")
            checked = await _checked(info, io.BytesIO(content), filename, input.kind)
            kept = staging.stage(
                info.context.upload_dir, actor, io.BytesIO(content), filename, input.kind
            )
        except imports.ImportRejected as exc:
            return PreviewImportPayload(
                preview=None, row_errors=_row_errors(exc), errors=user_errors(exc)
            )
        except DomainError as exc:
            return PreviewImportPayload(preview=None, row_errors=[], errors=user_errors(exc))
        return PreviewImportPayload(preview=_preview(checked, kept.token), row_errors=[], errors=[])

    @strawberry.mutation(description="确认导入预览过的文件（再次校验，与预览一致才写入）")
    async def commit_import(
        self, info: Info, input: Input[CommitImportInput]
    ) -> CommitImportPayload:
        actor = info.context.actor
        uploads = info.context.upload_dir
        try:
            require_signed_in(actor)
            require(imports.can_import(actor))
            kept = staging.staged(uploads, actor, input.token)
            checked = await _checked(info, kept.path, kept.filename, kept.kind)
            result = await info.context.write(
                lambda s: imports.apply_import(
                    session=s, actor=actor, checked=checked, previewed=input.fingerprint
                )
            )
        except imports.ImportRejected as exc:
            return CommitImportPayload(
                outcome=None, row_errors=_row_errors(exc), errors=user_errors(exc)
            )
        except DomainError as exc:
            return CommitImportPayload(outcome=None, row_errors=[], errors=user_errors(exc))
        staging.discard(uploads, input.token)
        outcome = ImportOutcome(
            created=_counts(result.counts), updated=_counts(result.updated), skipped=result.skipped
        )
        return CommitImportPayload(outcome=outcome, row_errors=[], errors=[])
