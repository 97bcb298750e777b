"""Purchase demands (采购需求) and orders (订单); product ratings follow from the rated orders.

Paired enterprises often buy from their villages (结对帮销). As in app.services.orders, only a
received order carries an agreement: the active or completed agreement between its buyer and its
product's village whose term covers the local day of receipt.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.labels import PRODUCT_CATEGORY
from app.models import Demand, Order, Product
from app.models.enums import AgreementStatus, DemandStatus, OrderStatus, ProductCategory
from app.seed.context import (
    HISTORY_START,
    REFERENCE_DATE,
    AgreementRef,
    EnterpriseRef,
    ProductRef,
    SeedRun,
    WeightedPicker,
    office_time,
    quota,
    random_day,
    random_time,
    weighted,
)
from app.seed.names import mobile, person_name
from app.services import clock

# Agreements a received order can count for (app.services.orders.COUNTING_AGREEMENT_STATUSES).
COUNTING = (AgreementStatus.active, AgreementStatus.completed)
ORDER_SHARES = {
    OrderStatus.received: 0.72,
    OrderStatus.cancelled: 0.09,
    OrderStatus.shipped: 0.07,
    OrderStatus.confirmed: 0.06,
    OrderStatus.placed: 0.06,
}
# Days before the reference date in which orders still in each status were placed.
_RECENT_WINDOWS = {
    OrderStatus.placed: (3, 1),
    OrderStatus.confirmed: (6, 3),
    OrderStatus.shipped: (12, 6),
}
_CARRIERS = ("中国邮政", "中国邮政", "顺丰速运", "京东物流", "中通快递", "自行配送")
_BUYER_WEIGHTS = {
    "agency": 3.0,
    "state_owned": 2.0,
    "school": 2.0,
    "hospital": 1.5,
    "private": 1.0,
    "social_org": 0.5,
}
_DEMAND_SHARES = {DemandStatus.open: 0.4, DemandStatus.matched: 0.3, DemandStatus.closed: 0.3}
_OCCASIONS = (
    "春节职工慰问品",
    "中秋节职工福利",
    "职工食堂食材",
    "端午节慰问品",
    "工会会员福利",
    "消费帮扶专项",
    "年货节团购",
)
_CANCEL_REASONS = (
    "采购计划调整",
    "库存不足，协商取消",
    "收货地址有误，重新下单",
    "价格有变动",
    "重复下单",
)
_RATINGS = {5: 0.55, 4: 0.3, 3: 0.1, 2: 0.03, 1: 0.02}
_COMMENTS = {
    5: "品质很好，包装结实，职工反映满意。",
    4: "整体不错，发货稍慢。",
    3: "一般，个别有磕碰。",
    2: "与描述有差距。",
    1: "损坏较多，已与合作社沟通。",
}
_DEMAND_NOTES = (
    "要求产地直供，分批配送到单位食堂。",
    "需提供检测报告和发票。",
    "优先采购脱贫村合作社产品。",
    "",
)
_ROADS = ("河东街", "解放路", "人民路", "中银大道", "学苑路", "工农街", "红旗街", "机场路")


def _buyer_picker(run: SeedRun) -> WeightedPicker:
    buyers = [e for e in run.enterprises if e.approved]
    return WeightedPicker(
        buyers, [_BUYER_WEIGHTS[e.kind] * (2 if e.county_code is None else 1) for e in buyers]
    )


def seed_demands(run: SeedRun) -> dict[int, list[tuple[int, str, date]]]:
    """Write the demands; return the matched or closed ones per buyer (id, category, created)."""
    rng = run.rng
    n = run.scale.demands
    statuses = quota(rng, {s.value: share for s, share in _DEMAND_SHARES.items()}, n)
    buyers = _buyer_picker(run)
    settled: dict[int, list[tuple[int, str, date]]] = {}
    step = run.step("采购需求", n)
    with run.inserter(Demand, "采购需求") as out:
        for did, status_value in enumerate(statuses, start=1):
            status = DemandStatus(status_value)
            buyer: EnterpriseRef = buyers.pick(rng)
            sample: ProductRef = rng.choice(run.listed_products)
            row = _demand(rng, did, status, buyer, sample)
            if status is not DemandStatus.open:
                created = row["created_at"].date()
                settled.setdefault(buyer.id, []).append((did, sample.category, created))
            out.add(row)
            step.advance()
    return settled


def _demand(rng, did: int, status: DemandStatus, buyer: EnterpriseRef, sample: ProductRef):
    """A demand for what ``sample`` is (its category, word and unit), open ones still running."""
    if status is DemandStatus.open:
        created = random_day(
            rng, REFERENCE_DATE - timedelta(days=60), REFERENCE_DATE - timedelta(1)
        )
        deliver_by = max(
            created + timedelta(days=rng.randint(20, 90)), REFERENCE_DATE + timedelta(7)
        )
        updated = created
    else:
        latest = REFERENCE_DATE - timedelta(days=20 if status is DemandStatus.matched else 30)
        created = random_day(rng, HISTORY_START, latest)
        deliver_by = created + timedelta(days=rng.randint(15, 60))
        updated = created + timedelta(days=rng.randint(1, 15))
    bulk = sample.unit in ("斤", "公斤")
    label = PRODUCT_CATEGORY[ProductCategory(sample.category)]
    ceiling = int(sample.price_fen * rng.uniform(1.0, 1.4)) if rng.random() < 0.7 else None
    created_at = office_time(rng, created)
    return {
        "id": did,
        "buyer_id": buyer.id,
        "title": f"{created.year}年{rng.choice(_OCCASIONS)}采购{sample.word}",
        "category": sample.category,
        "keywords": f"{sample.word} {label} 消费帮扶",
        "quantity": rng.randint(10, 500) * 10 if bulk else rng.randint(20, 2000),
        "unit": sample.unit,
        "max_unit_price_fen": ceiling,
        "deliver_by": deliver_by,
        "destination_region": buyer.region_label,
        "note": rng.choice(_DEMAND_NOTES),
        "status": status.value,
        "created_at": created_at,
        "updated_at": created_at if updated == created else office_time(rng, updated),
    }


def seed_orders(run: SeedRun, settled: dict[int, list[tuple[int, str, date]]]) -> None:
    rng = run.rng
    n = run.scale.orders
    statuses = quota(rng, {s.value: share for s, share in ORDER_SHARES.items()}, n)
    buyers = _buyer_picker(run)
    by_village: dict[int, list[ProductRef]] = {}
    by_category: dict[str, list[ProductRef]] = {}
    for p in run.listed_products:
        by_village.setdefault(p.village_id, []).append(p)
        by_category.setdefault(p.category, []).append(p)
    paired: dict[int, list[AgreementRef]] = {}
    pair_lookup: dict[tuple[int, int], list[AgreementRef]] = {}
    for a in run.agreements:
        if a.status in COUNTING and a.village_id in by_village:
            paired.setdefault(a.enterprise_id, []).append(a)
            pair_lookup.setdefault((a.enterprise_id, a.village_id), []).append(a)
    ratings: dict[int, list[int]] = {}
    step = run.step("订单", n)
    with run.inserter(Order, "订单") as out:
        for oid, status_value in enumerate(statuses, start=1):
            status = OrderStatus(status_value)
            buyer: EnterpriseRef = buyers.pick(rng)
            first, last = _window(status)
            demand_id = None
            demands = settled.get(buyer.id) if status in _SETTLED else None
            options = [
                a for a in paired.get(buyer.id, ()) if a.start_on <= last and a.end_on >= first
            ]
            if demands and rng.random() < 0.3:
                demand_id, category, created = rng.choice(demands)
                product = rng.choice(by_category[category])
                day = min(created + timedelta(days=rng.randint(1, 30)), last)
            elif options and rng.random() < 0.45:  # 结对帮销: buying from a paired village
                agreement = rng.choice(options)
                product = rng.choice(by_village[agreement.village_id])
                day = random_day(rng, max(first, agreement.start_on), min(last, agreement.end_on))
            else:
                product = rng.choice(run.listed_products)
                day = _recent_day(rng, first, last)
            row = _order(run, oid, status, buyer, product, day)
            row["demand_id"] = demand_id
            if row["received_at"] is not None:
                row["agreement_id"] = _covering(
                    pair_lookup.get((buyer.id, product.village_id)), row["received_at"]
                )
            if row["rating"] is not None:
                totals = ratings.setdefault(product.id, [0, 0])
                totals[0] += row["rating"]
                totals[1] += 1
            out.add(row)
            step.advance()
    _write_ratings(run, ratings)


_SETTLED = (OrderStatus.received, OrderStatus.cancelled)


def _window(status: OrderStatus) -> tuple[date, date]:
    if status in _RECENT_WINDOWS:
        older, newer = _RECENT_WINDOWS[status]
        return REFERENCE_DATE - timedelta(days=older), REFERENCE_DATE - timedelta(days=newer)
    return HISTORY_START, REFERENCE_DATE - timedelta(days=15)


def _recent_day(rng, first: date, last: date) -> date:
    """A day in [first, last], more often recent: trade on the platform grew over time."""
    span = (last - first).days
    return last - timedelta(days=int(span * rng.random() ** 1.5))


def _covering(agreements: list[AgreementRef] | None, received_at: datetime) -> int | None:
    """The agreement a receipt counts for, chosen as app.services.orders does on receipt."""
    day = clock.local_date(received_at)
    covering = [a for a in agreements or () if a.start_on <= day <= a.end_on]
    return max(covering, key=lambda a: (a.start_on, a.id)).id if covering else None


def _order(run: SeedRun, oid: int, status, buyer: EnterpriseRef, product: ProductRef, day):
    rng = run.rng
    if product.unit in ("斤", "公斤"):
        quantity = rng.choice((5, 10, 20, 50, 100, 200, 500))
    elif product.unit == "件":
        quantity = rng.choice((1, 2, 5, 10))
    else:
        quantity = rng.choice((1, 2, 5, 10, 20, 50, 100))
    quantity = max(quantity, product.min_order)
    placed = office_time(rng, day)
    # Numbered like app.services.numbering: DD-<local day>-<sequence in that day>.
    stamp = clock.day_stamp(placed)
    counter = f"order:{stamp}"
    run.counters[counter] = run.counters.get(counter, 0) + 1
    confirmed = shipped = received = cancelled = None
    rating = None
    if status is not OrderStatus.placed and not (
        status is OrderStatus.cancelled and rng.random() < 0.6
    ):
        confirmed = random_time(rng, placed + timedelta(minutes=30), placed + timedelta(hours=48))
    if status in (OrderStatus.shipped, OrderStatus.received):
        shipped = random_time(rng, confirmed + timedelta(hours=2), confirmed + timedelta(hours=72))
    if status is OrderStatus.received:
        received = random_time(rng, shipped + timedelta(days=1), shipped + timedelta(days=7))
        if rng.random() < 0.55:
            rating = weighted(rng, _RATINGS)
    if status is OrderStatus.cancelled:
        since = confirmed or placed
        cancelled = random_time(rng, since + timedelta(hours=1), since + timedelta(hours=72))
    updated = max(t for t in (placed, confirmed, shipped, received, cancelled) if t is not None)
    carrier = rng.choice(_CARRIERS) if shipped else ""
    tracking = "" if not shipped or carrier == "自行配送" else str(rng.randint(10**11, 10**12 - 1))
    return {
        "id": oid,
        "number": f"DD-{stamp}-{run.counters[counter]:06d}",
        "buyer_id": buyer.id,
        "product_id": product.id,
        "quantity": quantity,
        "unit_price_fen": product.price_fen,
        "amount_fen": quantity * product.price_fen,
        "status": status.value,
        "shipping_address": f"{buyer.region_label}{rng.choice(_ROADS)}{rng.randint(1, 399)}号",
        "recipient_name": person_name(rng),
        "recipient_phone": mobile(rng),
        # Held at checkout (decision 0036) and kept once sold; a cancelled order gave it back.
        "stock_held": status is not OrderStatus.cancelled,
        "carrier": carrier,
        "tracking_number": tracking,
        "note": rng.choice(("", "", "请开具增值税普通发票。", "工作日白天送货。")),
        "cancel_reason": rng.choice(_CANCEL_REASONS) if cancelled else "",
        "rating": rating,
        "rating_comment": _COMMENTS[rating] if rating else "",
        "placed_at": placed,
        "confirmed_at": confirmed,
        "shipped_at": shipped,
        "received_at": received,
        "cancelled_at": cancelled,
        "agreement_id": None,
        "updated_at": updated,
    }


def _write_ratings(run: SeedRun, ratings: dict[int, list[int]]) -> None:
    """Store each rated product's rating sum and count (the same numbers as its orders)."""
    table = Product.__table__
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("product_id"))
        .values(rating_total=sa.bindparam("total"), rating_count=sa.bindparam("count"))
    )
    rows = [{"product_id": pid, "total": t, "count": c} for pid, (t, c) in ratings.items()]
    for start in range(0, len(rows), 5000):
        run.session.execute(statement, rows[start : start + 5000])
