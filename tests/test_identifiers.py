import pytest

from app.errors import ValidationError
from app.identifiers import (
    credit_code_check_char,
    normalize_county_code,
    normalize_credit_code,
    normalize_village_code,
)


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91110108551385082Q", " 91350100m000100y43 "],
)
def test_valid_credit_codes_are_accepted_and_upper_cased(code):
    assert normalize_credit_code(code) == code.strip().upper()


@pytest.mark.parametrize(
    ("code", "error_code", "message"),
    [
        ("", "credit_code_length", "统一社会信用代码应为 18 位"),
        ("91350100M000100Y4", "credit_code_length", "统一社会信用代码应为 18 位"),
        (
            "91350100M000100Y44",
            "credit_code_check",
            "统一社会信用代码校验位不正确，请核对后重新输入",
        ),
        ("91350100M0001OOY43", "credit_code_chars", None),
        ("9135010 M000100Y43", "credit_code_chars", None),
    ],
)
def test_invalid_credit_codes_are_refused_in_chinese(code, error_code, message):
    with pytest.raises(ValidationError) as caught:
        normalize_credit_code(code)
    assert caught.value.code == error_code
    assert caught.value.field == "credit_code"
    if message:
        assert caught.value.message == message
    assert "统一社会信用代码" in caught.value.message


def test_check_char_of_the_standards_example():
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_every_single_character_change_is_detected():
    code = "91350100M000100Y43"
    for i in range(17):
        for c in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            if c != code[i]:
                changed = code[:i] + c + code[i + 1 :]
                with pytest.raises(ValidationError):
                    normalize_credit_code(changed)


@pytest.mark.parametrize("code", ["140829", "140881"])
def test_county_codes(code):
    assert normalize_county_code(code) == code


@pytest.mark.parametrize("code", ["14082", "1408290", "14082A", "140800", ""])
def test_bad_county_codes(code):
    with pytest.raises(ValidationError) as caught:
        normalize_county_code(code)
    assert caught.value.code == "county_code_invalid"
    assert "6 位数字" in caught.value.message


def test_village_codes_must_be_12_digits_inside_their_county():
    assert normalize_village_code("140829100201", county_code="140829") == "140829100201"
    with pytest.raises(ValidationError) as caught:
        normalize_village_code("14082910020", county_code="140829")
    assert caught.value.message == "村级统计代码应为 12 位数字"
    with pytest.raises(ValidationError) as caught:
        normalize_village_code("140830100201", county_code="140829")
    assert caught.value.code == "village_code_county_mismatch"
    assert caught.value.message == "村级统计代码应以所属县的代码 140829 开头"
