"""How numbers, money, dates and quarters read on a page (Jinja filters; pure functions).

Money arrives as integer 分 and is formatted with integer arithmetic only, so a ledger total on the
page is exactly the one in the database. Times are stored in UTC and shown in Asia/Shanghai.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.labels import CERTIFICATION
from app.models.enums import Certification
from app.models.flags import from_mask
from app.money import fen_to_yuan
from app.services.products import CERTIFICATE_FIELDS

SHANGHAI = ZoneInfo("Asia/Shanghai")
MISSING = "—"
FEN_PER_YUAN = 100
FEN_PER_TENTH_WAN = 100_000  # 0.1 万元 = 1,000 元
_PERIOD = re.compile(r"(\d{4})Q([1-4])")


def _require_int(value: object) -> int:
    # bool is an int too, and a float would silently round: both are bugs upstream.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}: {value!r}")
    return value


def number(value: int | None) -> str:
    """12345 → ``12,345``."""
    if value is None:
        return MISSING
    return f"{_require_int(value):,}"


def money(fen: int | None) -> str:
    """分 → ``¥12,345.67`` (exact); negative amounts read ``-¥12.30``."""
    if fen is None:
        return MISSING
    sign = "-" if _require_int(fen) < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def wan_yuan(fen: int | None) -> str:
    """分 → ``123.4 万元``, rounded half away from zero to 0.1 万元 (四舍五入)."""
    if fen is None:
        return MISSING
    tenths, rest = divmod(abs(_require_int(fen)), FEN_PER_TENTH_WAN)
    if 2 * rest >= FEN_PER_TENTH_WAN:
        tenths += 1
    sign = "-" if fen < 0 and tenths else ""
    whole, tenth = divmod(tenths, 10)
    return f"{sign}{whole:,}.{tenth} 万元"


def to_shanghai(value: datetime) -> datetime:
    """An aware datetime in Asia/Shanghai; naive datetimes are refused (times are stored in UTC)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: store and pass aware UTC times")
    return value.astimezone(SHANGHAI)


def date_zh(value: date | datetime | None) -> str:
    """``2026年11月29日``; a datetime is first converted to Asia/Shanghai."""
    if value is None:
        return MISSING
    if isinstance(value, datetime):
        value = to_shanghai(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def datetime_zh(value: datetime | None) -> str:
    """``2026年11月29日 14:05`` in Asia/Shanghai."""
    if value is None:
        return MISSING
    local = to_shanghai(value)
    return f"{date_zh(local.date())} {local:%H:%M}"


def quarter(value: int | str | None, q: int | None = None) -> str:
    """``2026年第3季度`` from ``"2026Q3"`` or from a year and a quarter (``2026|quarter(3)``)."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        match = _PERIOD.fullmatch(value)
        if match is None or q is not None:
            raise ValueError(f"not a period like 2026Q3: {value!r}")
        year, q = int(match[1]), int(match[2])
    else:
        year = _require_int(value)
        if q is None or _require_int(q) not in (1, 2, 3, 4):
            raise ValueError(f"quarter must be 1–4, got {q!r}")
    return f"{year}年第{q}季度"


@dataclass(frozen=True, slots=True)
class Claim:
    label: str
    number: str


def certification_claims(product) -> list[Claim]:
    """The certifications a product claims, each with its certificate number (may be empty)."""
    return [
        Claim(CERTIFICATION[c], getattr(product, CERTIFICATE_FIELDS[c]))
        for c in from_mask(product.certifications, Certification)
    ]


FILTERS = {
    "certification_claims": certification_claims,
    "number": number,
    "money": money,
    "wan_yuan": wan_yuan,
    "yuan_value": fen_to_yuan,  # machine-readable 元 for <data value="">
    "date": date_zh,
    "datetime": datetime_zh,
    "quarter": quarter,
}
