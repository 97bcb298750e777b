"""The data's commands of ``cunqi`` (export the ledger, import master data, back up and
restore), registered on the ``cunqi`` group by app/cli.py, and what every command shares: the
console, the database, the progress bar."""

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.config import get_settings

console = Console(stderr=True)


def open_database():
    from app.db import Database, create_db_engine

    settings = get_settings()
    engine = create_db_engine(
        settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    return Database(engine)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@click.group(help="台账导出")
def export() -> None:
    pass


@export.command("ledger", help="导出台账（帮扶协议、成效报告、订单、各县覆盖及主体名录）")
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True
)
@click.option("--output", type=click.Path(dir_okay=False), default=None, help="输出文件路径")
@click.option("--county", default=None, help="只导出一个县（县级代码）")
def export_ledger(fmt: str, output: str | None, county: str | None) -> None:
    from pathlib import Path

    from app.actors import SYSTEM
    from app.errors import DomainError
    from app.services import ledger

    database = open_database()
    try:
        with database.unit_of_work() as session:
            job = ledger.request_export(
                session=session, actor=SYSTEM, fmt=fmt, county_code=county, background=False
            )
            job_id, name = job.id, job.file_name
        target = Path(output or name)
        with progress_bar() as bar:
            task = bar.add_task("导出台账", total=None)
            ledger.run_export(
                database,
                job_id,
                target.parent.resolve(),
                file_name=target.name,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    console.print(f"台账已导出到 {target}。")


@click.command("import", help="导入行政村、帮扶主体、合作社、产品（XLSX 或 CSV）；有错误时不写入")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--kind",
    type=click.Choice(["villages", "enterprises", "cooperatives", "products"]),
    default=None,
    help="CSV 文件或未按模板命名的工作表的数据类型",
)
def import_file(file: str, kind: str | None) -> None:
    from pathlib import Path

    from app.actors import SYSTEM
    from app.errors import DomainError
    from app.services import imports

    database = open_database()
    try:
        with progress_bar() as bar:
            task = bar.add_task("校验", total=None)
            parsed = imports.read_file(Path(file), file, kind)
            with database.read_only() as session:
                checked = imports.check_file(
                    session=session,
                    actor=SYSTEM,
                    parsed=parsed,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            # Only the writing holds the write lock: the file was read and checked above.
            bar.update(task, description="写入")
            with database.unit_of_work() as session:
                result = imports.apply_import(session=session, actor=SYSTEM, checked=checked)
            database.refresh_planner_statistics()
    except imports.ImportRejected as exc:
        for error in exc.row_errors:
            console.print(f"[red]✗[/red] {error}")
        raise click.ClickException(exc.message) from None
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        database.dispose()
    titles = {key: kind.title for key, kind in imports.KINDS.items()}
    summary = "，".join(f"{titles[k]} {n}" for k, n in result.counts.items())
    console.print(f"已导入：{summary}。")


@click.command(help="备份数据库、上传文件与密钥，写成一个 tar.gz 文件（不含搜索索引）")
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="输出文件，默认写在 CUNQI_BACKUP_DIR 下",
)
@click.option(
    "--without-secret-key", is_flag=True, help="不把 CUNQI_SECRET_KEY 写入备份（密钥另行保管时）"
)
def backup(output: str | None, without_secret_key: bool) -> None:
    from pathlib import Path

    from app.backup import BackupError, create_backup

    try:
        report = create_backup(
            get_settings(), Path(output) if output else None, include_secret=not without_secret_key
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(t["rows"] for t in report.manifest["tables"].values())
    files = len(report.manifest["files"])
    console.print(f"备份已写入 {report.archive}（数据 {rows} 行，上传文件 {files} 个）。")


@click.command(help="把备份恢复到空的安装（新建的数据库、空的上传目录），然后重建搜索索引")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def restore(file: str) -> None:
    from pathlib import Path

    from app.backup import BackupError, restore_backup

    try:
        report = restore_backup(get_settings(), Path(file))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in report.warnings:
        console.print(f"[yellow]![/yellow] {warning}", soft_wrap=True, highlight=False)
    rows = sum(t["rows"] for t in report.manifest["tables"].values())
    files = len(report.manifest["files"])
    console.print(f"已从 {file} 恢复（数据 {rows} 行，上传文件 {files} 个），搜索索引已重建。")


COMMANDS = (export, import_file, backup, restore)
