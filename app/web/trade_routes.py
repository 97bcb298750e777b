"""Routes of the 消费帮扶 pages: products (and applying for certification), demands, orders.

The public product list ``/products`` (with search) belongs to the search pages; the product's own
page ``/products/{id}`` and everything below is here.
"""

from starlette.routing import BaseRoute, Route

from app.actors import Role
from app.web import (
    product_search,
    trade_bureau,
    trade_catalog,
    trade_checkout,
    trade_demands,
    trade_orders,
    trade_product_pages,
    trade_products,
)
from app.web.navigation import DEMANDS, ORDERS, menu

GET_POST = ["GET", "POST"]
POST = ["POST"]

ROUTES: list[BaseRoute] = [
    # The cooperative's products.
    Route("/my/products", trade_products.my_products, name="my_products"),
    Route("/my/products/new", trade_product_pages.new_product, methods=GET_POST),
    Route("/my/products/{product_id:id}", trade_product_pages.manage_product, methods=GET_POST),
    Route("/my/products/{product_id:id}/quick", trade_products.quick_edit, methods=POST),
    Route(
        "/my/products/{product_id:id}/images",
        trade_product_pages.upload_image,
        methods=POST,
    ),
    Route(
        "/my/products/{product_id:id}/images/{image_id:id}/delete",
        trade_product_pages.delete_image,
        methods=POST,
    ),
    Route(
        "/my/products/{product_id:id}/certification",
        trade_product_pages.apply_for_certification,
        methods=POST,
    ),
    # 上架 (list) and 下架 (delist); after the fixed paths above.
    Route("/my/products/{product_id:id}/{action:str}", trade_products.change_status, methods=POST),
    # The public product search (特色产品), then a product's page, its order form and its photos.
    Route("/products", product_search.product_search, name="products"),
    Route("/products/{product_id:id}", trade_catalog.product_detail, name="product"),
    Route("/products/{product_id:id}/orders", trade_catalog.place_order, methods=POST),
    Route("/product-images/{image_id:id}", trade_catalog.product_image),
    # Several products of one cooperative ordered together.
    Route("/cooperatives/{cooperative_id:id}/checkout", trade_checkout.checkout_page),
    Route(
        "/cooperatives/{cooperative_id:id}/checkout",
        trade_checkout.place_checkout,
        methods=POST,
    ),
    Route("/product-images/{image_id:id}/{size:str}", trade_catalog.product_image),
    # Demands and orders.
    Route("/demands", trade_demands.demand_list, methods=GET_POST, name="demands"),
    Route("/demands/{demand_id:id}", trade_demands.demand_detail),
    Route("/demands/{demand_id:id}/close", trade_demands.close_demand, methods=POST),
    Route("/orders", trade_orders.order_list, name="orders"),
    Route("/orders/reserved-share", trade_orders.set_reserved_share, methods=POST),
    Route("/orders/{order_id:id}", trade_orders.order_detail),
    Route("/orders/{order_id:id}/{action:str}", trade_orders.transition, methods=POST),
    # The bureau (its certification pages are the certification domain's).
    Route("/price-flags", trade_bureau.price_flag_list, name="price_flags"),
    Route("/consumption", trade_bureau.consumption_overview, name="consumption"),
]

MENU = (
    menu(Role.anonymous, 20, "特色产品", "/products"),
    menu(Role.enterprise, 55, "特色产品", "/products"),
    menu(Role.enterprise, 60, DEMANDS),
    menu(Role.enterprise, 70, ORDERS),
    menu(Role.cooperative, 20, "我的产品", "/my/products"),
    menu(Role.cooperative, 60, DEMANDS),
    menu(Role.cooperative, 70, ORDERS),
)
