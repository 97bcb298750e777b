"""Scalars: money as a decimal string in 元, times in ISO 8601 at Asia/Shanghai."""

from datetime import UTC, date, datetime
from typing import Any, NewType
from zoneinfo import ZoneInfo

import strawberry
from graphql import IntValueNode, StringValueNode, ValueNode
from strawberry.exceptions import StrawberryInputCoercionError

from app.money import fen_to_yuan
from app.services.inputs import EARLIEST_DATE, LATEST_DATE

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Outputs carry integer 分 from the database; inputs carry the text the client sent, which the
# service parses into 分 and refuses with a field error (payload ``errors``) when malformed.
Money = NewType("Money", str)


def _serialize_money(fen: int) -> str:
    return fen_to_yuan(fen)


def _parse_money(value: object) -> str:
    # JSON numbers would pass through binary floating point: only text and integers are exact.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise StrawberryInputCoercionError('金额应为字符串形式的元，如 "1234.50"')
    return str(value)


def _parse_money_literal(node: ValueNode, _variables=None) -> str:
    if isinstance(node, StringValueNode | IntValueNode):
        return node.value
    raise StrawberryInputCoercionError('金额应为字符串形式的元，如 "1234.50"')


MONEY = strawberry.scalar(
    name="Money",
    description='金额，单位元，十进制字符串，精确到分，如 "1234.50"（内部以整数分存储）。',
    serialize=_serialize_money,
    parse_value=_parse_money,
    parse_literal=_parse_money_literal,
)


_DATE_RANGE = f"{EARLIEST_DATE.isoformat()} 至 {LATEST_DATE.isoformat()}"


def _in_range(value: date, message: str) -> None:
    # The same bounds as the services' BoundedDate: year 0 or 10000 never reaches a query.
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise StrawberryInputCoercionError(message)


def _serialize_datetime(value: datetime) -> str:
    return value.astimezone(SHANGHAI).isoformat()


def _parse_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise StrawberryInputCoercionError("时间应为 ISO 8601 字符串，如 2026-11-29T08:00:00+08:00")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise StrawberryInputCoercionError(
            "时间应为 ISO 8601 字符串，如 2026-11-29T08:00:00+08:00"
        ) from None
    _in_range(parsed.date(), f"时间应在 {_DATE_RANGE} 之间")
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)).astimezone(UTC)


DATETIME = strawberry.scalar(
    name="DateTime",
    description="时间，ISO 8601，带时区（输出为北京时间 +08:00）；不带时区的输入按北京时间理解。",
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)


def _parse_date(value: object) -> date:
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            _in_range(parsed, f"日期应在 {_DATE_RANGE} 之间")
            return parsed
    raise StrawberryInputCoercionError("日期应为 ISO 8601 字符串，如 2026-11-29")


DATE = strawberry.scalar(
    name="Date",
    description="日期，ISO 8601，如 2026-11-29（北京时间的日历日）。",
    serialize=date.isoformat,
    parse_value=_parse_date,
)

# Before/after snapshots of an event: whatever JSON the service recorded.
JSONValue = NewType("JSONValue", object)

JSON = strawberry.scalar(
    name="JSON",
    description="任意 JSON 值（操作记录的变更前后内容）。",
    serialize=lambda value: value,
    parse_value=lambda value: value,
)

SCALAR_MAP: dict[Any, Any] = {Money: MONEY, datetime: DATETIME, date: DATE, JSONValue: JSON}
