"""The ``cunqi`` command line against real database files."""

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from app.cli import main
from app.config import get_settings
from app.db import create_db_engine
from app.migrate import alembic_config


@pytest.fixture
def cli(monkeypatch, database_factory):
    """Run ``cunqi`` with CUNQI_DATABASE_URL pointing at a new, empty database."""
    url = database_factory.empty_url("cli")
    monkeypatch.setenv("CUNQI_DATABASE_URL", url)
    get_settings.cache_clear()

    def run(*args: str, **env: str):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    run.url = url
    yield run
    get_settings.cache_clear()


def _scalar(url: str, sql: str):
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()
    finally:
        engine.dispose()


def test_db_upgrade_creates_the_schema(cli):
    result = cli("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert _scalar(cli.url, "SELECT count(*) FROM counties") == 0
    head = ScriptDirectory.from_config(alembic_config(cli.url)).get_current_head()
    assert _scalar(cli.url, "SELECT version_num FROM alembic_version") == head


def test_user_create_makes_a_bureau_account(cli):
    cli("db", "upgrade")
    args = ["user", "create", "--username", "shiju", "--name", "市局管理员", "--role", "bureau"]
    result = cli(*args, "--region", "140800", CUNQI_NEW_USER_PASSWORD="Yuncheng2026")
    assert result.exit_code == 0, result.output
    assert "已创建账号 shiju" in result.output
    assert _scalar(cli.url, "SELECT region_code FROM users WHERE username = 'shiju'") == "140800"
    again = cli(*args, "--region", "140800")
    assert again.exit_code == 1
    assert "该用户名已被使用" in again.output


def test_user_create_refuses_a_weak_password_in_chinese(cli):
    cli("db", "upgrade")
    result = cli(
        "user",
        "create",
        "--username",
        "admin1",
        "--name",
        "管理员",
        "--role",
        "admin",
        CUNQI_NEW_USER_PASSWORD="short",
    )
    assert result.exit_code == 1
    assert "密码至少 8 位，且须同时包含字母和数字" in result.output
    assert _scalar(cli.url, "SELECT count(*) FROM users") == 0


def test_check_deploy_lists_every_problem_in_production(cli):
    result = cli(
        "check-deploy",
        CUNQI_ENVIRONMENT="production",
        CUNQI_SECRET_KEY="short",
        CUNQI_DEBUG="true",
        CUNQI_COOKIE_SECURE="false",
        CUNQI_GRAPHIQL="true",
        CUNQI_INTROSPECTION="true",
    )
    assert result.exit_code == 1
    for needle in ("调试模式", "密钥过短", "Secure", "GraphiQL", "内省"):
        assert needle in result.output


def test_check_deploy_passes_a_safe_production_configuration(cli, tmp_path):
    cli("db", "upgrade")
    result = cli(
        "check-deploy",
        CUNQI_INDEX_DIR=str(tmp_path / "index"),
        CUNQI_UPLOAD_DIR=str(tmp_path / "uploads"),
        CUNQI_METRICS_DIR=str(tmp_path / "metrics"),
        CUNQI_ENVIRONMENT="production",
        CUNQI_SECRET_KEY="k" * 48,
        CUNQI_PUBLIC_URL="https://cunqi.example.cn",
    )
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output


def test_check_deploy_fails_outside_production(cli):
    result = cli("check-deploy", CUNQI_ENVIRONMENT="development")
    assert result.exit_code == 1
    assert "开发环境" in result.output


def test_production_without_a_secret_refuses_to_start(monkeypatch):
    from app.config import Settings

    monkeypatch.setenv("CUNQI_SECRET_KEY", "")
    with pytest.raises(ValueError, match="CUNQI_SECRET_KEY"):
        Settings(environment="production")


def test_development_generates_a_secret_once_into_var(monkeypatch, tmp_path):
    from app.config import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CUNQI_SECRET_KEY", "")
    first = Settings().secret_key
    assert len(first) >= 32
    assert (tmp_path / "var" / "secret_key").read_text() == first
    assert Settings().secret_key == first


def test_graphql_export_check_passes_when_schema_graphql_is_current():
    result = CliRunner().invoke(main, ["graphql", "export", "--check"])
    assert result.exit_code == 0, result.output


def test_purge_deletes_old_login_attempts_and_says_how_many(cli):
    cli("db", "upgrade")
    engine = create_db_engine(cli.url)
    try:
        with engine.begin() as conn:
            for key, stamp in (("old", "2020-01-01 00:00:00"), ("new", "2999-01-01 00:00:00")):
                conn.execute(
                    sa.text("INSERT INTO login_attempts (key, attempted_at) VALUES (:k, :t)"),
                    {"k": key, "t": stamp},
                )
    finally:
        engine.dispose()
    result = cli("purge", CUNQI_RETENTION_LOGIN_ATTEMPTS_DAYS="30")
    assert result.exit_code == 0, result.output
    assert "登录失败记录 1 条" in result.output
    assert _scalar(cli.url, "SELECT key FROM login_attempts") == "new"
    assert _scalar(cli.url, "SELECT count(*) FROM events WHERE action = 'retention.purge'") == 1
    again = cli("purge")
    assert "登录失败记录 0 条" in again.output
