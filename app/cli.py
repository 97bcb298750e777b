"""The ``cunqi`` command line (also ``python -m app``)."""

import sys
from pathlib import Path

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
@click.option(
    "--no-jobs", is_flag=True, help="不在网站进程中运行后台任务（另有 cunqi worker 运行时）"
)
def serve(host: str | None, port: int | None, workers: int, reload: bool, no_jobs: bool) -> None:
    import os

    import uvicorn

    from app.observability.logs import logging_config

    if no_jobs:
        # Read by every worker process uvicorn starts (they inherit the environment).
        os.environ["CUNQI_JOBS_IN_SERVER"] = "false"
        get_settings.cache_clear()
    settings = get_settings()
    port = port or settings.port
    # Metrics of all worker processes, added up at /metrics: one folder per port (one server per
    # port behind the proxy), emptied at start. Set before any worker imports prometheus_client.
    metrics_dir = Path(settings.metrics_dir).resolve() / str(port)
    _empty_metrics_dir(metrics_dir)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    # Several workers: uvicorn's own supervisor (one shared socket, a dead worker replaced).
    # In production, one process per port behind the reverse proxy spreads connections evenly
    # (docs/decisions/0021-dependency-internals.md). The proxy's headers are read by the
    # application itself (ForwardedMiddleware, app/http.py), from CUNQI_TRUSTED_PROXIES only,
    # Host included: uvicorn's own reading (proxy_headers, which trusts 127.0.0.1 by default and
    # would rewrite the address before the application can judge the peer) stays off.
    uvicorn.run(
        "app.asgi:create_served_app",
        factory=True,
        host=host or settings.host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=False,
        server_header=False,
        access_log=False,
        log_config=logging_config(settings.log_format, settings.log_level),
    )


def _empty_metrics_dir(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        path.unlink()


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


@main.command(help="运行后台任务（台账导出、邮件、定期任务、搜索同步），收到 SIGTERM 后从容退出")
def worker() -> None:
    import asyncio
    import logging.config
    import signal

    from app.jobs import run_worker
    from app.observability.logs import logging_config

    settings = get_settings()
    logging.config.dictConfig(logging_config(settings.log_format, settings.log_level))
    database = _database()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_worker(database, get_settings(), stop)

    try:
        asyncio.run(run())
    finally:
        database.dispose()
    console.print("后台任务进程已退出。")


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

            result = seed_database(
                database,
                scale=scale,
                seed=seed_value,
                progress=report,
                demo_accounts=not get_settings().is_production,
            )
    finally:
        database.dispose()
    if result.skipped:
        console.print("数据库中已有数据，未重复填充。")
    else:
        console.print("演示数据已填充：" + "，".join(f"{k} {v}" for k, v in result.counts.items()))


@main.command("check-deploy", help="检查生产环境配置是否安全；有问题时以非零状态退出")
def check_deploy() -> None:
    from app.deploy import deployment_report

    problems = deployment_report()
    for problem in problems:
        console.print(f"[red]✗[/red] {problem}", soft_wrap=True, markup=True, highlight=False)
    if problems:
        raise SystemExit(1)
    console.print("[green]✓[/green] 生产环境配置检查通过。")


@main.command(help="按保存期限清理登录失败记录、失效会话与令牌、已发邮件和已读消息（可重复运行）")
def purge() -> None:
    from app.actors import SYSTEM
    from app.models.base import utcnow
    from app.services.retention import RULES, purge_expired

    database = _database()
    try:
        with database.unit_of_work() as session:
            counts = purge_expired(session=session, actor=SYSTEM, now=utcnow())
    finally:
        database.dispose()
    labels = {rule.table: rule.label for rule in RULES}
    summary = "，".join(f"{labels[table]} {n} 条" for table, n in counts.items())
    console.print(f"已清理：{summary}。" if counts else "没有需要清理的数据表。")


@main.command(help="备份数据库、上传文件与密钥，写成一个 tar.gz 文件（不含搜索索引）")
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


@main.command(help="把备份恢复到空的安装（新建的数据库、空的上传目录），然后重建搜索索引")
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


@main.group(help="账号管理")
def user() -> None:
    pass


@user.command("create", help="创建账号（首个乡村振兴局或管理员账号）")
@click.option("--username", required=True, help="登录用户名")
@click.option("--name", "display_name", required=True, help="姓名")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["bureau", "admin", "enterprise", "cooperative", "village"]),
    help="角色",
)
@click.option("--region", default=None, help="乡村振兴局账号的区划代码：市 140800 或县级代码")
@click.option("--enterprise-id", type=int, default=None, help="帮扶主体账号所属单位编号")
@click.option("--cooperative-id", type=int, default=None, help="合作社账号所属合作社编号")
@click.option("--village-id", type=int, default=None, help="村级账号所属村编号")
@click.password_option(
    "--password", envvar="CUNQI_NEW_USER_PASSWORD", help="密码（省略时提示输入）"
)
def user_create(
    username, display_name, role, region, enterprise_id, cooperative_id, village_id, password
) -> None:
    from app.actors import SYSTEM
    from app.errors import DomainError
    from app.models.enums import UserRole
    from app.services.accounts import create_user, prepare_account

    database = _database()
    try:
        # Hashed before the write transaction opens.
        account = prepare_account(
            {"username": username, "display_name": display_name, "password": password}
        )
        with database.unit_of_work() as session:
            created = create_user(
                session=session,
                actor=SYSTEM,
                account=account,
                role=UserRole(role),
                region_code=region,
                enterprise_id=enterprise_id,
                cooperative_id=cooperative_id,
                village_id=village_id,
            )
            user_id = created.id
    except DomainError as exc:
        messages = [e.message for e in getattr(exc, "errors", [exc])]
        raise click.ClickException("；".join(messages)) from None
    finally:
        database.dispose()
    console.print(f"已创建账号 {username}（编号 {user_id}）。")


@main.group(help="GraphQL 接口")
def graphql() -> None:
    pass


@graphql.command("export", help="把 GraphQL 接口定义写入仓库根目录的 schema.graphql")
@click.option(
    "--check", is_flag=True, help="只检查 schema.graphql 是否与代码一致，不一致时非零退出"
)
def graphql_export(check: bool) -> None:
    from app.schema.export import main as export

    raise SystemExit(export(["--check"] if check else []))


@main.group(help="台账导出")
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

    database = _database()
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


@main.command("import", help="导入行政村、帮扶主体、合作社、产品（XLSX 或 CSV）；有错误时不写入")
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

    database = _database()
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


def _register_search_commands() -> None:
    from app.search.cli import search as search_group

    main.add_command(search_group)


_register_search_commands()


if __name__ == "__main__":
    sys.exit(main())
