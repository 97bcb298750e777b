"""GraphQL: a product's quantities and shipping details (the price check's basis:
tests/services/test_trade_pricing.py)."""

from tests.graphql.payload_checks import payload
from tests.graphql.test_graphql_products import FORM

CREATE = """mutation($i: ProductFieldsInput!) {
  createProduct(input: $i) {
    product { variety netWeightG piecesPerUnit shelfLifeDays dispatchPlace shippingTerms
      priceCheck { basis standardPrice explanation } }
    errors { field code message }
  }
}"""


def test_create_with_net_weight_and_shipping_details(gql_writer):
    details = {
        "unit": "盒",
        "price": "60",
        "variety": "骏枣",
        "netWeightG": 2000,
        "shelfLifeDays": 180,
        "dispatchPlace": "平陆县测试村",
        "shippingTerms": "满 99 元包邮",
    }
    result = payload(gql_writer, CREATE, FORM | details, actor="cooperative")
    assert result["errors"] == []
    product = result["product"]
    assert (product["variety"], product["netWeightG"], product["piecesPerUnit"]) == (
        "骏枣",
        2000,
        None,
    )
    assert (product["shelfLifeDays"], product["dispatchPlace"]) == (180, "平陆县测试村")
    # A draft with no listed product of its variety in its county has nothing to compare with
    assert product["priceCheck"] is None
