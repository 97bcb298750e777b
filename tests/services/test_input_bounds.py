"""Every service input model refuses control characters, invisible-only text, amounts beyond the
bounds and dates out of range, with a Chinese message on the field (docs/decisions/0020)."""

import importlib
import inspect
import pkgutil
import re
from datetime import date
from typing import Annotated, get_args

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, select

import app.services
from app.actors import Actor, Role
from app.errors import ValidationError
from app.models import ApiToken
from app.money import MAX_AMOUNT_FEN, MAX_UNIT_PRICE_FEN
from app.services.api_tokens import create_api_token
from app.services.inputs import InputErrors, clean_text, parse

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FORBIDDEN_ANYWHERE = (
    [chr(c) for c in range(0x20) if chr(c) not in "\n\t"]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    + ["\ud800", "\udfff"]
)
FORBIDDEN_IN_ONE_LINE = ["\n", "\t", "\u2028", "\u2029"]
INVISIBLE = [
    *"\u200b\u200c\u200d\u2060\ufeff\u00ad\u3000\u00a0\u2003\u202f\u205f\u180e",
    *"\ufe0f\ufe00\u115f\u1160\u3164\uffa0\u2800\u034f\u200e\u200f \n\t",
    "\U000e0100",
    "\U000e0020",
]
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def input_models() -> list[type[pydantic.BaseModel]]:
    found = {}
    for info in pkgutil.walk_packages(app.services.__path__, "app.services."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, pydantic.BaseModel)
                and not issubclass(value, SQLModel)
                and value.__module__ == module.__name__
                and value.model_fields
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


MODELS = input_models()


def fields_of(*kinds) -> list[tuple[type, str]]:
    return [
        (model, name)
        for model in MODELS
        for name, info in model.model_fields.items()
        if info.annotation in kinds or any(a in kinds for a in get_args(info.annotation))
    ]


def is_multiline(model, name) -> bool:
    return any(
        getattr(getattr(m, "func", None), "__name__", "") == "_clean_lines"
        for m in model.model_fields[name].metadata
    )


TEXT_FIELDS = [(m, n) for m, n in fields_of(str) if n != "password"]
INT_FIELDS = fields_of(int)
DATE_FIELDS = fields_of(date)


def errors_on(model, field: str, value) -> list:
    try:
        parse(model, {field: value})
    except InputErrors as exc:
        return [e for e in exc.errors if e.field == field]
    return []


def ids(pairs):
    return [f"{m.__name__}.{n}" for m, n in pairs]


def test_the_models_are_found():
    assert len(MODELS) >= 19
    assert len(TEXT_FIELDS) >= 50
    assert len(DATE_FIELDS) >= 6


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS, ids=ids(TEXT_FIELDS))
def test_every_text_field_uses_a_shared_text_type(model, field):
    names = {
        getattr(getattr(m, "func", None), "__name__", "")
        for m in model.model_fields[field].metadata
    }
    assert names & {"_clean_line", "_clean_lines"}, f"{model.__name__}.{field} is a plain str"


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS, ids=ids(TEXT_FIELDS))
def test_control_and_bidi_characters_are_refused_in_every_text_field(model, field):
    forbidden = FORBIDDEN_ANYWHERE + ([] if is_multiline(model, field) else FORBIDDEN_IN_ONE_LINE)

    @FUZZ
    @given(
        before=st.text(st.characters(codec="utf-8", categories=["L", "N"]), max_size=6),
        bad=st.sampled_from(forbidden),
        after=st.text(st.characters(codec="utf-8", categories=["L", "N"]), max_size=6),
    )
    def check(before, bad, after):
        errors = errors_on(model, field, f"合作社{before}{bad}{after}说明")
        assert [e.code for e in errors] in (["text_control"], ["text_bidi"]), (bad, errors)
        assert CHINESE.search(errors[0].message)

    check()


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS, ids=ids(TEXT_FIELDS))
def test_text_made_only_of_invisible_characters_is_empty(model, field):
    info = model.model_fields[field]
    min_length = max((getattr(m, "min_length", 0) or 0 for m in info.metadata), default=0)

    as_empty = [(e.code, e.message) for e in errors_on(model, field, "")]
    # A line break inside a one-line field is refused as a control character instead
    invisible = (
        INVISIBLE if is_multiline(model, field) else [c for c in INVISIBLE if c not in "\n\t"]
    )

    @FUZZ
    @given(st.lists(st.sampled_from(invisible), min_size=1, max_size=8).map("".join))
    def check(value):
        # Then the field is treated exactly as if it had been left empty
        assert [(e.code, e.message) for e in errors_on(model, field, value)] == as_empty
        alone = pydantic.TypeAdapter(Annotated[(info.annotation, *info.metadata)])
        if min_length:
            with pytest.raises(pydantic.ValidationError):
                alone.validate_python(value)
        else:
            assert alone.validate_python(value) == ""

    check()


def test_text_is_normalised_and_trimmed_but_keeps_its_lines():
    from app.services.villages import VillageProfileUpdate

    form = parse(
        VillageProfileUpdate,
        {
            "contact_name": "\u200b 张三\u3000",
            "introduction": " 第一行\r\n第二行\t好 ",
            "resources": "Cafe\u0301",
        },
    )
    assert form.contact_name == "张三"
    assert form.introduction == "第一行\n第二行\t好"
    assert form.resources == "Café"


def money_fields() -> list[tuple[type, str]]:
    # A money field answers a third of a 分 with the precision message, whatever its title.
    return [
        (model, name)
        for model, name in INT_FIELDS
        if any("精确到分" in e.message for e in errors_on(model, name, "0.001"))
    ]


MONEY_FIELDS = money_fields()


def test_the_money_fields_are_found():
    assert len(MONEY_FIELDS) >= 14


@pytest.mark.parametrize(("model", "field"), MONEY_FIELDS, ids=ids(MONEY_FIELDS))
def test_every_money_field_refuses_huge_negative_and_fractional_amounts(model, field):
    bound = (
        MAX_UNIT_PRICE_FEN if "单价" in (model.model_fields[field].title or "") else MAX_AMOUNT_FEN
    )
    just_over = f"{bound // 100}.01"
    for value in [
        just_over,
        str(2**63),
        "1e30",
        "9" * 400,
        "-1",
        "-0.01",
        "0.001",
        "1.005",
        "NaN",
        "Infinity",
    ]:
        errors = errors_on(model, field, value)
        assert len(errors) == 1, (value, errors)
        assert CHINESE.search(errors[0].message), (value, errors)
    assert errors_on(model, field, f"{bound // 100}.00") == []


@given(fen=st.integers(min_value=MAX_AMOUNT_FEN + 1, max_value=10**40))
@FUZZ
def test_amounts_past_the_bound_are_refused_in_every_money_field(fen):
    for model, field in MONEY_FIELDS:
        assert errors_on(model, field, f"{fen // 100}.{fen % 100:02d}"), (model, field, fen)


@pytest.mark.parametrize(("model", "field"), INT_FIELDS, ids=ids(INT_FIELDS))
def test_every_whole_number_field_is_bounded(model, field):
    is_id = field.endswith("_id")
    # Ids may be any row's (up to 2^63 - 1); counts and amounts stay far below 2^31
    if is_id:
        extra = [0, -1]
    elif field.endswith("_fen"):
        extra = [MAX_AMOUNT_FEN + 1]
    else:
        extra = [2**31]
    for value in [2**63, 2**64, 10**30, *extra]:
        errors = errors_on(model, field, value)
        assert len(errors) == 1, (field, value)
        assert CHINESE.search(errors[0].message)
        if is_id:
            assert errors[0].code == "id_not_found"
            assert errors[0].message.endswith("不存在")


@pytest.mark.parametrize(("model", "field"), DATE_FIELDS, ids=ids(DATE_FIELDS))
def test_every_date_field_is_between_2000_and_2100(model, field):
    for value in [
        "1999-12-31",
        "2101-01-01",
        "0001-01-01",
        "0000-01-01",
        "9999-12-31",
        "10000-01-01",
        "-2026-01-01",
    ]:
        errors = errors_on(model, field, value)
        assert len(errors) == 1, (value, errors)
        assert CHINESE.search(errors[0].message), (value, errors)


@pytest.mark.parametrize("bad", ["令牌\x00", "\u202e令牌", "令\n牌", "\ud800"])
def test_a_text_argument_outside_a_model_is_refused_the_same_way(session, bad):
    actor = Actor(role=Role.admin, user_id=1, name="管理员")
    with pytest.raises(ValidationError) as caught:
        create_api_token(session=session, actor=actor, name=bad)
    assert caught.value.code in ("text_control", "text_bidi")
    assert caught.value.field == "name"
    assert CHINESE.search(caught.value.message)
    assert session.exec(select(ApiToken)).all() == []


def test_clean_text_keeps_lines_in_multiline_text():
    assert clean_text(" 第一行\r\n第二行 ", multiline=True) == "第一行\n第二行"
    assert clean_text("\u200b\u3000") == ""
