"""Products (特色产品) of cooperatives: create, edit, list, delist, and inline price and stock."""

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, NotFoundError, ValidationError
from app.labels import PRODUCT_UNITS
from app.models import Cooperative, Product, Village
from app.models.base import utcnow
from app.models.enums import Certification, ProductCategory, ProductStatus
from app.models.flags import months_to_mask, to_mask
from app.money import MAX_AMOUNT_FEN, MAX_UNIT_PRICE_FEN, fen_to_yuan, yuan_to_fen
from app.permissions import can_create_product, can_manage_product, can_see_product, require
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import ProductEvent
from app.services.inputs import Text, parse
from app.services.paging import Page, paginate
from app.services.privacy import PublicLine, PublicText
from app.services.versioning import PRODUCT_STALE, expect_version, flush_versioned

# Large enough for any real stock or order, small enough to multiply by a price in 64 bits.
MAX_QUANTITY = 100_000_000
MAX_NET_GRAMS = 1_000_000  # one tonne per unit
# Fields an edit that leaves them out keeps (forms and API clients older than decision 0037).
KEPT_WHEN_ABSENT = (
    "variety",
    "net_weight_g",
    "pieces_per_unit",
    "shelf_life_days",
    "shipping_terms",
    "dispatch_place",
    *(f"{prefix}_certificate_no" for prefix in ("green", "organic", "gi")),
)
CERTIFICATE_FIELDS = {
    Certification.green: "green_certificate_no",
    Certification.organic: "organic_certificate_no",
    Certification.geographic_indication: "gi_certificate_no",
}


def check_unit(value: str) -> str:
    value = (value or "").strip()
    if value not in PRODUCT_UNITS:
        raise ValueError("请选择计量单位（" + "、".join(PRODUCT_UNITS) + "）")
    return value


def yuan_field(label: str, *, positive: bool = True, maximum: int = MAX_AMOUNT_FEN):
    """A validator turning an amount in 元 into 分, with money.py's Chinese messages."""

    def convert(value):
        blank = value is None or (isinstance(value, str) and not value.strip())
        if blank and not positive:
            return None
        try:
            fen = yuan_to_fen("" if value is None else value, label=label, maximum=maximum)
        except ValidationError as exc:
            raise ValueError(exc.message) from None
        if positive and fen == 0:
            raise ValueError(f"{label}应大于 0")
        return fen

    return convert


class PriceStockInput(BaseModel):
    price: int = Field(title="单价")
    stock: int = Field(title="库存", ge=0, le=MAX_QUANTITY)

    _price = field_validator("price", mode="before")(yuan_field("单价", maximum=MAX_UNIT_PRICE_FEN))


class ProductInput(PriceStockInput):
    name: PublicLine = Field(title="产品名称", min_length=2, max_length=60)
    category: ProductCategory = Field(title="品类")
    unit: Text = Field(title="计量单位")
    min_order: int = Field(default=1, title="起订量", ge=1, le=MAX_QUANTITY)
    harvest_months: list[int] = Field(default_factory=list, title="上市月份")
    certifications: list[Certification] = Field(default_factory=list, title="产品认证")
    description: PublicText = Field(default="", title="产品介绍", max_length=4000)
    # What one unit holds and how it ships (decision 0037); left out, an edit keeps them.
    variety: PublicLine = Field(default="", title="品种", max_length=20)
    net_weight_g: int | None = Field(default=None, title="每件净含量（克）", ge=1, le=MAX_NET_GRAMS)
    pieces_per_unit: int | None = Field(default=None, title="每件个数", ge=1, le=100_000)
    shelf_life_days: int | None = Field(default=None, title="保质期（天）", ge=1, le=3650)
    shipping_terms: PublicLine = Field(default="", title="发货与运费说明", max_length=200)
    dispatch_place: PublicLine = Field(default="", title="发货地", max_length=60)
    green_certificate_no: Text = Field(default="", title="绿色食品证书编号", max_length=40)
    organic_certificate_no: Text = Field(default="", title="有机产品证书编号", max_length=40)
    gi_certificate_no: Text = Field(default="", title="地理标志登记证书编号", max_length=40)

    _unit = field_validator("unit")(check_unit)

    @field_validator("net_weight_g", "pieces_per_unit", "shelf_life_days", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("name", "description", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("harvest_months")
    @classmethod
    def _months(cls, months: list[int]) -> list[int]:
        if any(not 1 <= m <= 12 for m in months):
            raise ValueError("上市月份应为 1–12 月")
        return sorted(set(months))


def create_product(*, session: Session, actor: Actor, data: dict) -> Product:
    """Add a product as a draft of the actor's cooperative, from the cooperative's own village."""
    cooperative = session.get(Cooperative, actor.cooperative_id) if actor.cooperative_id else None
    require(
        cooperative is not None and can_create_product(actor, cooperative.id, cooperative.status)
    )
    form = parse(ProductInput, data)
    product = Product(
        **_columns(form),
        cooperative_id=cooperative.id,
        village_id=cooperative.village_id,
        status=ProductStatus.draft,
    )
    session.add(product)
    _record(session, actor, "product.create", product, f"新增产品“{product.name}”")
    return product


def update_product(
    *, session: Session, actor: Actor, product_id: int, expected_version: int, data: dict
) -> Product:
    """Change every editable field of a product, stock included, at the version the form showed.

    Confirming or cancelling an order changes the stock and the version, so a form read before
    a sale is refused instead of writing back the stock it showed.
    """
    product = _managed(session, actor, product_id)
    expect_version(product, expected_version, PRODUCT_STALE)
    form = parse(ProductInput, data)
    before = snapshot(product)
    for name, value in _columns(form).items():
        if name in KEPT_WHEN_ABSENT and name not in form.model_fields_set:
            continue
        setattr(product, name, value)
    product.updated_at = utcnow()
    flush_versioned(session, PRODUCT_STALE)
    _record(session, actor, "product.update", product, f"修改产品“{product.name}”", before)
    return product


def update_price_and_stock(
    *, session: Session, actor: Actor, product_id: int, expected_version: int, data: dict
) -> Product:
    """Set price and stock from the inline editor, at the version the row showed."""
    product = _managed(session, actor, product_id)
    expect_version(product, expected_version, PRODUCT_STALE)
    form = parse(PriceStockInput, data)
    before = snapshot(product)
    product.price_fen, product.stock, product.updated_at = form.price, form.stock, utcnow()
    flush_versioned(session, PRODUCT_STALE)
    _record(
        session,
        actor,
        "product.update_price_stock",
        product,
        f"调整“{product.name}”单价为 {fen_to_yuan(product.price_fen)} 元、库存为 {product.stock}",
        before,
    )
    return product


def list_product(
    *, session: Session, actor: Actor, product_id: int, expected_version: int
) -> Product:
    """Put a draft or delisted product on sale (在售)."""
    product = _managed(session, actor, product_id)
    expect_version(product, expected_version, PRODUCT_STALE)
    cooperative = session.get(Cooperative, product.cooperative_id)
    require(can_create_product(actor, cooperative.id, cooperative.status))
    if product.status == ProductStatus.listed:
        raise ConflictError("该产品已在售", code="already_listed")
    if product.price_fen <= 0:
        raise ValidationError("请先填写单价再上架", code="price_required", field="price")
    return _set_status(session, actor, product, ProductStatus.listed, "product.list", "上架")


def delist_product(
    *, session: Session, actor: Actor, product_id: int, expected_version: int
) -> Product:
    """Take a listed product off sale; orders already placed go on."""
    product = _managed(session, actor, product_id)
    expect_version(product, expected_version, PRODUCT_STALE)
    if product.status != ProductStatus.listed:
        raise ConflictError("该产品不在售，无需下架", code="not_listed")
    return _set_status(session, actor, product, ProductStatus.delisted, "product.delist", "下架")


def get_product(*, session: Session, actor: Actor, product_id: int) -> Product:
    """A product the actor may see (listed ones are public), with its village and county."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFoundError("产品不存在")
    village = session.get(Village, product.village_id)
    visible = can_see_product(
        actor,
        product.cooperative_id,
        village.county_code,
        listed=product.status == ProductStatus.listed,
    )
    if not visible:
        raise NotFoundError("产品不存在或已下架")
    _ = product.village.county, product.cooperative
    return product


def get_managed_product(*, session: Session, actor: Actor, product_id: int) -> Product:
    """A product of the actor's own cooperative, for its editing page."""
    product = _managed(session, actor, product_id)
    _ = product.village.county, product.cooperative
    return product


def my_products(
    *, session: Session, actor: Actor, status: ProductStatus | None = None, page: int = 1
) -> Page[Product]:
    """The actor's cooperative's products, newest first (none for anyone else)."""
    query = select(Product).where(
        Product.cooperative_id == (actor.cooperative_id or -1),
        sa.true() if status is None else Product.status == status,
    )
    return paginate(
        session, query.order_by(Product.created_at.desc(), Product.id.desc()), number=page
    )


def _managed(session: Session, actor: Actor, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFoundError("产品不存在")
    require(can_manage_product(actor, product.cooperative_id))
    return product


def _columns(form: ProductInput) -> dict:
    for certification, field in CERTIFICATE_FIELDS.items():
        if getattr(form, field) and certification not in form.certifications:
            raise ValidationError(
                "填写了证书编号，请同时勾选该认证", code="certificate_unclaimed", field=field
            )
    values = form.model_dump(exclude={"price", "harvest_months", "certifications"})
    return values | {
        "price_fen": form.price,
        "harvest_months": months_to_mask(form.harvest_months),
        "certifications": to_mask(form.certifications, Certification),
    }


def _set_status(
    session: Session, actor: Actor, product: Product, status: ProductStatus, action: str, verb: str
) -> Product:
    before = snapshot(product)
    product.status = status
    product.updated_at = utcnow()
    flush_versioned(session, PRODUCT_STALE)
    _record(session, actor, action, product, f"{verb}产品“{product.name}”", before)
    return product


def _record(
    session: Session,
    actor: Actor,
    action: str,
    product: Product,
    summary: str,
    before: dict | None = None,
) -> None:
    """Publish the product's change (audit, and its search document refreshed or removed)."""
    village = session.get(Village, product.village_id)
    publish(
        session,
        ProductEvent.by(
            actor,
            action=action,
            obj=product,
            summary=summary,
            before=before,
            after=snapshot(product),
            county_code=village.county_code,
        ),
    )
