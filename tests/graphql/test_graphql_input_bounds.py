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
