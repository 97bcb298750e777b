from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.web.formatting import (
    date_zh,
    datetime_zh,
    money,
    number,
    quarter,
    to_shanghai,
    wan_yuan,
)


@pytest.mark.parametrize(
    ("fen", "expected"),
    [
        (0, "¥0.00"),
        (1, "¥0.01"),
        (5, "¥0.05"),
        (10, "¥0.10"),
        (99, "¥0.99"),
        (100, "¥1.00"),
        (101, "¥1.01"),
        (123456, "¥1,234.56"),
        (1234567, "¥12,345.67"),
        (100000000, "¥1,000,000.00"),
        (10**15, "¥10,000,000,000,000.00"),
        (-1, "-¥0.01"),
        (-1230, "-¥12.30"),
        (-1234567, "-¥12,345.67"),
        (None, "—"),
    ],
)
def test_money_formats_fen_exactly(fen, expected):
    assert money(fen) == expected


def test_money_is_exact_where_floats_are_not():
    # 0.1 + 0.2 in floats is 0.30000000000000004; in 分 it is 30.
    assert money(10 + 20) == "¥0.30"
    assert money(2**53 + 1) == "¥90,071,992,547,409.93"


@pytest.mark.parametrize("bad", [12.5, "1200", True])
def test_money_refuses_anything_but_integer_fen(bad):
    with pytest.raises(TypeError):
        money(bad)


@pytest.mark.parametrize(
    ("fen", "expected"),
    [
        (0, "0.0 万元"),
        (1, "0.0 万元"),
        (49_999, "0.0 万元"),  # 499.99 元 rounds down
        (50_000, "0.1 万元"),  # 500 元 is half of 0.1 万元: rounds up
        (99_999, "0.1 万元"),
        (100_000, "0.1 万元"),
        (949_999, "0.9 万元"),
        (950_000, "1.0 万元"),
        (1_000_000, "1.0 万元"),  # 10,000 元
        (1_234_567, "1.2 万元"),
        (123_400_000, "123.4 万元"),
        (123_449_999, "123.4 万元"),
        (123_450_000, "123.5 万元"),
        (100_000_000_000, "100,000.0 万元"),  # 10 亿元
        (-50_000, "-0.1 万元"),  # half away from zero on both sides
        (-49_999, "0.0 万元"),  # no "-0.0"
        (-123_450_000, "-123.5 万元"),
        (None, "—"),
    ],
)
def test_wan_yuan_rounds_half_away_from_zero_to_one_decimal(fen, expected):
    assert wan_yuan(fen) == expected


def test_wan_yuan_refuses_floats():
    with pytest.raises(TypeError):
        wan_yuan(1e6)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1,000"),
        (1234567, "1,234,567"),
        (-1234, "-1,234"),
        (None, "—"),
    ],
)
def test_number_groups_thousands(value, expected):
    assert number(value) == expected


def test_number_refuses_floats():
    with pytest.raises(TypeError):
        number(1.5)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 29), "2026年11月29日"),
        (date(2026, 3, 5), "2026年3月5日"),
        (datetime(2026, 11, 29, 15, 59, tzinfo=UTC), "2026年11月29日"),
        # 16:00 UTC is midnight in Shanghai: the date moves on.
        (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), "2026年11月30日"),
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "2027年1月1日"),
        (None, "—"),
    ],
)
def test_date_zh(value, expected):
    assert date_zh(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 11, 29, 6, 5, tzinfo=UTC), "2026年11月29日 14:05"),
        (datetime(2026, 11, 29, 15, 59, tzinfo=UTC), "2026年11月29日 23:59"),
        (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), "2026年11月30日 00:00"),
        (datetime(2026, 2, 28, 17, 1, tzinfo=UTC), "2026年3月1日 01:01"),
        (
            datetime(2026, 11, 29, 9, 5, tzinfo=timezone(timedelta(hours=-5))),
            "2026年11月29日 22:05",
        ),
        (
            datetime(2026, 11, 29, 14, 5, tzinfo=timezone(timedelta(hours=8))),
            "2026年11月29日 14:05",
        ),
        (None, "—"),
    ],
)
def test_datetime_zh_shows_shanghai_time(value, expected):
    assert datetime_zh(value) == expected


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        datetime_zh(datetime(2026, 11, 29, 14, 5))
    with pytest.raises(ValueError, match="naive"):
        date_zh(datetime(2026, 11, 29, 14, 5))


def test_to_shanghai_keeps_the_instant():
    utc = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    local = to_shanghai(utc)
    assert local == utc
    assert (local.day, local.hour, local.utcoffset()) == (30, 0, timedelta(hours=8))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("2026Q3",), "2026年第3季度"),
        (("2026Q1",), "2026年第1季度"),
        ((2026, 4), "2026年第4季度"),
        ((2027, 1), "2027年第1季度"),
        ((None,), "—"),
    ],
)
def test_quarter(args, expected):
    assert quarter(*args) == expected


@pytest.mark.parametrize(
    "args", [("2026Q5",), ("2026Q0",), ("2026-3",), ("2026Q3", 3), (2026, 0), (2026, 5), (2026,)]
)
def test_quarter_refuses_what_is_not_a_quarter(args):
    with pytest.raises(ValueError):
        quarter(*args)
