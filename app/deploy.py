"""Checks a production deployment must pass (``cunqi check-deploy``).

Every problem becomes one Chinese line; nothing here raises, even for settings that cannot be
loaded, a database that cannot be reached or a directory that cannot be written.
"""

import os
from collections.abc import Callable
from pathlib import Path

import pydantic

from app.config import MIN_SECRET_LENGTH, Settings

# How long the check waits for PostgreSQL before calling it unreachable.
CONNECT_TIMEOUT_SECONDS = 5


def deployment_report(load: Callable[..., Settings] = Settings) -> list[str]:
    """Every production problem of the environment's configuration; empty when all is well."""
    problems: list[str] = []
    try:
        settings = load()
    except pydantic.ValidationError as exc:
        problems = [_setting_error(error) for error in exc.errors()]
        # Carry on with the defaults of the malformed settings so the other checks still run.
        stand_ins = {
            str(error["loc"][0]): Settings.model_fields[str(error["loc"][0])].default
            for error in exc.errors()
            if error["loc"] and str(error["loc"][0]) in Settings.model_fields
        }
        if any(not error["loc"] for error in exc.errors()):  # the missing secret key
            stand_ins["secret_key"] = "?" * MIN_SECRET_LENGTH
        try:
            settings = load(**stand_ins)
        except Exception:
            return problems
    except Exception as exc:  # a malformed .env, an unreadable file: still a line, not a trace
        return [f"无法读取配置：{_brief(exc)}"]
    problems += deployment_problems(settings)
    for check in (database_problems, directory_problems, backup_problems):
        try:
            problems += check(settings)
        except Exception as exc:
            problems.append(f"检查未能完成（{check.__name__}）：{_brief(exc)}")
    return problems


def deployment_problems(settings: Settings) -> list[str]:
    """What is unsafe about these settings for production, in Chinese; empty when all is well."""
    problems = []
    if not settings.is_production:
        problems.append("CUNQI_ENVIRONMENT 不是 production：当前为开发环境配置")
    if settings.debug:
        problems.append("调试模式已开启（CUNQI_DEBUG），生产环境必须关闭")
    if len(settings.secret_key) < MIN_SECRET_LENGTH:
        problems.append(f"密钥过短（CUNQI_SECRET_KEY），至少 {MIN_SECRET_LENGTH} 个字符")
    if not settings.secure_cookies:
        problems.append(
            "会话 Cookie 未设置 Secure（CUNQI_COOKIE_SECURE），生产环境必须仅经 HTTPS 发送"
        )
    if settings.graphiql_enabled:
        problems.append("GraphiQL 调试界面已开启（CUNQI_GRAPHIQL），生产环境必须关闭")
    if settings.introspection_enabled:
        problems.append("GraphQL 内省已开启（CUNQI_INTROSPECTION），生产环境必须关闭")
    problems += proxy_problems(settings)
    problems += htmx_problems(settings)
    problems += _range_problems(settings)
    problems += job_problems(settings)
    return problems


def job_problems(settings: Settings) -> list[str]:
    """Background jobs (docs/decisions/0028-durable-background-work.md)."""
    problems = []
    if settings.fake_today is not None:
        problems.append("CUNQI_FAKE_TODAY 只用于开发与演示，生产环境必须不设置")
    if settings.export_pause_seconds:
        problems.append("CUNQI_EXPORT_PAUSE_SECONDS 只用于演练与测试，生产环境必须为 0")
    if settings.job_lease_seconds < 3 * settings.job_poll_seconds:
        problems.append(
            "CUNQI_JOB_LEASE_SECONDS 应至少是 CUNQI_JOB_POLL_SECONDS 的 3 倍，"
            "否则运行中的任务可能被误认为中断"
        )
    return problems


def backup_problems(settings: Settings) -> list[str]:
    """The backup directory must be writable; on PostgreSQL pg_dump must be there, and not older
    than the server."""
    problems = []
    problem = _writable_problem(Path(settings.backup_dir))
    if problem:
        problems.append(f"备份目录（CUNQI_BACKUP_DIR）{settings.backup_dir} {problem}")
    if settings.is_sqlite:
        return problems
    from app.backup import BackupError
    from app.backup.postgres import server_major, tool_major
    from app.db import create_db_engine

    try:
        tool = tool_major(settings.pg_dump)
    except BackupError as exc:
        return [*problems, str(exc)]
    try:
        engine = create_db_engine(settings.database_url)
        try:
            with engine.connect() as conn:
                server = server_major(conn)
        finally:
            engine.dispose()
    except Exception:
        return problems  # database_problems reports an unreachable database
    if tool < server:
        problems.append(
            f"pg_dump（CUNQI_PG_DUMP）的主版本 {tool} 低于数据库服务器的 {server}，"
            f"无法备份：请安装 postgresql-client-{server}"
        )
    return problems


def proxy_problems(settings: Settings) -> list[str]:
    """The public address, the trusted proxies and who may read the metrics."""
    problems = []
    if not settings.public_url:
        problems.append("未设置站点地址（CUNQI_PUBLIC_URL），应如 https://cunqi.example.cn")
    elif not settings.public_url.startswith("https://"):
        problems.append("站点地址（CUNQI_PUBLIC_URL）应以 https:// 开头")
    proxies = settings.trusted_proxy_networks
    if not proxies:
        problems.append(
            "未设置受信任的反向代理（CUNQI_TRUSTED_PROXIES）：在 nginx 之后，所有用户都会显示为"
            "代理的地址，登录限流会把他们当成同一个人"
        )
    if any(network.prefixlen == 0 for network in proxies):
        problems.append(
            "CUNQI_TRUSTED_PROXIES 包含所有地址（0.0.0.0/0 或 ::/0）：任何人都能伪造 "
            "X-Forwarded-For 绕过登录限流，只应列出反向代理的地址"
        )
    if any(network.prefixlen == 0 for network in settings.metrics_networks):
        problems.append(
            "CUNQI_METRICS_ALLOW 包含所有地址（0.0.0.0/0 或 ::/0）：监控指标不应公开，"
            "只应列出 Prometheus 的地址"
        )
    return problems


def htmx_problems(settings: Settings) -> list[str]:
    """htmx from the CDN with its SRI hash, and the site's own copy to fall back to."""
    import base64
    import hashlib

    from app.web.assets import HTMX_FILE

    if not settings.htmx_url.startswith(("https://", "/")):
        return ["CUNQI_HTMX_URL 应为 https:// 地址或本站路径"]
    problems = []
    if settings.htmx_url.startswith("https://") and not settings.htmx_integrity:
        problems.append("从 CDN 加载 htmx 时必须设置完整性校验值（CUNQI_HTMX_INTEGRITY，sha384-…）")
    if not HTMX_FILE.is_file():
        problems.append(f"本站的 htmx 副本不存在（{HTMX_FILE}），请在程序目录运行 npm ci")
    elif settings.htmx_integrity:
        digest = hashlib.sha384(HTMX_FILE.read_bytes()).digest()
        if settings.htmx_integrity != "sha384-" + base64.b64encode(digest).decode():
            problems.append(
                "CUNQI_HTMX_INTEGRITY 与本站的 htmx 副本不符：CDN 不可用时备用副本会被浏览器拒绝"
                "（CDN 与 package.json 应为同一版本）"
            )
    return problems


def _range_problems(settings: Settings) -> list[str]:
    problems = []
    for name in ("port", "smtp_port"):
        if not 1 <= getattr(settings, name) <= 65535:
            problems.append(f"CUNQI_{name.upper()} 应为 1–65535 的端口号")
    positive = (
        "sqlite_busy_timeout_ms",
        "password_time_cost",
        "password_memory_kib",
        "password_parallelism",
        "session_max_age_seconds",
        "login_window_seconds",
        "login_max_failures_per_account",
        "login_max_failures_per_ip",
        "max_body_bytes",
        "mail_retry_seconds",
        "certification_notice_days",
        "ready_search_lag_seconds",
        "ready_backlog_max",
    )
    for name in positive:
        if getattr(settings, name) <= 0:
            problems.append(f"CUNQI_{name.upper()} 应为正整数")
    if settings.smtp_timeout_seconds <= 0:
        problems.append("CUNQI_SMTP_TIMEOUT_SECONDS 应大于 0")
    return problems


def database_problems(settings: Settings) -> list[str]:
    """The database must be reachable and at the newest migration."""
    import sqlalchemy as sa
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    try:
        url = sa.engine.make_url(settings.database_url)
    except Exception:
        return ["CUNQI_DATABASE_URL 无法解析，应如 postgresql+psycopg://用户:密码@主机/库名"]
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        return [f"CUNQI_DATABASE_URL 的数据库类型 {backend} 不受支持（SQLite 或 PostgreSQL）"]
    connect_args = {}
    if backend == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:") or not Path(database).is_file():
            return [f"数据库文件不存在：{database or '（未指定）'}，请先运行 cunqi db upgrade"]
    else:
        url = url.set(drivername="postgresql+psycopg")
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    try:
        engine = sa.create_engine(url, connect_args=connect_args, poolclass=sa.pool.NullPool)
    except Exception as exc:
        return [f"CUNQI_DATABASE_URL 无法使用：{_brief(exc)}"]
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:
        return [f"无法连接数据库：{_brief(exc)}"]
    finally:
        engine.dispose()
    heads = set(ScriptDirectory.from_config(alembic_config(settings.database_url)).get_heads())
    if current != heads:
        shown = "、".join(sorted(current)) or "未迁移"
        return [f"数据库不在最新迁移（当前 {shown}，应为 {'、'.join(sorted(heads))}）"]
    return []


def directory_problems(settings: Settings) -> list[str]:
    """The search index and upload directories must be writable (or creatable)."""
    problems = []
    for name, label in (
        ("index_dir", "搜索索引目录"),
        ("upload_dir", "上传文件目录"),
        ("metrics_dir", "监控指标目录"),
    ):
        path = Path(getattr(settings, name))
        problem = _writable_problem(path)
        if problem:
            problems.append(f"{label}（CUNQI_{name.upper()}）{path} {problem}")
    return problems


def _writable_problem(path: Path) -> str | None:
    if path.exists():
        if not path.is_dir():
            return "不是目录"
        if not os.access(path, os.W_OK | os.X_OK):
            return "不可写"
        return None
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is None or not parent.is_dir():
        return "无法创建：上级路径不是目录"
    if not os.access(parent, os.W_OK | os.X_OK):
        return "不存在，且上级目录不可写"
    return None


_SETTING_MESSAGES = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "enum": "取值应为 {expected}",
    "greater_than_equal": "不能小于 {ge}",
    "string_type": "应为文字",
    "path_type": "应为路径",
    "string_pattern_mismatch": "取值应符合 {pattern}",
}


def _setting_error(error: dict) -> str:
    name = "CUNQI_" + "_".join(str(part) for part in error["loc"]).upper()
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if error.get("type") == "value_error" and "CUNQI_" in message:
        return message
    template = _SETTING_MESSAGES.get(error.get("type", ""))
    if template:
        ctx = {k: str(v).replace(" or ", " 或 ") for k, v in (error.get("ctx") or {}).items()}
        message = template.format(**ctx)
    return f"配置项 {name} 的值无效：{message}" if error["loc"] else f"配置无效：{message}"


def _brief(exc: BaseException) -> str:
    exc = getattr(exc, "orig", None) or exc  # the driver's own words, not SQLAlchemy's wrapper
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__
