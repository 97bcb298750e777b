"""Products of the cooperatives, made from their villages' real county specialties.

A product's origin village is its cooperative's village, so every product lies in the county its
specialty comes from (临猗石榴 only from 临猗县 villages, 稷山板枣 only from 稷山县 …).
"""

from datetime import date, datetime, timedelta

from app.models import CertificationApplication, Product
from app.models.enums import Certification, CertificationStatus, ProductCategory, ProductStatus
from app.models.flags import months_to_mask, to_mask
from app.models.quantities import quantities_of
from app.seed.catalogue import (
    DEFAULT_QUALIFIERS,
    FEATURES,
    QUALIFIERS,
    Pack,
    Specialty,
    short_name,
)
from app.seed.context import (
    REFERENCE_DATE,
    REFERENCE_TIME,
    CooperativeRef,
    ProductRef,
    SeedRun,
    WeightedPicker,
    office_time,
    quota,
    random_day,
)
from app.seed.specialties import GENERIC, SPECIALTIES

_STATUS = {ProductStatus.listed: 0.85, ProductStatus.draft: 0.08, ProductStatus.delisted: 0.07}
_MIN_ORDER = {"斤": (1, 5, 10, 10, 20, 50), "公斤": (1, 5, 10, 25), "件": (1,)}
_PACKED_MIN_ORDER = (1, 1, 1, 2, 5, 10)
_NO_GREEN = (ProductCategory.handicraft,)
_NO_ORGANIC = (ProductCategory.handicraft, ProductCategory.processed)


def seed_products(run: SeedRun) -> None:
    rng = run.rng
    makers = [c for c in run.cooperatives if c.approved]
    n = run.scale.products
    per_maker = [1 if i < n else 0 for i in range(len(makers))]
    picker = WeightedPicker(range(len(makers)), [rng.uniform(0.3, 2.0) for _ in makers])
    for _ in range(n - sum(per_maker)):
        per_maker[picker.pick(rng)] += 1
    statuses = iter(quota(rng, {s.value: share for s, share in _STATUS.items()}, n))
    step = run.step("产品", n)
    pid = application_id = 0
    with (
        run.inserter(Product, "产品") as out,
        run.inserter(CertificationApplication, "认定申请", after=out) as applications,
    ):
        for maker, count in zip(makers, per_maker, strict=True):
            for _ in range(count):
                pid += 1
                product, application = _product(run, pid, maker, next(statuses))
                out.add(product)
                if application is not None:
                    application_id += 1
                    application["id"] = application_id
                    applications.add(application)
                step.advance()


def _product(run: SeedRun, pid: int, maker: CooperativeRef, status: str):
    rng = run.rng
    village = maker.village
    options = SPECIALTIES[village.county_code] + GENERIC
    # Mostly the cooperative's own specialties; now and then a generic sideline.
    spec = options[rng.choice(maker.specialties)] if rng.random() < 0.85 else rng.choice(GENERIC)
    word = rng.choice(spec.words)
    county = run.county_names[village.county_code]
    origin = spec.origin or (
        short_name(county) if rng.random() < 0.6 else village.name.removesuffix("村")
    )
    pack = rng.choice(spec.packs)
    certs = []
    if spec.gi and rng.random() < 0.7:
        certs.append(Certification.geographic_indication)
    if spec.category not in _NO_GREEN and rng.random() < 0.15:
        certs.append(Certification.green)
    if spec.category not in _NO_ORGANIC and rng.random() < 0.05:
        certs.append(Certification.organic)
    if Certification.organic in certs and rng.random() < 0.7:
        qualifier = "有机"
    else:
        qualifier = rng.choice(QUALIFIERS.get(spec.category, DEFAULT_QUALIFIERS))
    name = f"{qualifier}{origin}{word}" + (f" {pack.label}" if pack.label else "")
    price = _price(rng, spec, pack)
    min_order = rng.choice(_MIN_ORDER.get(pack.unit, _PACKED_MIN_ORDER))
    stock = _stock(rng, pack.unit)
    if status == ProductStatus.draft and rng.random() < 0.5:
        stock = 0
    if status == ProductStatus.listed:
        run.listed_products.append(
            ProductRef(pid, village.id, spec.category.value, pack.unit, price, min_order, word)
        )
    created = office_time(rng, random_day(rng, date(2023, 9, 1), date(2026, 10, 20)))
    updated = min(created + timedelta(days=rng.randint(0, 120)), REFERENCE_TIME)
    application = _application(rng, pid, created, status)
    certified_until = application["expires_on"] if application else None
    if certified_until is not None:
        updated = max(updated, application["decided_at"])
    cert_text = "，".join(_CERT_TEXT[c] for c in certs)
    return {
        "id": pid,
        "cooperative_id": maker.id,
        "village_id": village.id,
        "name": name,
        "category": spec.category.value,
        "unit": pack.unit,
        "price_fen": price,
        "min_order": min_order,
        "stock": stock,
        "harvest_months": months_to_mask(spec.months),
        "certifications": to_mask(certs, Certification),
        "assistance_certified_until": certified_until,
        "variety": word[:20],
        **_quantities(name, pack),
        "shelf_life_days": _SHELF_LIFE[spec.category],
        "shipping_terms": _SHIPPING.get(spec.category, _DEFAULT_SHIPPING),
        "dispatch_place": f"{county}{village.name}"[:60],
        "description": f"{origin}{word}，产自{county}{village.township_name}{village.name}。"
        f"{FEATURES[spec.category]}。" + (f"已获{cert_text}认证。" if cert_text else ""),
        "status": status,
        "rating_total": 0,
        "rating_count": 0,
        "created_at": created,
        "updated_at": updated,
    }, application


_SHELF_LIFE = {
    ProductCategory.fruit: 15,
    ProductCategory.vegetable: 7,
    ProductCategory.grain_oil: 365,
    ProductCategory.livestock: 10,
    ProductCategory.dried_nut: 270,
    ProductCategory.herb: 730,
    ProductCategory.processed: 180,
    ProductCategory.handicraft: None,
    ProductCategory.other: 180,
}
_SHIPPING = {
    ProductCategory.fruit: "产地直发，48 小时内发货，坏果包赔",
    ProductCategory.vegetable: "冷链配送，运城市内次日达",
    ProductCategory.livestock: "冷链配送，检疫合格证随货",
    ProductCategory.handicraft: "快递包邮，7 天无理由退货",
}
_DEFAULT_SHIPPING = "快递发货，满 99 元包邮"


def _quantities(name: str, pack: Pack) -> dict:
    """What one unit holds: the name's size (5斤装, 30枚装), or the pack's weight in 斤."""
    grams, pieces = quantities_of(name, pack.unit)
    if grams is None and pieces is None:
        grams = round(pack.jin * 500)
    return {"net_weight_g": grams, "pieces_per_unit": pieces}


def _application(rng, pid: int, created: datetime, status: str) -> dict | None:
    """The bureau's 消费帮扶 certification: 40% certified (some since expired), a few pending."""
    roll = rng.random()
    last = REFERENCE_DATE - timedelta(days=2)
    if created.date() > last - timedelta(days=15):
        return None  # too new to have been reviewed
    if roll < 0.4:
        outcome = CertificationStatus.approved
    elif roll < 0.45 and status == ProductStatus.listed:
        outcome = rng.choice((CertificationStatus.pending, CertificationStatus.rejected))
    else:
        return None
    applied_day = random_day(rng, created.date() + timedelta(days=1), last - timedelta(days=14))
    applied = office_time(rng, applied_day)
    decided = expires = None
    if outcome is not CertificationStatus.pending:
        decided = office_time(rng, applied_day + timedelta(days=rng.randint(1, 14)))
    if outcome is CertificationStatus.approved:
        expires = decided.date() + timedelta(days=rng.randint(180, 730))
    return {
        "product_id": pid,
        "status": outcome.value,
        "note": "申请消费帮扶产品认定，附产品检测报告和产地证明。",
        "expires_on": expires,
        "reason": rng.choice(_REJECTIONS) if outcome is CertificationStatus.rejected else "",
        "applied_at": applied,
        "decided_at": decided,
        "decided_by": None,
    }


_REJECTIONS = ("检测报告已过期，请更新后重新申请。", "产地证明与合作社所在村不符。")
_CERT_TEXT = {
    Certification.green: "绿色食品",
    Certification.organic: "有机产品",
    Certification.geographic_indication: "农产品地理标志",
}


def _price(rng, spec: Specialty, pack: Pack) -> int:
    """Price in 分 of one unit: the per-斤 price times the pack's weight and premium."""
    per_jin = rng.randint(*spec.price)
    price = per_jin * pack.jin * pack.premium
    if price < 1000:
        return max(10, round(price / 10) * 10)
    price = round(price / 100) * 100
    return price - 10 if rng.random() < 0.4 else price  # ¥x.90 pricing


def _stock(rng, unit: str) -> int:
    if unit in ("斤", "公斤"):
        return rng.randint(50, 3000) * 10
    if unit == "件":
        return rng.randint(5, 300)
    return rng.randint(50, 3000)
