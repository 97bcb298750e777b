"""``cunqi check-deploy`` through the real command line: every production problem is one line of a
list and the exit status is 1, whatever is broken; never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.config import MIN_SECRET_LENGTH
from app.deploy import deployment_report
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent
GOOD_SECRET = "k" * 48


@pytest.fixture(scope="module")
def migrated_url(database_factory) -> str:
    return database_factory.new_url("deploy")


@pytest.fixture
def safe_env(migrated_url, tmp_path) -> dict[str, str]:
    """A production configuration that passes: every test breaks one or more things in it."""
    return {
        "CUNQI_ENVIRONMENT": "production",
        "CUNQI_SECRET_KEY": GOOD_SECRET,
        "CUNQI_DATABASE_URL": migrated_url,
        "CUNQI_INDEX_DIR": str(tmp_path / "index"),
        "CUNQI_UPLOAD_DIR": str(tmp_path / "uploads"),
        "CUNQI_METRICS_DIR": str(tmp_path / "metrics"),
        "CUNQI_PUBLIC_URL": "https://cunqi.example.cn",
    }


def check_deploy(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    # Only PATH and the settings under test: nothing of the test run's own CUNQI_* leaks in.
    return subprocess.run(
        [sys.executable, "-m", "app", "check-deploy"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "COLUMNS": "200", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def problems_of(result) -> list[str]:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return [line[2:] for line in result.stderr.splitlines() if line.startswith("✗ ")]


def test_a_safe_production_configuration_passes(safe_env, tmp_path):
    result = check_deploy(safe_env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert problems_of(result) == []
    assert "检查通过" in result.stderr


BROKEN = {
    "development": (
        {"CUNQI_ENVIRONMENT": "development"},
        ["开发环境", "Secure", "GraphiQL", "内省"],
    ),
    "misspelt environment": ({"CUNQI_ENVIRONMENT": "prod"}, ["CUNQI_ENVIRONMENT"]),
    "no secret": ({"CUNQI_SECRET_KEY": ""}, ["必须设置 CUNQI_SECRET_KEY"]),
    "short secret": ({"CUNQI_SECRET_KEY": "short"}, [f"至少 {MIN_SECRET_LENGTH} 个字符"]),
    "debug": ({"CUNQI_DEBUG": "true"}, ["调试模式"]),
    "debug not a boolean": ({"CUNQI_DEBUG": "maybe"}, ["CUNQI_DEBUG 的值无效：应为 true 或 false"]),
    "insecure cookies": ({"CUNQI_COOKIE_SECURE": "false"}, ["Secure"]),
    "graphiql": ({"CUNQI_GRAPHIQL": "1"}, ["GraphiQL"]),
    "introspection": ({"CUNQI_INTROSPECTION": "yes"}, ["内省"]),
    "port not a number": ({"CUNQI_PORT": "eighty"}, ["CUNQI_PORT 的值无效：应为整数"]),
    "port out of range": ({"CUNQI_PORT": "70000"}, ["CUNQI_PORT 应为 1–65535"]),
    "smtp port not a number": ({"CUNQI_SMTP_PORT": "2 5"}, ["CUNQI_SMTP_PORT 的值无效"]),
    "threads zero": ({"CUNQI_GRAPHQL_QUERY_THREADS": "0"}, ["CUNQI_GRAPHQL_QUERY_THREADS"]),
    "negative body limit": ({"CUNQI_MAX_BODY_BYTES": "-1"}, ["CUNQI_MAX_BODY_BYTES 应为正整数"]),
    "timeout not a number": (
        {"CUNQI_SMTP_TIMEOUT_SECONDS": "soon"},
        ["CUNQI_SMTP_TIMEOUT_SECONDS"],
    ),
    "plain http htmx": ({"CUNQI_HTMX_URL": "http://cdn.example/htmx.js"}, ["CUNQI_HTMX_URL"]),
    "no public url": ({"CUNQI_PUBLIC_URL": ""}, ["CUNQI_PUBLIC_URL"]),
    "proxy not an address": (
        {"CUNQI_TRUSTED_PROXIES": "nginx.local"},
        ["CUNQI_TRUSTED_PROXIES 应为逗号分隔的 IP 地址或网段"],
    ),
    "malformed database url": (
        {"CUNQI_DATABASE_URL": "::not a url::"},
        ["CUNQI_DATABASE_URL 无法解析"],
    ),
    "unknown database": ({"CUNQI_DATABASE_URL": "mysql://u@h/db"}, ["不受支持"]),
    "missing sqlite file": (
        {"CUNQI_DATABASE_URL": "sqlite:///nowhere/cunqi.sqlite3"},
        ["数据库文件不存在"],
    ),
    "unreachable postgres": (
        {"CUNQI_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/cunqi"},
        ["无法连接数据库"],
    ),
    "index dir is a file": ({"CUNQI_INDEX_DIR": "/etc/hostname"}, ["搜索索引目录", "不是目录"]),
    "upload dir under a file": (
        {"CUNQI_UPLOAD_DIR": "/etc/hostname/uploads"},
        ["上传文件目录", "无法创建"],
    ),
    "backup dir under a file": (
        {"CUNQI_BACKUP_DIR": "/etc/hostname/backups"},
        ["备份目录", "CUNQI_BACKUP_DIR", "无法创建"],
    ),
    "export pause left on": (
        {"CUNQI_EXPORT_PAUSE_SECONDS": "2"},
        ["CUNQI_EXPORT_PAUSE_SECONDS"],
    ),
    "job lease shorter than the poll": (
        {"CUNQI_JOB_LEASE_SECONDS": "2", "CUNQI_JOB_POLL_SECONDS": "5"},
        ["CUNQI_JOB_LEASE_SECONDS"],
    ),
}
if PG_URL:  # pg_dump is needed (and checked) only on PostgreSQL
    BROKEN["pg_dump missing"] = ({"CUNQI_PG_DUMP": "/nonexistent/pg_dump"}, ["找不到", "pg_dump"])


@pytest.mark.parametrize(("change", "needles"), BROKEN.values(), ids=list(BROKEN))
def test_each_broken_setting_is_reported_as_a_line(safe_env, tmp_path, change, needles):
    result = check_deploy(safe_env | change, tmp_path)
    problems = problems_of(result)
    assert result.returncode == 1, result.stderr
    assert problems, result.stderr
    for needle in needles:
        assert any(needle in line for line in problems), (needle, problems)


def test_every_problem_at_once_is_listed_one_per_line(safe_env, tmp_path):
    everything = {}
    for change, _ in BROKEN.values():
        everything |= change
    everything |= {"CUNQI_ENVIRONMENT": "production", "CUNQI_SECRET_KEY": "short"}
    result = check_deploy(safe_env | everything, tmp_path)
    problems = problems_of(result)
    assert result.returncode == 1
    for needle in [
        "CUNQI_PORT",
        "CUNQI_SMTP_PORT",
        "CUNQI_DEBUG",
        "CUNQI_HTMX_URL",
        "GraphiQL",
        "内省",
        "Secure",
        "上传文件目录",
        "搜索索引目录",
        "数据库",
    ]:
        assert any(needle in line for line in problems), (needle, problems)
    assert len(problems) >= 10


def test_a_database_behind_the_migrations_is_reported(safe_env, tmp_path, database_factory):
    # Given a database that exists but was never migrated
    url = database_factory.empty_url("behind")
    engine = sa.create_engine(url)
    with engine.connect():
        pass
    engine.dispose()
    # Then check-deploy says so
    result = check_deploy(safe_env | {"CUNQI_DATABASE_URL": url}, tmp_path)
    problems = problems_of(result)
    assert result.returncode == 1
    assert any("数据库不在最新迁移" in line and "未迁移" in line for line in problems), problems


# The proxy, CDN and metrics settings, checked in this process (the command line's own handling is
# shown by the cases above).
PROXY_CDN_METRICS = {
    "cdn htmx without sri": ({"CUNQI_HTMX_INTEGRITY": ""}, ["CUNQI_HTMX_INTEGRITY"]),
    "sri of another file": (
        {"CUNQI_HTMX_INTEGRITY": "sha384-" + "A" * 64},
        ["CUNQI_HTMX_INTEGRITY 与本站的 htmx 副本不符"],
    ),
    "plain http public url": ({"CUNQI_PUBLIC_URL": "http://cunqi.example.cn"}, ["https://"]),
    "public url with a path": (
        {"CUNQI_PUBLIC_URL": "https://cunqi.example.cn/app"},
        ["CUNQI_PUBLIC_URL 应为站点地址"],
    ),
    "no trusted proxy": ({"CUNQI_TRUSTED_PROXIES": ""}, ["CUNQI_TRUSTED_PROXIES", "登录限流"]),
    "every address a proxy": ({"CUNQI_TRUSTED_PROXIES": "0.0.0.0/0"}, ["伪造"]),
    "public metrics": ({"CUNQI_METRICS_ALLOW": "::/0"}, ["CUNQI_METRICS_ALLOW", "不应公开"]),
    "metrics dir is a file": ({"CUNQI_METRICS_DIR": "/etc/hostname"}, ["监控指标目录"]),
    "log format": ({"CUNQI_LOG_FORMAT": "xml"}, ["CUNQI_LOG_FORMAT"]),
}


@pytest.mark.parametrize(
    ("change", "needles"), PROXY_CDN_METRICS.values(), ids=list(PROXY_CDN_METRICS)
)
def test_proxy_cdn_and_metrics_settings_are_checked(
    safe_env, tmp_path, monkeypatch, change, needles
):
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("CUNQI_")]:
        monkeypatch.delenv(name)
    for name, value in (safe_env | change).items():
        monkeypatch.setenv(name, value)
    problems = deployment_report()
    for needle in needles:
        assert any(needle in line for line in problems), (needle, problems)
