"""Suggesting products for a purchase demand, with the reasons shown next to each suggestion.

Every criterion is a SQL condition, scored in the database: one query ranks any number of
products and returns, for the few kept, which criteria they met; the reasons are then written
from those flags. Candidates are listed products of the demand's category or whose name holds
one of its keywords.
"""

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor, Role
from app.labels import label
from app.models import County, Demand, PairingAgreement, Product, Village
from app.models.enums import AgreementStatus, CountyCategory, ProductStatus
from app.models.flags import ALL_MONTHS, has_any, mask_to_months, months_to_mask
from app.money import fen_to_yuan
from app.services import clock
from app.services.demands import get_demand

# Points per criterion met; a paired village first, then what the buyer asked for.
WEIGHTS = {
    "paired": 40,
    "category": 30,
    "keyword_name": 20,
    "keyword_text": 10,
    "stock": 20,
    "price": 15,
    "unit": 15,
    "season": 10,
    "certified": 10,
    "key_county": 10,
    "min_order": 5,
}
MAX_KEYWORDS = 5
_KEYWORD_SEPARATORS = re.compile(r"[\s,，、;；/|]+")


@dataclass(frozen=True, slots=True)
class Reason:
    text: str
    met: bool


@dataclass(frozen=True, slots=True)
class Suggestion:
    product: Product
    village_name: str
    county_name: str
    score: int
    reasons: tuple[Reason, ...]
    # From a village the buyer is paired with: the purchase will count as 结对帮销.
    paired: bool


def keywords_of(text: str) -> list[str]:
    words = [w for w in _KEYWORD_SEPARATORS.split(text or "") if w]
    return list(dict.fromkeys(w[:20] for w in words))[:MAX_KEYWORDS]


def season_window(start: date, end: date) -> int:
    """The months from ``start`` to ``end`` as a harvest-month mask (all of them past a year)."""
    if end < start:
        start = end
    span = (end.year - start.year) * 12 + end.month - start.month
    if span >= 11:
        return ALL_MONTHS
    return months_to_mask((start.month - 1 + i) % 12 + 1 for i in range(span + 1))


def suggest_products(
    *,
    session: Session,
    actor: Actor,
    demand_id: int,
    today: date | None = None,
    limit: int = 20,
) -> tuple[Demand, list[Suggestion]]:
    """Rank products for the demand; a cooperative sees only how its own products match."""
    demand = get_demand(session=session, actor=actor, demand_id=demand_id)
    today = today or clock.today()
    keywords = keywords_of(demand.keywords)
    flags = _criteria(demand, keywords, today)
    cases = {name: sa.case((condition, 1), else_=0) for name, condition in flags.items()}
    score = sum(WEIGHTS[name] * case for name, case in cases.items()).label("score")
    query = (
        sa.select(
            Product,
            Village.name,
            County.name,
            *(case.label(name) for name, case in cases.items()),
            score,
        )
        .join(Village, Village.id == Product.village_id)
        .join(County, County.code == Village.county_code)
        .where(
            Product.status == ProductStatus.listed,
            sa.or_(flags["category"], flags["keyword_name"]),
        )
        .order_by(score.desc(), Product.price_fen, Product.id)
        .limit(limit)
    )
    if actor.role == Role.cooperative:
        query = query.where(Product.cooperative_id == actor.cooperative_id)
    suggestions = []
    for row in session.execute(query):
        product, village_name, county_name = row[0], row[1], row[2]
        met = {name: bool(getattr(row, name)) for name in cases}
        reasons = _reasons(demand, product, keywords, met, village_name, county_name, actor)
        suggestions.append(
            Suggestion(product, village_name, county_name, row.score, reasons, met["paired"])
        )
    return demand, suggestions


def _criteria(demand: Demand, keywords: list[str], today: date) -> dict[str, sa.ColumnElement]:
    def any_contains(column) -> sa.ColumnElement:
        if not keywords:
            return sa.false()
        return sa.or_(*(column.contains(k, autoescape=True) for k in keywords))

    paired = sa.exists().where(
        PairingAgreement.enterprise_id == demand.buyer_id,
        PairingAgreement.village_id == Product.village_id,
        PairingAgreement.status == AgreementStatus.active,
    )
    if demand.max_unit_price_fen is None:
        price = sa.false()
    else:
        price = Product.price_fen <= demand.max_unit_price_fen
    window = season_window(today, demand.deliver_by)
    return {
        "paired": paired,
        "category": Product.category == demand.category,
        "keyword_name": any_contains(Product.name),
        "keyword_text": any_contains(Product.description),
        "stock": Product.stock >= demand.quantity,
        "price": price,
        "unit": Product.unit == demand.unit,
        "season": sa.or_(Product.harvest_months == 0, has_any(Product.harvest_months, window)),
        "certified": sa.and_(
            Product.assistance_certified_until.is_not(None),
            Product.assistance_certified_until >= today,
        ),
        "key_county": County.category == CountyCategory.key,
        "min_order": Product.min_order <= demand.quantity,
    }


def _reasons(
    demand: Demand,
    product: Product,
    keywords: list[str],
    met: dict[str, bool],
    village_name: str,
    county_name: str,
    actor: Actor,
) -> tuple[Reason, ...]:
    unit = product.unit
    reasons = []
    if met["paired"]:
        whose = "您" if actor.role == Role.enterprise else "采购方"
        reasons.append(Reason(f"来自{whose}结对帮扶的{village_name}，计入结对帮销", True))
    category = label(product.category)
    reasons.append(
        Reason(f"同品类（{category}）", True)
        if met["category"]
        else Reason(f"品类为{category}，与需求不同", False)
    )
    if keywords:
        reasons.append(_keyword_reason(product, keywords))
    if not met["unit"]:
        reasons.append(Reason(f"按“{unit}”销售，与需求单位“{demand.unit}”不同", False))
    reasons.append(
        Reason(f"库存充足（{product.stock:,} {unit}）", True)
        if met["stock"]
        else Reason(f"库存不足（现有 {product.stock:,} {unit}）", False)
    )
    if not met["min_order"]:
        reasons.append(Reason(f"起订量 {product.min_order:,} {unit}，多于需求数量", False))
    reasons.append(_season_reason(product, met["season"]))
    if demand.max_unit_price_fen is not None:
        price, ceiling = fen_to_yuan(product.price_fen), fen_to_yuan(demand.max_unit_price_fen)
        reasons.append(
            Reason(f"单价 ¥{price} 不高于最高价 ¥{ceiling}", True)
            if met["price"]
            else Reason(f"单价 ¥{price} 高于最高价 ¥{ceiling}", False)
        )
    if met["certified"]:
        until = product.assistance_certified_until
        reasons.append(
            Reason(f"消费帮扶认定产品（有效期至 {until.year}年{until.month}月{until.day}日）", True)
        )
    if met["key_county"]:
        reasons.append(Reason(f"来自重点帮扶县（{county_name}）", True))
    return tuple(reasons)


def _keyword_reason(product: Product, keywords: list[str]) -> Reason:
    for keyword in keywords:
        if keyword in product.name:
            return Reason(f"名称含“{keyword}”", True)
    for keyword in keywords:
        if keyword in product.description:
            return Reason(f"介绍提到“{keyword}”", True)
    return Reason("未匹配关键词", False)


def _season_reason(product: Product, in_season: bool) -> Reason:
    if product.harvest_months == 0:
        return Reason("全年供应", True)
    months = month_ranges(mask_to_months(product.harvest_months))
    if in_season:
        return Reason(f"交货前当季（{months}月上市）", True)
    return Reason(f"交货前不在上市季（{months}月上市）", False)


def month_ranges(months: list[int]) -> str:
    """[9, 10, 11, 1] → ``1、9–11``."""
    parts: list[str] = []
    run: list[int] = []
    for month in [*sorted(months), 99]:
        if run and month == run[-1] + 1:
            run.append(month)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
        run = [month]
    return "、".join(parts)
