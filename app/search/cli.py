"""``cunqi search rebuild|check`` — registered in ``app.cli`` with ``main.add_command(search)``."""

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.config import get_settings

console = Console(stderr=True)


def _database():
    from app.db import Database, create_db_engine

    settings = get_settings()
    engine = create_db_engine(
        settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )
    return Database(engine)


def _service():
    from app.search.service import SearchService

    return SearchService(get_settings().index_dir)


@click.group("search", help="搜索索引（Whoosh）")
def search() -> None:
    pass


@search.command("rebuild", help="从数据库重建搜索索引（完成后原子切换，重建期间搜索照常可用）")
def rebuild() -> None:
    database = _database()
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            tasks: dict[str, int] = {}

            def progress(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done, total=total)

            report = _service().rebuild(database, progress=progress)
    finally:
        database.dispose()
    counts = "，".join(f"{n} 条" for n in report.documents.values())
    console.print(f"索引已重建并启用（{counts}），用时 {report.seconds:.1f} 秒。")


@search.command("check", help="比对索引与数据库（文档数与更新时间），并修复差异")
@click.option("--no-repair", is_flag=True, help="只报告差异，不修复")
def check(no_repair: bool) -> None:
    from app.search.index import IndexMissingError

    database = _database()
    try:
        report = _service().check(database, repair=not no_repair)
    except IndexMissingError:
        raise click.ClickException("搜索索引不存在，请先运行 cunqi search rebuild") from None
    finally:
        database.dispose()
    labels = {"products": "产品", "pairing": "村庄与帮扶主体"}
    for name, drift in report.drift.items():
        console.print(
            f"{labels.get(name, name)}：索引 {drift.index_documents} 条，数据库 "
            f"{drift.database_documents} 条；缺失 {len(drift.missing)}，过期 {len(drift.stale)}，"
            f"多余 {len(drift.extra)}"
        )
    if report.dead_rows:
        console.print(f"多次同步失败的待同步记录：{report.dead_rows} 条")
    if report.error:
        raise click.ClickException(f"未能修复：{report.error}")
    if report.ok:
        console.print("[green]✓[/green] 索引与数据库一致。")
    elif report.repaired:
        console.print("[green]✓[/green] 差异已修复。")
    else:
        raise SystemExit(1)
