"""pg_dump and pg_restore: found, checked against the server's version, run without putting the
password on a command line (libpq reads it from the environment)."""

import os
import re
import shutil
import subprocess

from sqlalchemy.engine import Connection, make_url

from app.backup.archive import BackupError
from app.config import Settings


def libpq_environment(database_url: str) -> dict[str, str]:
    """The libpq variables (PGHOST, PGDATABASE, PGPASSWORD …) that name the database."""
    url = make_url(database_url)
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    for key, value in url.query.items():  # e.g. ?sslmode=require
        if key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
            values[f"PG{key.upper()}"] = value if isinstance(value, str) else value[0]
    return {key: value for key, value in values.items() if value}


def tool_major(program: str) -> int:
    """The major version of pg_dump or pg_restore; BackupError when it is missing."""
    if shutil.which(program) is None:
        raise BackupError(
            f"找不到 {program}：请安装与数据库服务器同一主版本的 postgresql-client"
            "（make pg-client），或用 CUNQI_PG_DUMP / CUNQI_PG_RESTORE 指定路径"
        )
    output = subprocess.run(
        [program, "--version"], capture_output=True, text=True, check=False
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    if found is None:
        raise BackupError(f"无法识别 {program} 的版本：{output.strip()}")
    return int(found.group(1))


def server_major(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SHOW server_version_num").scalar()) // 10000


def check_versions(settings: Settings, conn: Connection, program: str) -> dict[str, str]:
    """pg_dump/pg_restore must be at least the server's major version (older ones refuse)."""
    server, tool = server_major(conn), tool_major(program)
    if tool < server:
        raise BackupError(
            f"{program} 的主版本 {tool} 低于数据库服务器的 {server}：请安装 "
            f"postgresql-client-{server}（或更新版本）"
        )
    return {"postgresql_server": str(server), os.path.basename(program): str(tool)}


def run(settings: Settings, program: str, arguments: list[str]) -> None:
    env = os.environ | libpq_environment(settings.database_url)
    result = subprocess.run(
        [program, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = " ".join(result.stderr.split())[:500]
        raise BackupError(
            f"{os.path.basename(program)} 失败（退出码 {result.returncode}）：{detail}"
        )
