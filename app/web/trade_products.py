"""The cooperative's product list: filter, inline price and stock, 上架 and 下架 (row swaps)."""

from dataclasses import dataclass, field

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.labels import CERTIFICATION, PRODUCT_CATEGORY, PRODUCT_STATUS, PRODUCT_UNITS
from app.models import CertificationApplication, Product, ProductImage
from app.models.enums import Certification, ProductStatus
from app.models.flags import from_mask, mask_to_months
from app.money import fen_to_yuan
from app.services import certification, clock, product_images, products
from app.services.paging import page_number
from app.services.pricing import PriceCheck, price_checks
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only
from app.web.pages import (
    error_status,
    form_version,
    gate,
    is_stale,
    load,
    page_url,
    unless_fixable,
)
from app.web.requests import wants_partial
from app.web.templating import render
from app.web.trade_common import enum_param, finish, flash_back

MY_PRODUCTS = "/my/products"


@dataclass
class ProductRow:
    """One product in the cooperative's list, with what the row shows next to it."""

    product: Product
    check: PriceCheck | None = None
    application: CertificationApplication | None = None
    images: list[ProductImage] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    # The row's form was opened at an older version: the current values are shown beside it.
    stale: bool = False

    @property
    def flagged(self) -> bool:
        return self.check is not None and self.check.flagged


def load_rows(session, items: list[Product]) -> list[ProductRow]:
    """Price checks, latest applications and photos for a page of products: three queries."""
    ids = [p.id for p in items]
    checks = price_checks(session, ids)
    applications = certification.latest_applications(session, ids)
    images = product_images.images_of(session, ids)
    return [
        ProductRow(p, checks.get(p.id), applications.get(p.id), images.get(p.id, [])) for p in items
    ]


def product_values(product: Product) -> dict:
    """A product as the form shows it (price in 元, months and certifications as lists)."""
    return {
        "name": product.name,
        "category": product.category.value,
        "unit": product.unit,
        "price": fen_to_yuan(product.price_fen),
        "min_order": product.min_order,
        "stock": product.stock,
        "harvest_months": [str(m) for m in mask_to_months(product.harvest_months)],
        "certifications": [c.value for c in from_mask(product.certifications, Certification)],
        "description": product.description,
        "variety": product.variety,
        "net_weight_g": product.net_weight_g or "",
        "pieces_per_unit": product.pieces_per_unit or "",
        "shelf_life_days": product.shelf_life_days or "",
        "shipping_terms": product.shipping_terms,
        "dispatch_place": product.dispatch_place,
        "green_certificate_no": product.green_certificate_no,
        "organic_certificate_no": product.organic_certificate_no,
        "gi_certificate_no": product.gi_certificate_no,
    }


def saved_values(product: Product) -> list[tuple[str, str]]:
    """What a stale product form is shown as saved now (decision 0015)."""
    return [
        ("产品名称", product.name),
        ("单价（元）", fen_to_yuan(product.price_fen)),
        ("库存", f"{product.stock} {product.unit}"),
        ("起订量", f"{product.min_order} {product.unit}"),
        ("状态", PRODUCT_STATUS[product.status]),
    ]


def form_options() -> dict:
    return {
        "categories": list(PRODUCT_CATEGORY.items()),
        "units": [(u, u) for u in PRODUCT_UNITS],
        "certification_options": list(CERTIFICATION.items()),
        "month_options": [(str(m), f"{m}月") for m in range(1, 13)],
        "statuses": list(PRODUCT_STATUS.items()),
    }


async def my_products(request: Request) -> Response:
    actor = gate(request, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    status = enum_param(request, "status", ProductStatus)
    number = page_number(request.query_params.get("page"))

    def work(session):
        page = products.my_products(session=session, actor=actor, status=status, page=number)
        return page, load_rows(session, page.items)

    page, rows = await read_only(request, work)
    context = {
        "page": page,
        "rows": rows,
        "status": status.value if status else "",
        "page_url": lambda n: page_url(request, n),
        "today": clock.today(),
        **form_options(),
    }
    return render(request, "products/my_list.html", context, partial="products/_my_results.html")


async def quick_edit(request: Request) -> Response:
    """Inline price and stock: the row comes back, with its errors and the input kept."""
    actor = gate(request, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    product_id = request.path_params["product_id"]
    data = await read_form(request)

    def save(session):
        product = products.update_price_and_stock(
            session=session,
            actor=actor,
            product_id=product_id,
            expected_version=form_version(data),
            data={"price": data.get("price", ""), "stock": data.get("stock", "")},
        )
        return load_rows(session, [product])[0]

    try:
        row = await in_unit_of_work(request, save)
    except DomainError as exc:
        unless_fixable(exc)
        row = await managed_row(request, actor, product_id)
        row.values, row.errors, row.stale = data, field_errors(exc), is_stale(exc)
        return _row_response(request, row, status_code=error_status(exc))
    if not wants_partial(request):
        return finish(request, MY_PRODUCTS, f"已更新“{row.product.name}”的单价和库存")
    return _row_response(request, row, toast="已保存单价和库存")


async def change_status(request: Request) -> Response:
    """上架 or 下架: a row swap in the list, a redirect from the product page or without htmx."""
    actor = gate(request, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    product_id = request.path_params["product_id"]
    action = request.path_params["action"]
    services = {"list": products.list_product, "delist": products.delist_product}
    if action not in services:
        raise HTTPException(404)
    data = await read_form(request)
    back = f"{MY_PRODUCTS}/{product_id}" if data.get("back") == "product" else MY_PRODUCTS
    verb = "上架" if action == "list" else "下架"

    def apply(session):
        product = services[action](
            session=session,
            actor=actor,
            product_id=product_id,
            expected_version=form_version(data),
        )
        return load_rows(session, [product])[0]

    in_row = back == MY_PRODUCTS and wants_partial(request)
    try:
        row = await in_unit_of_work(request, apply)
    except DomainError as exc:
        unless_fixable(exc)
        stale = is_stale(exc)
        if not in_row and not stale:
            return flash_back(request, back, exc.message)
        # A stale button shows the row as saved now (409, with or without htmx); a repeated
        # 上架/下架 stays the 422 it always was.
        row = await managed_row(request, actor, product_id)
        row.errors, row.stale = field_errors(exc), stale
        return _row_response(request, row, status_code=409 if stale else 422)
    if not in_row:
        return finish(request, back, f"已{verb}“{row.product.name}”")
    return _row_response(request, row, toast=f"已{verb}“{row.product.name}”")


async def managed_row(request: Request, actor, product_id: int) -> ProductRow:
    """One of the cooperative's own products with its row extras (404 if not theirs)."""

    def work(session):
        product = products.get_managed_product(session=session, actor=actor, product_id=product_id)
        return load_rows(session, [product])[0]

    return await load(request, work)


def _row_response(request, row: ProductRow, *, status_code: int = 200, toast: str | None = None):
    """The row alone for htmx; without htmx, a page holding just that row and its errors."""
    context = {"row": row, "today": clock.today(), "toast": toast}
    return render(
        request,
        "products/my_row_page.html",
        context,
        partial="products/_my_row.html",
        status_code=status_code,
    )
