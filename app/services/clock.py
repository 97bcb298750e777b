"""Calendar days as people in 运城 count them: dates are Asia/Shanghai, stored times are UTC.

The one source of "today" for business rules (which quarter it is, whether a quarter has ended,
how far ahead an agreement may start). In development ``CUNQI_FAKE_TODAY`` moves that day, so the
demo and tests can walk through quarters; it is ignored in production (``cunqi check-deploy``
refuses it there). Stored timestamps (``utcnow``) stay the true time: the audit trail never lies.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from app.config import get_settings
from app.errors import ValidationError

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The years the ledger can be asked about: the programmes start in the 2020s; far years are typos.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def today() -> date:
    """Today's date in Asia/Shanghai (``CUNQI_FAKE_TODAY`` in development, when set)."""
    return local_date(now())


def now() -> datetime:
    """The current instant (aware, UTC) as business rules see it: the real time, or in
    development the same time of day on ``CUNQI_FAKE_TODAY`` (Asia/Shanghai)."""
    real = datetime.now(UTC)
    settings = get_settings()
    if settings.fake_today is None or settings.is_production:
        return real
    local = real.astimezone(SHANGHAI)
    return datetime.combine(settings.fake_today, local.time(), tzinfo=SHANGHAI).astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai date of an aware UTC timestamp."""
    return moment.astimezone(SHANGHAI).date()


def day_stamp(moment: datetime) -> str:
    """YYYYMMDD in Asia/Shanghai (order numbers restart every local day)."""
    return local_date(moment).strftime("%Y%m%d")


def start_of_day(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in Asia/Shanghai."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def valid_year(year: int, *, field: str = "year") -> int:
    """``year`` if the ledger can be asked about it, else a Chinese error on ``field``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            f"年份应在 {FIRST_YEAR} 到 {LAST_YEAR} 之间", code="year_invalid", field=field
        )
    return year


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar year in Asia/Shanghai, as UTC instants."""
    valid_year(year)
    return start_of_day(date(year, 1, 1)), start_of_day(date(year + 1, 1, 1))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, or the month's last day when it has none
    (2026-11-30 + 3 months is 2027-02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + month // 12, month % 12 + 1, 1)
    last = (following - date.resolution).day
    return date(year, month, min(day.day, last))
