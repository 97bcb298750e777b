"""The ``cunqi`` command line (also ``python -m app``)."""

import sys

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


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@click.group(help="村企通 Cunqi：千企帮千村与消费帮扶平台")
def main() -> None:
    pass


@main.command(help="启动网站服务（uvicorn）")
@click.option("--host", default=None, help="监听地址，默认取 CUNQI_HOST")
@click.option("--port", default=None, type=int, help="端口，默认取 CUNQI_PORT")
@click.option("--workers", default=1, show_default=True, type=int, help="工作进程数")
@click.option("--reload", is_flag=True, help="代码改动后自动重启（开发用）")
def serve(host: str | None, port: int | None, workers: int, reload: bool) -> None:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "app.web.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
    )


@main.group(help="数据库迁移")
def db() -> None:
    pass


@db.command(help="升级数据库结构到指定版本（默认最新）")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    from app import migrate

    migrate.upgrade(get_settings().database_url, revision)
    console.print("数据库结构已是最新。")


@db.command(help="回退数据库结构到指定版本")
@click.argument("revision")
def downgrade(revision: str) -> None:
    from app import migrate

    migrate.downgrade(get_settings().database_url, revision)
    console.print(f"数据库结构已回退到 {revision}。")


@main.command(help="向空数据库填充运城演示数据（重复运行不会重复添加）")
@click.option(
    "--scale",
    type=click.Choice(["city", "province"]),
    default="city",
    show_default=True,
    help="city：运城市演示数据；province：全省规模的性能测试数据",
)
@click.option("--seed", "seed_value", default=1, show_default=True, type=int, help="随机种子")
def seed(scale: str, seed_value: int) -> None:
    from app.seed import seed_database

    database = _database()
    try:
        with progress_bar() as bar:
            tasks: dict[str, int] = {}

            def report(step: str, done: int, total: int) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=total)
                bar.update(tasks[step], completed=done, total=total)

            result = seed_database(database, scale=scale, seed=seed_value, progress=report)
    finally:
        database.dispose()
    if result.skipped:
        console.print("数据库中已有数据，未重复填充。")
    else:
        console.print("演示数据已填充：" + "，".join(f"{k} {v}" for k, v in result.counts.items()))


if __name__ == "__main__":
    sys.exit(main())
