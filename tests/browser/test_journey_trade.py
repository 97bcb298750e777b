"""消费帮扶 end to end: a cooperative lists a product; a buyer finds it by typing in the search box
and orders; the cooperative confirms and ships, the buyer receives (each from the inbox); the
bureau's dashboard counts the received order and the ledger export downloads with it in it."""

import re

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey_world import CASTS, act, act_from_inbox, inbox_item, open_inbox, sign_in

QUANTITY = 50


def received_orders(page, base: str) -> int:
    """The dashboard's 已收货订单 figure, every panel loaded at once."""
    response = page.goto(f"{base}/dashboard?all=1")
    assert response.status == 200, response.text()[:2000]
    stat = page.locator("#panel-sales .stat", has=page.locator("dt", has_text="已收货订单"))
    return int(stat.locator("dd.stat__value").inner_text().replace(",", ""))


def list_product(page, base: str, name: str) -> None:
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的产品").click()
    page.wait_for_url(f"{base}/my/products")
    page.get_by_role("link", name="新增产品").first.click()
    page.fill("#field-name", name)
    page.select_option("#field-category", "vegetable")
    page.select_option("#field-unit", "斤")
    page.fill("#field-price", "35.00")
    page.fill("#field-min_order", "5")
    page.fill("#field-stock", "1000")
    page.fill("#field-description", "平陆县圣人涧镇黄河滩地种植，鳞片肥厚，可鲜食可入药。")
    page.get_by_role("button", name="保存为草稿").click()
    page.wait_for_url(re.compile(rf"{base}/my/products/\d+$"))
    page.get_by_role("button", name="上架", exact=True).click()
    page.locator("#flash").filter(has_text=f"已上架“{name}”").wait_for()


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_product_listed_found_ordered_shipped_received_and_counted(
    journey_base, open_page, shots, viewport, tmp_path
):
    base, cast = journey_base, CASTS[viewport["width"]]
    bureau = open_page(viewport)
    sign_in(bureau, base, "shiju")
    received_before = received_orders(bureau, base)

    cooperative = open_page(viewport)
    sign_in(cooperative, base, cast.cooperative_user)
    list_product(cooperative, base, cast.product)
    shots(cooperative, "listed")

    # The buyer types part of the name; results appear as they type, the URL follows.
    buyer = open_page(viewport)
    sign_in(buyer, base, cast.enterprise_user)
    buyer.goto(f"{base}/products")
    query = cast.product[2:]
    buyer.locator("#search-q").press_sequentially(query, delay=80)
    hit = buyer.locator("#search-results").get_by_role("link", name=re.compile(cast.product))
    hit.first.wait_for()
    buyer.wait_for_url(re.compile(r"/products\?.*q="))
    shots(buyer, "search-as-you-type")
    hit.first.click()
    buyer.wait_for_url(re.compile(rf"{base}/products/\d+$"))
    buyer.fill("#field-quantity", str(QUANTITY))
    buyer.fill("#field-recipient_name", "王主任")
    buyer.fill("#field-recipient_phone", "13903591234")
    buyer.fill("#field-shipping_address", "运城市盐湖区河东东街 8 号职工食堂")
    shots(buyer, "order-form")
    buyer.get_by_role("button", name="提交订单").click()
    buyer.wait_for_url(re.compile(rf"{base}/orders/\d+$"))
    order_url = buyer.url
    number = buyer.locator("#order-card h1").inner_text().removeprefix("订单 ")
    assert buyer.locator("#order-card .detail-head .badge").first.inner_text() == "待确认"
    shots(buyer, "ordered")

    # The cooperative confirms, then ships (naming the carrier), each from its inbox.
    act_from_inbox(
        cooperative,
        base,
        ("待确认的订单", number),
        order_url,
        ("#order-card", "确认接单", "待发货"),
    )
    shots(cooperative, "confirmed")
    open_inbox(cooperative, base)
    inbox_item(cooperative, "待发货的订单", number).click()
    cooperative.fill("#field-carrier", "中国邮政")
    cooperative.fill("#field-tracking_number", "9812345678901")
    act(cooperative, "#order-card", "标记已发货", "已发货")
    shots(cooperative, "shipped")

    # The buyer receives it from its inbox.
    receipt = ("待确认收货的订单", number)
    act_from_inbox(buyer, base, receipt, order_url, ("#order-card", "确认收货", "已收货"))
    shots(buyer, "received")

    # The bureau sees one more received order and exports the ledger holding it.
    assert received_orders(bureau, base) == received_before + 1
    shots(bureau, "dashboard")
    bureau.get_by_role("link", name="台账导出").click()
    bureau.wait_for_url(f"{base}/exports")
    bureau.select_option("#field-format", "xlsx")
    bureau.get_by_role("button", name="开始导出").click()
    download_link = bureau.get_by_role("link", name="下载").first
    download_link.wait_for(timeout=60_000)
    shots(bureau, "export-ready")
    with bureau.expect_download() as info:
        download_link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".xlsx"
    workbook = load_workbook(path, read_only=True)
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    workbook.close()
    assert number in cells
