"""Public free text refuses phone and resident ID numbers, in every published field and in every
way a number is commonly written; credit codes, prices, dates and quantities pass."""

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.demands import DemandInput
from app.services.inputs import InputErrors, parse
from app.services.organisations import CooperativeCreate, EnterpriseCreate
from app.services.privacy import PERSONAL_NUMBER_MESSAGE, personal_numbers, resident_id_valid
from app.services.products import ProductInput
from app.services.villages import NeedInput, VillageCreate, VillageProfileUpdate
from tests.factories import valid_credit_code

# Every free-text field that is shown to the public (or to every cooperative, for demands).
PUBLIC_FIELDS = [
    (VillageCreate, "main_industries"),
    (VillageCreate, "resources"),
    (VillageCreate, "introduction"),
    (VillageProfileUpdate, "main_industries"),
    (VillageProfileUpdate, "resources"),
    (VillageProfileUpdate, "introduction"),
    (NeedInput, "description"),
    (EnterpriseCreate, "introduction"),
    (CooperativeCreate, "introduction"),
    (ProductInput, "name"),
    (ProductInput, "description"),
    (DemandInput, "title"),
    (DemandInput, "keywords"),
    (DemandInput, "note"),
]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(region: str = "140802", born: str = "19850612", serial: str = "123") -> str:
    body = region + born + serial
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def _mobile_variants(number: str) -> list[str]:
    a, b, c = number[:3], number[3:7], number[7:]
    return [
        number,
        f"{a} {b} {c}",
        f"{a}-{b}-{c}",
        f"+86{number}",
        f"+86 {a} {b} {c}",
        f"86-{number}",
        number.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ]


PERSONAL = [
    *_mobile_variants("13812345678"),
    *_mobile_variants("19955501234"),
    "0359-2345678",
    "0359 2345678",
    "(0359)2345678",
    "（0359）2345678",
    "010-87654321",
    "03592345678",
    resident_id(),
    resident_id(born="20011231", serial="00"[:2] + "7"),
    resident_id(region="110101", born="19900307").lower(),
]
NOT_PERSONAL = [
    valid_credit_code(),
    valid_credit_code("93140829"),
    "911408001234567890",  # an all-digit 18-character code with no valid ID shape
    "单价 12.50 元/斤，起订 500 斤",
    "2026-12-07 前交货",
    "2026年12月7日",
    "年产 13800 吨，库存 1234567 斤",
    "订单号 DD-20261207-0001",
    "占地 1380 亩，带动 45 户",
    resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1"),  # wrong check digit
]


@pytest.mark.parametrize(("model", "field"), PUBLIC_FIELDS, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("number", PERSONAL)
def test_every_public_field_refuses_a_personal_number(model, field, number):
    with pytest.raises(InputErrors) as caught:
        parse(model, {field: f"欢迎联系：{number}，谢谢"})
    messages = {error.field: error.message for error in caught.value.errors}
    assert messages[field] == PERSONAL_NUMBER_MESSAGE


@pytest.mark.parametrize(("model", "field"), PUBLIC_FIELDS, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("text", NOT_PERSONAL)
def test_codes_prices_dates_and_quantities_pass(model, field, text):
    try:
        parse(model, {field: text})
    except InputErrors as caught:
        assert field not in {error.field for error in caught.errors}


@given(
    prefix=st.sampled_from(["13", "14", "15", "16", "17", "18", "19"]),
    rest=st.text(alphabet="0123456789", min_size=9, max_size=9),
    separator=st.sampled_from(["", " ", "-"]),
    around=st.sampled_from([("", ""), ("电话", "。"), ("（", "）"), ("请拨 ", " 联系")]),
)
def test_any_mainland_mobile_number_is_found(prefix, rest, separator, around):
    number = prefix + rest
    written = separator.join([number[:3], number[3:7], number[7:]])
    assert personal_numbers(around[0] + written + around[1]) == [written]


@given(
    born=st.dates(min_value=date(1920, 1, 1), max_value=date(2026, 1, 1)),
    serial=st.integers(min_value=0, max_value=999),
)
def test_any_resident_id_with_its_check_digit_is_found_and_a_wrong_one_is_not(born, serial):
    number = resident_id(born=born.strftime("%Y%m%d"), serial=f"{serial:03d}")
    assert resident_id_valid(number)
    assert personal_numbers(f"身份证号{number}") == [number]
    wrong = number[:-1] + random.Random(serial).choice(
        [c for c in "0123456789X" if c != number[-1]]
    )
    assert personal_numbers(f"身份证号{wrong}") == []


@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=0, max_value=99))
def test_prices_and_quantities_never_look_like_numbers_of_people(yuan, fen):
    assert personal_numbers(f"单价 {yuan}.{fen:02d} 元，数量 {yuan} 斤") == []
