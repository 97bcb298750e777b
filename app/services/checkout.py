"""A checkout of several products of one cooperative at once (购物车结算, decision 0036).

One checkout creates one order per product, all placed in the same unit of work: every line's
stock is held (``order_stock.hold_lines``, all or nothing — one short line refuses the whole
cart and nothing is written), and the orders share a ``checkout_number`` (the number of the
first). Each order then lives its own life (confirmed, shipped, received, rated) like an order
placed alone; the per-order ledger, summaries and 结对帮销 attribution need no change.
"""

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field, field_validator
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import DomainError, NotFoundError, ValidationError
from app.models import Cooperative, Enterprise, Order, Product
from app.models.base import utcnow
from app.models.enums import ProductStatus
from app.services import order_stock, orders
from app.services.inputs import InputErrors, MultilineText, Text, parse
from app.services.order_inputs import RecipientInput, check_quantity
from app.services.order_states import ORDER
from app.services.products import MAX_QUANTITY

# Lines a checkout may hold: a cooperative's whole shelf fits.
MAX_LINES = 50


class CheckoutInput(RecipientInput):
    shipping_address: Text = Field(title="收货地址", min_length=1, max_length=200)
    note: MultilineText = Field(default="", title="备注", max_length=500)

    @field_validator("shipping_address", "note", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value


@dataclass(frozen=True, slots=True)
class Shelf:
    """What a buyer may put in one checkout: the cooperative's listed products."""

    cooperative: Cooperative
    products: list[Product]


def shelf(*, session: Session, cooperative_id: int) -> Shelf:
    cooperative = session.get(Cooperative, cooperative_id)
    if cooperative is None:
        raise NotFoundError("合作社不存在")
    products = session.exec(
        select(Product)
        .where(Product.cooperative_id == cooperative_id, Product.status == ProductStatus.listed)
        .order_by(Product.name, Product.id)
        .limit(MAX_LINES)
    ).all()
    return Shelf(cooperative, list(products))


def checkout(
    *,
    session: Session,
    actor: Actor,
    cooperative_id: int,
    lines: dict[int, str | int],
    data: dict,
    now: datetime | None = None,
) -> list[Order]:
    """Place one order per line (product id → quantity; blank quantities are left out) of the
    cooperative's listed products, holding every line's stock or none."""
    buyer = session.get(Enterprise, actor.enterprise_id) if actor.enterprise_id else None
    ORDER.authorize("place", actor, buyer)
    available = {p.id: p for p in shelf(session=session, cooperative_id=cooperative_id).products}
    errors: list[DomainError] = []
    try:
        form = parse(CheckoutInput, data)
    except InputErrors as exc:
        errors += exc.errors
    try:
        wanted = _quantities(lines, available)
    except ValidationError as exc:
        errors += getattr(exc, "errors", [exc])
    if errors:  # every wrong field at once: the recipient's and each line's
        raise InputErrors(errors)
    now = now or utcnow()
    order_stock.hold_lines(session, [(available[pid], q) for pid, q in wanted.items()])
    first = orders.next_order_number(session, now)
    return [
        orders.new_order(
            session,
            actor,
            buyer,
            available[product_id],
            quantity,
            form,
            now,
            number=first if index == 0 else None,
            checkout_number=first,
        )
        for index, (product_id, quantity) in enumerate(wanted.items())
    ]


def _quantities(lines: dict[int, str | int], available: dict[int, Product]) -> dict[int, int]:
    """The lines with a quantity, checked each (every wrong line reported at once)."""
    wanted: dict[int, int] = {}
    errors: list[DomainError] = []
    for product_id, raw in lines.items():
        text = str(raw).strip()
        if not text or text == "0":
            continue
        field = f"quantity_{product_id}"
        product = available.get(product_id)
        if product is None:
            raise NotFoundError("产品不存在或已下架", field=field)
        try:
            quantity = int(text)
            if not 0 < quantity <= MAX_QUANTITY:
                raise ValueError
            check_quantity(product, quantity, product.unit, field=field)
        except ValueError:
            errors.append(
                ValidationError(
                    f"“{product.name}”的数量应为 1 至 {MAX_QUANTITY} 的整数",
                    code="invalid_quantity",
                    field=field,
                )
            )
            continue
        except ValidationError as exc:
            errors.append(
                ValidationError(f"“{product.name}”{exc.message}", code=exc.code, field=field)
            )
            continue
        wanted[product_id] = quantity
    if errors:
        raise InputErrors(errors)
    if not wanted:
        raise ValidationError("请至少填写一种产品的数量", code="empty_cart", field="lines")
    return wanted
