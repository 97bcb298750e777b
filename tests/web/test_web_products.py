"""The cooperative's product pages and a product's public page, through real HTTP requests."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.models import CertificationApplication, Product, ProductImage
from app.models.enums import ProductStatus
from tests.image_factories import metadata_of, photo_with_gps
from tests.trade_factories import image_bytes
from tests.web.conftest import version_in
from tests.web.trade_site import build_site, field_error, post, row_counts, set_status


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _product(site, product_id=None) -> Product:
    with site.db.read_only() as session:
        return session.get(Product, product_id or site.product_id)


def _files(site) -> list:
    root = site.app.state.settings.upload_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_my_products_full_page_and_htmx_partial(site):
    client = site.client("hezuoshe")
    page = client.get("/my/products")
    assert page.status_code == 200
    assert page.template.name == "products/my_list.html"
    assert [r.product.name for r in page.context["rows"]] == ["平陆杜马百合"]
    assert "<html" in page.text and 'id="product-results"' in page.text
    partial = client.get("/my/products?status=draft", headers={"HX-Request": "true"})
    assert partial.template.name == "products/_my_results.html"
    assert "<html" not in partial.text
    assert "没有该状态的产品" in partial.text


def test_my_products_needs_a_cooperative(site):
    assert site.client().get("/my/products", follow_redirects=False).headers["location"] == (
        "/login?next=/my/products"
    )
    assert site.client("caigou").get("/my/products").status_code == 403


def test_inline_price_and_stock_edit_returns_the_row_with_a_toast(site):
    client = site.client("hezuoshe")
    url = f"/my/products/{site.product_id}/quick"
    version = version_in(client.get("/my/products").text, url)
    response = post(client, url, {"price": "32.80", "stock": "80", "version": version}, htmx=True)
    assert response.status_code == 200
    assert response.template.name == "products/_my_row.html"
    assert response.text.lstrip().startswith(f'<tr id="product-{site.product_id}">')
    assert 'hx-swap-oob="beforeend"' in response.text and "已保存单价和库存" in response.text
    assert 'value="32.80"' in response.text
    product = _product(site)
    assert (product.price_fen, product.stock) == (3280, 80)


def test_inline_edit_errors_come_back_by_the_field_and_nothing_is_written(site):
    client = site.client("hezuoshe")
    before = row_counts(site.db)
    url = f"/my/products/{site.product_id}/quick"
    version = version_in(client.get("/my/products").text, url)
    response = post(client, url, {"price": "12.345", "stock": "-2", "version": version}, htmx=True)
    assert response.status_code == 422
    assert response.template.name == "products/_my_row.html"
    assert field_error(response.text, "price") == "单价最多保留两位小数（精确到分）"
    assert 'value="12.345"' in response.text and 'value="-2"' in response.text
    assert row_counts(site.db) == before
    assert _product(site).price_fen == 3500


def test_inline_edit_without_htmx_redirects_or_shows_the_row_page(site):
    client = site.client("hezuoshe")
    url = f"/my/products/{site.product_id}/quick"
    version = version_in(client.get("/my/products").text, url)
    done = post(client, url, {"price": "30", "stock": "90", "version": version})
    assert (done.status_code, done.headers["location"]) == (303, "/my/products")
    page = client.get("/my/products").text
    assert "已更新“平陆杜马百合”的单价和库存" in page
    failed = post(client, url, {"price": "abc", "stock": "90", "version": version_in(page, url)})
    assert failed.status_code == 422
    assert failed.template.name == "products/my_row_page.html"
    assert "单价应为数字，如 12.50" in failed.text


def test_list_and_delist_from_the_list_swap_the_row(site):
    client = site.client("hezuoshe")
    delist = f"/my/products/{site.product_id}/delist"
    version = version_in(client.get("/my/products").text, delist)
    response = post(client, delist, {"version": version}, htmx=True)
    assert response.status_code == 200
    assert '<span class="badge badge--muted">已下架</span>' in response.text
    assert _product(site).status == ProductStatus.delisted
    again = post(client, delist, {"version": str(_product(site).version)}, htmx=True)
    assert again.status_code == 422
    assert "该产品不在售，无需下架" in again.text
    list_url = f"/my/products/{site.product_id}/list"
    version = version_in(client.get(f"/my/products/{site.product_id}").text, list_url)
    listed = post(client, list_url, {"back": "product", "version": version})
    assert listed.headers["location"] == f"/my/products/{site.product_id}"
    assert _product(site).status == ProductStatus.listed


def test_another_cooperative_cannot_open_or_change_the_product(site):
    intruder = site.client("qita")
    assert intruder.get(f"/my/products/{site.product_id}").status_code == 404
    before = row_counts(site.db)
    url = f"/my/products/{site.product_id}/quick"
    assert post(intruder, url, {"price": "1", "stock": "1"}, htmx=True).status_code == 404
    assert row_counts(site.db) == before


FORM = {
    "name": "黄河滩枣",
    "category": "dried_nut",
    "unit": "斤",
    "price": "18.80",
    "min_order": "2",
    "stock": "300",
    "harvest_months": ["9", "10"],
    "description": "",
}


def test_creating_a_product_redirects_to_its_page(site):
    client = site.client("hezuoshe")
    assert client.get("/my/products/new").template.name == "products/new.html"
    response = post(client, "/my/products/new", FORM)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.template.name == "products/manage.html"
    assert "产品已保存为草稿" in page.text
    assert 'value="9" checked' in page.text and 'value="11" checked' not in page.text
    assert page.context["product"].price_fen == 1880


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"price": "18.888"}, "price", "单价最多保留两位小数（精确到分）"),
        ({"stock": "-1"}, "stock", "库存不能小于 0"),
        (
            {"unit": "车"},
            "unit",
            "请选择计量单位（斤、公斤、吨、箱、件、袋、盒、瓶、桶、罐、只、个、套）",
        ),
    ],
)
def test_bad_product_forms_come_back_422_with_the_message_and_input(
    site, overrides, field, message
):
    client = site.client("hezuoshe")
    before = row_counts(site.db)
    response = post(client, "/my/products/new", FORM | overrides)
    assert response.status_code == 422
    assert response.template.name == "products/new.html"
    assert field_error(response.text, f"field-{field}") == message
    assert 'value="黄河滩枣"' in response.text
    partial = post(client, "/my/products/new", FORM | overrides, htmx=True)
    assert (partial.status_code, partial.template.name) == (422, "products/_form.html")
    assert "<html" not in partial.text
    assert row_counts(site.db) == before


def test_photos_upload_and_are_served_through_the_handler(site):
    client = site.client("hezuoshe")
    url = f"/my/products/{site.product_id}/images"
    files = {"image": ("baihe.png", image_bytes("PNG", (800, 600)), "image/png")}
    response = post(client, url, {}, files=files, htmx=True)
    assert response.status_code == 200
    assert response.template.name == "products/_photos.html"
    assert "照片已上传" in response.text
    with site.db.read_only() as session:
        image = session.exec(select(ProductImage)).one()
    assert len(_files(site)) == 2
    served = site.client().get(f"/product-images/{image.id}")
    assert (served.status_code, served.headers["content-type"]) == (200, "image/jpeg")
    assert served.content[:3] == b"\xff\xd8\xff"
    thumb = site.client().get(f"/product-images/{image.id}/thumbnail")
    assert len(thumb.content) < len(served.content)
    assert site.client().get(f"/product-images/{image.id}/huge").status_code == 404
    set_status(site.db, site.product_id, ProductStatus.draft)
    assert site.client().get(f"/product-images/{image.id}").status_code == 404
    assert client.get(f"/product-images/{image.id}").status_code == 200
    delete = post(client, f"{url}/{image.id}/delete", {})
    assert delete.status_code == 303
    assert _files(site) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a" + b"\x00" * 6_000_000, "照片不能超过 5 MB，请压缩后再上传"),
        (b"<?php system($_GET['c']); ?>", "只能上传 JPG、PNG 或 WebP 格式的照片"),
    ],
    ids=["oversized", "not-an-image"],
)
def test_bad_uploads_are_shown_by_the_field_and_nothing_is_written(site, content, message):
    client = site.client("hezuoshe")
    before = row_counts(site.db)
    files = {"image": ("x.jpg", content, "image/jpeg")}
    url = f"/my/products/{site.product_id}/images"
    response = post(client, url, {}, files=files)
    assert response.status_code == 422
    assert response.template.name == "products/manage.html"
    assert field_error(response.text, "field-image") == message
    partial = post(client, url, {}, files=files, htmx=True)
    assert (partial.status_code, partial.template.name) == (422, "products/_photos.html")
    assert row_counts(site.db) == before
    assert _files(site) == []


def test_applying_for_certification_shows_the_pending_state(site):
    client = site.client("hezuoshe")
    url = f"/my/products/{site.product_id}/certification"
    response = post(client, url, {"note": "收购 32 户脱贫户的百合"}, htmx=True)
    assert response.status_code == 200
    assert response.template.name == "products/_certification.html"
    assert '<span class="badge badge--pending">待审核</span>' in response.text
    again = post(client, url, {"note": ""}, htmx=True)
    assert again.status_code == 422
    assert "该产品已有待审核的认定申请" in again.text
    listing = client.get("/my/products").text
    assert '<span class="badge badge--pending">认定审核中</span>' in listing


def test_an_approved_certification_shows_its_notice_period_to_the_cooperative(site):
    client = site.client("hezuoshe")
    post(client, f"/my/products/{site.product_id}/certification", {"note": "收购脱贫户的百合"})
    with site.db.read_only() as session:
        application = session.exec(select(CertificationApplication)).one()
    expires = (date.today() + timedelta(days=365)).isoformat()
    bureau = site.client("pinglu")
    decided = post(bureau, f"/certifications/{application.id}/approve", {"expires_on": expires})
    assert decided.status_code in (200, 303)
    page = client.get(f"/my/products/{site.product_id}").text
    assert "正在公示，公示期至" in page
    assert 'name="note"' not in page  # no second application while on notice
    listing = client.get("/my/products").text
    assert '<span class="badge badge--pending">认定公示中</span>' in listing


# The public page ----------------------------------------------------------------------------


def test_the_public_page_shows_the_order_form_to_buyers_only(site):
    anonymous = site.client().get(f"/products/{site.product_id}")
    assert anonymous.status_code == 200
    assert anonymous.template.name == "products/detail.html"
    assert "¥35.00" in anonymous.text
    assert 'id="order-form"' not in anonymous.text
    assert f'href="/login?next=/products/{site.product_id}"' in anonymous.text
    buyer = site.client("caigou").get(f"/products/{site.product_id}")
    assert 'id="order-form"' in buyer.text
    assert buyer.context["values"]["quantity"] == 5  # the minimum order
    set_status(site.db, site.product_id, ProductStatus.draft)
    assert site.client().get(f"/products/{site.product_id}").status_code == 404
    assert site.client("pinglu").get(f"/products/{site.product_id}").status_code == 200


def test_placing_an_order_from_the_product_page(site):
    client = site.client("caigou")
    data = {
        "quantity": "10",
        "unit": "斤",
        "recipient_name": "王主任",
        "recipient_phone": "13903591234",
        "shipping_address": "运城市盐湖区机关食堂",
        "note": "",
    }
    response = post(client, f"/products/{site.product_id}/orders", data)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.template.name == "orders/detail.html"
    assert "已下单（订单号 DD-" in page.text
    htmx = post(client, f"/products/{site.product_id}/orders", data, htmx=True)
    assert htmx.status_code == 204
    assert htmx.headers["HX-Redirect"].startswith("/orders/")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "订购数量应大于 0"),
        ({"quantity": "-4"}, "quantity", "订购数量应大于 0"),
        ({"quantity": "101"}, "quantity", "库存不足：当前最多可订 100 斤"),
        ({"unit": "公斤"}, "unit", "该产品按“斤”销售，请按斤填写数量"),
    ],
)
def test_bad_orders_come_back_by_the_field_and_write_nothing(site, overrides, field, message):
    client = site.client("caigou")
    before = row_counts(site.db)
    data = {
        "quantity": "10",
        "unit": "斤",
        "recipient_name": "王主任",
        "recipient_phone": "13903591234",
        "shipping_address": "运城市盐湖区机关食堂",
    } | overrides
    response = post(client, f"/products/{site.product_id}/orders", data)
    assert response.status_code == 422
    assert response.template.name == "products/detail.html"
    assert field_error(response.text, f"field-{field}") == message
    assert 'value="运城市盐湖区机关食堂"' in response.text
    partial = post(client, f"/products/{site.product_id}/orders", data, htmx=True)
    assert (partial.status_code, partial.template.name) == (422, "products/_order_form.html")
    assert row_counts(site.db) == before


def test_cooperatives_cannot_order(site):
    data = {
        "quantity": "10",
        "unit": "斤",
        "recipient_name": "王主任",
        "recipient_phone": "13903591234",
        "shipping_address": "某地",
    }
    response = post(site.client("hezuoshe"), f"/products/{site.product_id}/orders", data)
    assert response.status_code == 403


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_an_uploaded_photo_loses_its_gps_position(site, image_format):
    client = site.client("hezuoshe")
    files = {"image": ("phone.jpg", photo_with_gps(image_format), "image/jpeg")}
    response = post(client, f"/my/products/{site.product_id}/images", {}, files=files, htmx=True)
    assert response.status_code == 200
    stored = [path.read_bytes() for path in _files(site)]
    assert len(stored) == 2  # the photo and its thumbnail
    assert [metadata_of(data) for data in stored] == [{"exif": {}, "info": {}}] * 2
