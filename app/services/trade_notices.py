"""Who hears of the trade domain's actions (products, orders, purchase demands, reserved shares)."""

from sqlmodel import Session

from app.models import Order, Product
from app.models.enums import RecipientKind as K
from app.services.notice_rules import NOBODY, Notices, Parties, notice

ACTIONS = {
    "order.place": notice("收到新订单", K.cooperative),
    "order.confirm": notice("订单已确认", K.enterprise),
    "order.ship": notice("订单已发货", K.enterprise),
    "order.receive": notice("订单已确认收货", K.cooperative),
    "order.cancel": notice("订单已取消", K.enterprise, K.cooperative),
    "order.refuse": notice("合作社拒绝接单", K.enterprise),
    "order.expire": notice("订单超时未确认，已自动失效", K.enterprise, K.cooperative),
    "order.rate": notice("订单收到评价", K.cooperative),
    "product.create": NOBODY,
    "product.update": NOBODY,
    "product.update_price_stock": NOBODY,
    "product.list": NOBODY,
    "product.delist": NOBODY,
    "product.add_image": NOBODY,
    "product.remove_image": NOBODY,
    "product.import": NOBODY,
    "demand.post": NOBODY,
    "demand.close": NOBODY,
    "enterprise.set_reserved_share": NOBODY,
}


def _order(session: Session, order: Order) -> Parties:
    product = session.get(Product, order.product_id)
    ids = {K.enterprise: order.buyer_id, K.cooperative: product.cooperative_id}
    return Parties(ids, f"/orders/{order.id}")


NOTICES = Notices(ACTIONS, {Order: _order})
