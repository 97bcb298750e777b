"""Bad text, amounts and ids through GraphQL: a Chinese error in the payload, nothing written."""

import pytest
import sqlalchemy as sa

from app.models import Product

PRODUCT = """mutation($input: ProductFieldsInput!) {
  createProduct(input: $input) { product { id } errors { field code message } }
}"""


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"name": "百合\x00"}, "name", "text_control"),
        ({"name": "\u2067百合\u2069"}, "name", "text_bidi"),
        ({"name": "\u3164\u3164\u115f"}, "name", "string_too_short"),
        ({"description": "好\x00"}, "description", "text_control"),
        ({"price": "10000000.01"}, "price", "value_error"),
        ({"price": "1" + "0" * 30}, "price", "value_error"),
        ({"stock": 2**31 - 1}, "stock", "less_than_equal"),
    ],
)
def test_graphql_refuses_bad_input_in_the_payload_and_writes_nothing(
    gql_writer, change, field, code
):
    fields = {
        "name": "平陆百合",
        "category": "VEGETABLE",
        "unit": "斤",
        "price": "35.00",
        "stock": 10,
    }
    before = _products(gql_writer.database)
    body = gql_writer.run(PRODUCT, {"input": fields | change}, actor="cooperative")
    payload = body["data"]["createProduct"]
    assert payload["product"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert "\u4e00" <= payload["errors"][0]["message"][0] <= "\u9fff"
    assert _products(gql_writer.database) == before


def _products(database) -> int:
    with database.read_only() as session:
        return session.execute(sa.select(sa.func.count()).select_from(Product)).scalar_one()


@pytest.mark.parametrize(
    "value", ["1999-12-31", "2101-01-01", "0001-01-01", "0000-01-01", "10000-01-01", "9999-12-31"]
)
def test_date_arguments_out_of_range_are_a_clean_error_in_chinese(gql, value):
    for document, variables in [
        ("query($d: Date) { consumptionByCounty(since: $d) { code } }", {"d": value}),
        (
            "query($f: AgreementFilter) { agreements(filter: $f) { totalCount } }",
            {"f": {"startFrom": value}},
        ),
    ]:
        body = gql.run(document, variables, actor="bureau_city")
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] != "internal_error"
        assert "日期" in error["message"]


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00", "1999-12-31T23:00:00"]
)
def test_datetime_values_out_of_range_are_refused_in_chinese(value):
    from strawberry.exceptions import StrawberryInputCoercionError

    from app.schema.scalars import _parse_datetime

    with pytest.raises(StrawberryInputCoercionError, match="时间应在 2000-01-01 至 2100-12-31"):
        _parse_datetime(value)
