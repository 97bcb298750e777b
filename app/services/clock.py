"""Calendar days as people in 运城 count them: dates are Asia/Shanghai, stored times are UTC."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai date of an aware UTC timestamp."""
    return moment.astimezone(SHANGHAI).date()


def day_stamp(moment: datetime) -> str:
    """YYYYMMDD in Asia/Shanghai (order numbers restart every local day)."""
    return local_date(moment).strftime("%Y%m%d")


def start_of_day(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in Asia/Shanghai."""
    return datetime.combine(day, time.min, tzinfo=SHANGHAI).astimezone(UTC)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar year in Asia/Shanghai, as UTC instants."""
    return start_of_day(date(year, 1, 1)), start_of_day(date(year + 1, 1, 1))
