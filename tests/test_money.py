import pytest

from app.errors import ValidationError
from app.money import fen_to_yuan, yuan_to_fen


@pytest.mark.parametrize(
    ("raw", "fen"),
    [("12.34", 1234), ("0", 0), ("1,200", 120000), ("¥5.5", 550), (7, 700), ("0.01", 1)],
)
def test_yuan_to_fen_is_exact(raw, fen):
    assert yuan_to_fen(raw) == fen


def test_no_float_rounding_on_large_amounts():
    assert yuan_to_fen("99999999999.99", maximum=10**13) == 9_999_999_999_999


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "required"),
        ("abc", "invalid_amount"),
        ("-1", "negative_amount"),
        ("1.234", "amount_precision"),
        ("NaN", "invalid_amount"),
        ("1e20", "amount_too_large"),
    ],
)
def test_bad_amounts_are_refused_in_chinese(raw, code):
    with pytest.raises(ValidationError) as caught:
        yuan_to_fen(raw, label="单价", field="price")
    assert caught.value.code == code
    assert caught.value.field == "price"
    assert "单价" in caught.value.message


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0.00"), (5, "0.05"), (123456, "1234.56"), (-150, "-1.50")]
)
def test_fen_to_yuan(fen, text):
    assert fen_to_yuan(fen) == text
