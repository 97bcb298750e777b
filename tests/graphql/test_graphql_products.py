"""A cooperative's products through GraphQL: create, edit, price and stock, list and delist,
photos as base64, and the certification; Chinese errors, nothing written when refused."""

import base64
from datetime import date, timedelta

import pytest

from app.services.product_images import MAX_IMAGE_BYTES
from app.services.versioning import PRODUCT_STALE
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts
from tests.image_factories import metadata_of, photo_with_gps
from tests.trade_factories import image_bytes

PRODUCT_FIELDS = """name category unit price stock minOrder harvestMonths certifications status
  images { url thumbnailUrl width height } priceCheck { comparables flagged }"""
CREATE = f"""mutation($i: ProductFieldsInput!) {{
  createProduct(input: $i) {{ product {{ {PRODUCT_FIELDS} }} errors {{ field code message }} }}
}}"""
MUTATION = """mutation($i: %s!) {
  %s(input: $i) {
    product { id status price stock version images { url } } errors { field code message }
  }
}"""
FORM = {
    "name": "黄河滩枣",
    "category": "DRIED_NUT",
    "unit": "斤",
    "price": "18.80",
    "stock": 300,
    "harvestMonths": [10, 9, 10],
    "certifications": ["GREEN"],
}


def product_of(client, key: str = "product") -> str:
    return gid("Product", client.world.world.trade[key])


def test_create_a_draft(gql_writer):
    before = row_counts(gql_writer.database)
    result = payload(gql_writer, CREATE, FORM, actor="cooperative")
    assert result == {
        "product": {
            "name": "黄河滩枣",
            "category": "DRIED_NUT",
            "unit": "斤",
            "price": "18.80",
            "stock": 300,
            "minOrder": 1,
            "harvestMonths": [9, 10],
            "certifications": ["GREEN"],
            "status": "DRAFT",
            "images": [],
            "priceCheck": None,
        },
        "errors": [],
    }
    after = row_counts(gql_writer.database)
    assert after["products"] == before["products"] + 1
    assert after["search_outbox"] == before["search_outbox"] + 1


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"price": "12.345", "stock": -1},
            [
                ("price", "value_error", "单价最多保留两位小数（精确到分）"),
                ("stock", "greater_than_equal", "库存不能小于 0"),
            ],
        ),
        ({"price": "0"}, [("price", "value_error", "单价应大于 0")]),
        (
            {"unit": "吨吨", "harvestMonths": [13]},
            [
                (
                    "unit",
                    "value_error",
                    "请选择计量单位（斤、公斤、吨、箱、件、袋、盒、瓶、桶、罐、只、个、套）",
                ),
                ("harvestMonths", "value_error", "上市月份应为 1–12 月"),
            ],
        ),
    ],
)
def test_product_errors_in_chinese_write_nothing(gql_writer, overrides, errors):
    before = row_counts(gql_writer.database)
    result = payload(gql_writer, CREATE, FORM | overrides, actor="cooperative")
    assert (result["product"], errors_of(result)) == (None, errors)
    assert row_counts(gql_writer.database) == before


def test_update_list_and_delist(gql_writer):
    draft = product_of(gql_writer, "draft_product")
    updated = payload(
        gql_writer,
        MUTATION % ("UpdateProductInput", "updateProduct"),
        FORM | {"productId": draft, "expectedVersion": 1, "price": "20"},
        actor="cooperative",
    )
    assert (updated["errors"], updated["product"]["price"]) == ([], "20.00")
    assert updated["product"]["version"] == 2
    listed = payload(
        gql_writer,
        MUTATION % ("ProductStatusInput", "listProduct"),
        {"productId": draft, "expectedVersion": 2},
        actor="cooperative",
    )
    assert (listed["product"]["status"], listed["product"]["version"]) == ("LISTED", 3)
    public = gql_writer.data("query($id: ID!) { product(id: $id) { name } }", {"id": draft})
    assert public == {"product": {"name": "黄河滩枣"}}
    again = payload(
        gql_writer,
        MUTATION % ("ProductStatusInput", "listProduct"),
        {"productId": draft, "expectedVersion": 3},
        actor="cooperative",
    )
    assert errors_of(again) == [(None, "already_listed", "该产品已在售")]
    delisted = payload(
        gql_writer,
        MUTATION % ("ProductStatusInput", "delistProduct"),
        {"productId": draft, "expectedVersion": 3},
        actor="cooperative",
    )
    assert delisted["product"]["status"] == "DELISTED"
    hidden = gql_writer.data("query($id: ID!) { product(id: $id) { name } }", {"id": draft})
    assert hidden == {"product": None}


def test_price_and_stock_refuse_a_stale_version(gql_writer):
    quick = MUTATION % ("UpdatePriceAndStockInput", "updatePriceAndStock")
    product = product_of(gql_writer)
    saved = payload(
        gql_writer,
        quick,
        {"productId": product, "price": "30", "stock": 80, "expectedVersion": 1},
        actor="cooperative",
    )
    assert (saved["product"]["price"], saved["product"]["stock"]) == ("30.00", 80)
    before = row_counts(gql_writer.database)
    stale = payload(
        gql_writer,
        quick,
        {"productId": product, "price": "31", "stock": 70, "expectedVersion": 1},
        actor="cooperative",
    )
    assert errors_of(stale) == [(None, "stale_version", PRODUCT_STALE)]
    assert row_counts(gql_writer.database) == before


def test_photos_are_checked_stored_and_removed(gql_writer):
    add = MUTATION % ("AddProductImageInput", "addProductImage")
    product = product_of(gql_writer)
    png = base64.b64encode(image_bytes("PNG", (640, 480))).decode()
    added = payload(
        gql_writer, add, {"productId": product, "contentBase64": png}, actor="cooperative"
    )
    assert added["errors"] == []
    urls = [image["url"] for image in added["product"]["images"]]
    assert len(urls) == 2  # the world's photo (its file missing) and the new one
    photo = gql_writer.http.get(urls[1])
    assert (photo.status_code, photo.headers["content-type"]) == (200, "image/jpeg")
    assert photo.content.startswith(b"\xff\xd8\xff")
    before = row_counts(gql_writer.database)
    for content, error in [
        (
            base64.b64encode(b"#!/bin/sh\necho hi").decode(),
            ("image", "not_an_image", "只能上传 JPG、PNG 或 WebP 格式的照片"),
        ),
        (
            base64.b64encode(b"\x89PNG" + b"0" * MAX_IMAGE_BYTES).decode(),
            ("image", "image_too_large", "照片不能超过 5 MB，请压缩后再上传"),
        ),
        ("@@@", ("image", "base64_invalid", "文件内容应为 base64 编码的文本")),
    ]:
        refused = payload(
            gql_writer, add, {"productId": product, "contentBase64": content}, actor="cooperative"
        )
        assert errors_of(refused) == [error]
    assert row_counts(gql_writer.database) == before
    image_id = gid("ProductImage", gql_writer.world.world.trade["image"])
    removed = payload(
        gql_writer,
        MUTATION % ("RemoveProductImageInput", "removeProductImage"),
        {"imageId": image_id},
        actor="cooperative",
    )
    assert [image["url"] for image in removed["product"]["images"]] == urls[1:]


CERTIFY = """mutation($i: %s!) {
  %s(input: $i) {
    application { status note expiresOn reason product { name assistanceCertifiedUntil } }
    errors { field code message }
  }
}"""


def test_apply_then_the_bureau_certifies_or_rejects(gql_writer):
    applied = payload(
        gql_writer,
        CERTIFY % ("ApplyForCertificationInput", "applyForCertification"),
        {"productId": product_of(gql_writer, "draft_product"), "note": "带贫 30 户"},
        actor="cooperative",
    )
    assert applied["application"]["status"] == "PENDING"
    assert applied["application"]["note"] == "带贫 30 户"
    pending = gql_writer.data(
        "{ certificationApplications { id product { name } } }", actor="bureau_county"
    )["certificationApplications"]
    assert len(pending) == 2
    application = gid("CertificationApplication", gql_writer.world.world.trade["application"])
    approve = CERTIFY % ("ApproveCertificationInput", "approveCertification")
    before = row_counts(gql_writer.database)
    past = payload(
        gql_writer,
        approve,
        {"applicationId": application, "expiresOn": "2020-01-01"},
        actor="bureau_county",
    )
    assert errors_of(past) == [("expiresOn", "expiry_past", "有效期应晚于今天")]
    assert row_counts(gql_writer.database) == before
    rejected = payload(
        gql_writer,
        CERTIFY % ("RejectCertificationInput", "rejectCertification"),
        {"applicationId": application, "reason": "材料不全"},
        actor="bureau_county",
    )
    assert (rejected["application"]["status"], rejected["application"]["reason"]) == (
        "REJECTED",
        "材料不全",
    )
    decided = payload(
        gql_writer,
        approve,
        {"applicationId": application, "expiresOn": "2099-01-01"},
        actor="bureau_county",
    )
    assert errors_of(decided) == [(None, "already_decided", "该申请已处理，请刷新页面")]


NEXT_YEAR = (date.today() + timedelta(days=365)).isoformat()

NOTICE = """mutation($i: ApproveCertificationInput!) {
  approveCertification(input: $i) {
    application { status expiresOn noticeEndsAt product { assistanceCertifiedUntil } }
    errors { field code message }
  }
}"""


def test_an_approved_certification_goes_on_public_notice_first(gql_writer):
    application = gid("CertificationApplication", gql_writer.world.world.trade["application"])
    approved = payload(
        gql_writer,
        NOTICE,
        {"applicationId": application, "expiresOn": NEXT_YEAR},
        actor="bureau_county",
    )
    assert approved["errors"] == []
    shown = approved["application"]
    assert (shown["status"], shown["expiresOn"]) == ("PUBLICISED", NEXT_YEAR)
    assert shown["noticeEndsAt"] is not None
    # Not in force until the notice period ends without an open objection.
    assert shown["product"]["assistanceCertifiedUntil"] is None


def test_a_photo_sent_as_base64_loses_its_gps_position(gql_writer):
    add = MUTATION % ("AddProductImageInput", "addProductImage")
    content = base64.b64encode(photo_with_gps()).decode()
    added = payload(
        gql_writer,
        add,
        {"productId": product_of(gql_writer), "contentBase64": content},
        actor="cooperative",
    )
    assert added["errors"] == []
    photo = gql_writer.http.get(added["product"]["images"][-1]["url"])
    assert photo.status_code == 200
    assert metadata_of(photo.content) == {"exif": {}, "info": {}}
