"""Settings read from the environment (prefix ``CUNQI_``) and ``.env``."""

import ipaddress
import secrets
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# npmmirror (the npm mirror reachable from mainland China) serves each published file of a
# package at /<name>/<version>/files/<path>: the same bytes as node_modules/htmx.org after `npm ci`.
HTMX_CDN_URL = "https://registry.npmmirror.com/htmx.org/2.0.11/files/dist/htmx.min.js"
HTMX_CDN_INTEGRITY = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
VAR_DIR = Path("var")
MIN_SECRET_LENGTH = 32


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"127.0.0.1/32, 10.0.0.0/8"`` → networks; a bare address is its own /32 or /128.
    Raises ValueError naming the first entry that is not an address or network."""
    return tuple(
        ipaddress.ip_network(entry, strict=False)
        for entry in (part.strip() for part in text.replace(";", ",").split(","))
        if entry
    )


class Environment(StrEnum):
    development = "development"
    production = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUNQI_", env_file=".env", extra="ignore")

    environment: Environment = Environment.development
    database_url: str = Field(default=f"sqlite:///{VAR_DIR / 'cunqi.sqlite3'}")
    index_dir: Path = VAR_DIR / "index"
    # Uploaded evidence and product photos: outside the web root, served only through handlers.
    upload_dir: Path = VAR_DIR / "uploads"
    secret_key: str = ""
    htmx_url: str = HTMX_CDN_URL
    htmx_integrity: str = HTMX_CDN_INTEGRITY
    sqlite_busy_timeout_ms: int = 5000
    debug: bool = False
    # None: decided by the environment (on in development, off in production).
    cookie_secure: bool | None = None
    graphiql: bool | None = None
    introspection: bool | None = None
    # argon2id parameters; changing them rehashes each password at its owner's next sign-in.
    password_time_cost: int = 3
    password_memory_kib: int = 65536
    password_parallelism: int = 2
    session_max_age_seconds: int = 14 * 24 * 3600
    # Sign-in (docs/decisions/0018-abuse-limits.md): after this many attempts not followed by a
    # success, per (account, address) and per address, each further attempt waits twice as long
    # as the last (base … max seconds); attempts are forgotten after a quiet window. Never a lock.
    login_window_seconds: int = 15 * 60
    login_max_failures_per_account: int = 5
    login_max_failures_per_ip: int = 30
    login_delay_base_seconds: int = Field(default=1, ge=1)
    login_delay_max_seconds: int = Field(default=300, ge=1)
    # Two-factor sign-in (docs/decisions/0035): None decides by the environment (required of
    # bureau and admin accounts in production, offered to everyone everywhere).
    require_totp_for_staff: bool | None = None
    # Self-registration: per client address per hour, per credit code (or village) per day.
    register_per_address_per_hour: int = 5
    register_per_organisation_per_day: int = 3
    # Objections to certifications on notice: per client address per hour, per contact per day.
    objections_per_address_per_hour: int = 10
    objections_per_contact_per_day: int = 5
    # GraphQL requests per minute: per account (token or session), per address when anonymous.
    # Each process counts locally and adds its counts to the shared counter every sync interval.
    api_requests_per_minute: int = 600
    api_anonymous_requests_per_minute: int = 300
    api_limit_sync_seconds: float = Field(default=1.0, gt=0)
    max_body_bytes: int = 10 * 1024 * 1024
    # GraphQL queries run at once in one worker process (mutations are not held back): threads
    # beyond this only hand the GIL to and fro (docs/scaling.md, bench/README.md).
    graphql_query_threads: int = Field(default=1, ge=1)
    # GraphQL operations one client (user, or address when anonymous) may have queued or running
    # in one worker process; more at once are refused with 429 (docs/decisions/0014).
    graphql_per_client: int = Field(default=2, ge=1)
    host: str = "127.0.0.1"
    port: int = 8000
    # Behind a reverse proxy (docs/decisions/0027-proxy-and-observability.md): the site's public
    # address (https://…, no path), and the proxies (addresses or CIDRs, comma-separated) whose
    # X-Forwarded-For/-Proto/-Host and X-Request-ID are believed. Nobody else's are.
    public_url: str = ""
    trusted_proxies: str = "127.0.0.1/32,::1/128"
    # Who may read /metrics (addresses or CIDRs, after the proxy rule above); others get 404.
    metrics_allow: str = "127.0.0.1/32,::1/128"
    # Where `cunqi serve` keeps the worker processes' metric files (one folder per port).
    metrics_dir: Path = VAR_DIR / "metrics"
    # Logs: one JSON object per line (json) or plain text (text); the level of our own loggers.
    log_format: str = Field(default="json", pattern="^(json|text)$")
    log_level: str = Field(default="INFO", pattern="^(?i)(debug|info|warning|error)$")
    # /readyz: not ready while the oldest search change waits longer than this, or while a
    # backlog (search outbox, unsent mail, queued jobs) is longer than this many rows.
    ready_search_lag_seconds: int = Field(default=300, ge=1)
    ready_backlog_max: int = Field(default=10000, ge=1)
    # Email of notifications: off while smtp_host is empty.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_sender: str = "noreply@cunqi.local"
    smtp_timeout_seconds: float = 5.0
    mail_retry_seconds: int = 60
    # 公示期: days a certification stays on public notice before it takes effect.
    certification_notice_days: int = 5
    # An order the cooperative has not confirmed within this many hours expires: its held stock
    # goes back on sale (checked by a periodic job, decision 0036).
    order_confirm_hours: int = Field(default=72, ge=1, le=24 * 60)
    # 报送期: a quarter's outcome report is overdue once this many days after the quarter's end
    # have passed (0: overdue from the first day after the quarter).
    reporting_window_days: int = Field(default=15, ge=0, le=90)
    # Retention (app/services/retention.py): days kept after a row stops being needed.
    retention_login_attempts_days: int = Field(default=30, ge=1)
    retention_sessions_days: int = Field(default=30, ge=1)
    # Longer than the longest limit window (a day) and sign-in wait (minutes).
    retention_rate_limit_days: int = Field(default=2, ge=2)
    retention_api_tokens_days: int = Field(default=90, ge=1)
    retention_sent_mail_days: int = Field(default=90, ge=1)
    retention_read_notifications_days: int = Field(default=180, ge=1)
    # How often the purge runs (once per period across all processes: a periodic job).
    retention_interval_seconds: int = Field(default=3600, ge=60)
    # Finished background jobs (done or failed) are deleted after this many days.
    retention_jobs_days: int = Field(default=7, ge=1)
    # Background jobs (docs/decisions/0028-durable-background-work.md). None: the serving process
    # runs them itself on SQLite (one machine, no extra service) and leaves them to `cunqi worker`
    # on PostgreSQL; `cunqi serve --no-jobs` turns it off.
    jobs_in_server: bool | None = None
    # How often an idle runner looks for due jobs; how long a claimed job stays its runner's
    # (renewed while it runs; a runner that died loses it when it ends); attempts per job.
    job_poll_seconds: float = Field(default=1.0, gt=0)
    job_lease_seconds: int = Field(default=60, ge=2)
    job_max_attempts: int = Field(default=3, ge=1)
    # Ledger export files are deleted this many days after they were written.
    export_retention_days: int = Field(default=7, ge=1)
    # A pause after each sheet of a ledger export: only for drills and tests of an interrupted
    # export (check-deploy refuses it in production).
    export_pause_seconds: float = Field(default=0.0, ge=0)
    # 千企帮千村 agreement dates (docs/decisions/0030-agreement-dates-and-corrections.md): a term
    # may start this many days before the current quarter (paper agreements entered late; the
    # agreement is flagged 补录 for the bureau), and at most this many months ahead of today.
    agreement_late_start_grace_days: int = Field(default=30, ge=0, le=366)
    agreement_max_lead_months: int = Field(default=6, ge=1, le=24)
    # Development only: business rules take this date (YYYY-MM-DD, Asia/Shanghai) as today, so a
    # demo can move through quarters. Ignored in production, where check-deploy refuses it.
    fake_today: date | None = None
    # `cunqi backup` writes its archives here unless --output names a file.
    backup_dir: Path = VAR_DIR / "backups"
    # The pg_dump / pg_restore programs (PATH or a full path), for PostgreSQL backups.
    pg_dump: str = "pg_dump"
    pg_restore: str = "pg_restore"

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.production

    @property
    def secure_cookies(self) -> bool:
        return self.is_production if self.cookie_secure is None else self.cookie_secure

    @property
    def graphiql_enabled(self) -> bool:
        return not self.is_production if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return not self.is_production if self.introspection is None else self.introspection

    @property
    def totp_required_for_staff(self) -> bool:
        if self.require_totp_for_staff is None:
            return self.is_production
        return self.require_totp_for_staff

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def server_runs_jobs(self) -> bool:
        return self.is_sqlite if self.jobs_in_server is None else self.jobs_in_server

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

    @property
    def metrics_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.metrics_allow)

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _networks(cls, value: str, info) -> str:
        try:
            parse_networks(value)
        except ValueError as exc:
            name = f"CUNQI_{info.field_name.upper()}"
            message = f"{name} 应为逗号分隔的 IP 地址或网段（如 10.0.0.0/8）：{exc}"
            raise ValueError(message) from None
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ValueError(
                "CUNQI_PUBLIC_URL 应为站点地址，如 https://cunqi.example.cn（不带路径）"
            )
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def public_origin(self) -> str | None:
        return self.public_url or None

    @model_validator(mode="after")
    def _secret_key(self) -> "Settings":
        if self.secret_key:
            return self
        if self.is_production:
            raise ValueError("生产环境必须设置 CUNQI_SECRET_KEY（至少 32 个字符）")
        self.secret_key = _development_secret(VAR_DIR / "secret_key")
        return self


def _development_secret(path: Path) -> str:
    """Read the development secret, creating it on first run."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
