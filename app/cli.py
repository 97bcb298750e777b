"""The ``cunqi`` command line (also ``python -m app``)."""

import sys
from pathlib import Path

import click

from app.cli_data import COMMANDS, console, open_database, progress_bar
from app.config import get_settings


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
    database = open_database()

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

    database = open_database()
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

    database = open_database()
    try:
        with database.unit_of_work() as session:
            counts = purge_expired(session=session, actor=SYSTEM, now=utcnow())
    finally:
        database.dispose()
    labels = {rule.table: rule.label for rule in RULES}
    summary = "，".join(f"{labels[table]} {n} 条" for table, n in counts.items())
    console.print(f"已清理：{summary}。" if counts else "没有需要清理的数据表。")


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

    database = open_database()
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


def _register_commands() -> None:
    """Commands kept in modules of their own: the search index's, and the data's (export,
    import, backup, restore; app/cli_data.py)."""
    from app.search.cli import search as search_group

    main.add_command(search_group)
    for command in COMMANDS:
        main.add_command(command)


_register_commands()


if __name__ == "__main__":
    sys.exit(main())
