"""A product's public page with the order form, and its photos served from outside the web root."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.actors import Role
from app.errors import DomainError, NotFoundError
from app.http import current_actor
from app.labels import CERTIFICATION
from app.models.enums import Certification, DemandStatus
from app.models.flags import from_mask, mask_to_months
from app.permissions import is_enterprise_staff
from app.services import buying, clock, demands, orders, product_images, products
from app.services.matching import month_ranges
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only
from app.web.pages import gate, int_or_none, load, unless_fixable, upload_dir
from app.web.templating import render
from app.web.trade_common import finish

ORDER_FIELDS = (
    "quantity",
    "unit",
    "recipient_name",
    "recipient_phone",
    "shipping_address",
    "note",
    "demand_id",
)


async def product_detail(request: Request) -> Response:
    actor = current_actor(request)
    product_id = request.path_params["product_id"]
    demand_id = int_or_none(request.query_params.get("demand"))
    return await _detail_page(request, actor, product_id, demand_id=demand_id)


async def _detail_page(
    request, actor, product_id, *, demand_id=None, values=None, errors=None, status_code=200
):
    def work(session):
        product = products.get_product(session=session, actor=actor, product_id=product_id)
        images = product_images.images_of(session, [product.id]).get(product.id, [])
        demand = _own_open_demand(session, actor, demand_id)
        reviews = buying.reviews_of(session, product)
        pairing = buying.pairing_for_purchase(session, actor, product)
        return product, images, demand, reviews, pairing and pairing.number

    product, images, demand, reviews, paired_number = await load(request, work)
    if values is None:
        values = {
            "quantity": demand.quantity if demand else product.min_order,
            "unit": demand.unit if demand else product.unit,
            "demand_id": demand.id if demand else "",
        }
    context = {
        "product": product,
        "images": images,
        "demand": demand,
        "values": values,
        "errors": errors or {},
        "today": clock.today(),
        # The product is sold in one unit: the only choice, not a trap of other units.
        "units": [(product.unit, product.unit)],
        "harvest": month_ranges(mask_to_months(product.harvest_months)),
        "certifications": [
            CERTIFICATION[c] for c in from_mask(product.certifications, Certification)
        ],
        "can_order": actor.role == Role.enterprise and actor.enterprise_id is not None,
        "reviews": reviews,
        "paired_number": paired_number,
        "confirm_hours": request.app.state.settings.order_confirm_hours,
    }
    return render(
        request,
        "products/detail.html",
        context,
        partial="products/_order_form.html",
        status_code=status_code,
    )


def _own_open_demand(session, actor, demand_id):
    if demand_id is None or actor.role != Role.enterprise:
        return None
    try:
        demand = demands.get_demand(session=session, actor=actor, demand_id=demand_id)
    except NotFoundError:
        return None
    if not is_enterprise_staff(actor, demand.buyer_id) or demand.status == DemandStatus.closed:
        return None
    return demand


async def place_order(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    product_id = request.path_params["product_id"]
    data = await read_form(request)
    form = {k: data.get(k, "") for k in ORDER_FIELDS}

    def place(session):
        order = orders.place_order(session=session, actor=actor, product_id=product_id, data=form)
        return order.id, order.number

    try:
        order_id, number = await in_unit_of_work(request, place)
    except DomainError as exc:
        unless_fixable(exc)
        return await _detail_page(
            request,
            actor,
            product_id,
            demand_id=int_or_none(form["demand_id"]),
            values=form,
            errors=field_errors(exc),
            status_code=422,
        )
    return finish(request, f"/orders/{order_id}", f"已下单（订单号 {number}），等待合作社确认")


async def product_image(request: Request) -> Response:
    """A photo or its thumbnail, if the product is visible to the visitor."""
    actor = current_actor(request)
    image_id = request.path_params["image_id"]
    size = request.path_params.get("size", "full")
    if size not in ("full", "thumbnail"):
        raise HTTPException(404)
    thumbnail = size == "thumbnail"
    directory = upload_dir(request)

    def locate(session):
        return product_images.image_path(
            session=session,
            actor=actor,
            image_id=image_id,
            upload_dir=directory,
            thumbnail=thumbnail,
        )

    try:
        path = await read_only(request, locate)
    except NotFoundError:
        raise HTTPException(404) from None
    # Keys are random and never reused: a photo's URL always shows the same bytes.
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={"Cache-Control": "private, max-age=86400"},
    )
