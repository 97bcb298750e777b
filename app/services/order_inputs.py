"""What an order's forms send: checkout (quantity, recipient, address), shipping, rating."""

import re

from pydantic import BaseModel, Field, field_validator

from app.errors import ValidationError
from app.models import Product
from app.money import MAX_AMOUNT_FEN, yuan_label
from app.services.inputs import MultilineText, RowId, Text
from app.services.products import MAX_QUANTITY, check_unit

# A mainland mobile (13800138000) or a landline with its area code (0359-2021234).
_PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
# Carriers' waybill numbers: letters, digits and dashes.
_TRACKING = re.compile(r"^[A-Za-z0-9-]*$")


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class RecipientInput(BaseModel):
    """Who receives the goods (收货人) and how the carrier reaches them."""

    recipient_name: Text = Field(title="收货人", min_length=1, max_length=40)
    recipient_phone: Text = Field(title="收货人电话", min_length=1, max_length=20)

    _strip = field_validator("recipient_name", mode="before")(_stripped)

    # After the text type's own checks (control and bidi characters get their own message).
    @field_validator("recipient_phone")
    @classmethod
    def _phone(cls, value):
        value = re.sub(r"[\s]", "", value) if isinstance(value, str) else value
        if isinstance(value, str) and value and not _PHONE.match(value):
            raise ValueError("请填写正确的收货人电话：11 位手机号或带区号的固定电话")
        return value


class OrderInput(RecipientInput):
    quantity: int = Field(title="订购数量", gt=0, le=MAX_QUANTITY)
    unit: Text = Field(title="计量单位")
    shipping_address: Text = Field(title="收货地址", min_length=1, max_length=200)
    note: MultilineText = Field(default="", title="备注", max_length=500)
    demand_id: RowId | None = Field(default=None, title="采购需求")

    _unit = field_validator("unit")(check_unit)
    _strip_text = field_validator("shipping_address", "note", mode="before")(_stripped)

    @field_validator("demand_id", mode="before")
    @classmethod
    def _blank_demand(cls, value):
        return None if value in ("", None) else value


class ShippingInput(BaseModel):
    carrier: Text = Field(title="承运物流", min_length=1, max_length=40)
    tracking_number: Text = Field(default="", title="运单号", max_length=40)

    _strip = field_validator("carrier", mode="before")(_stripped)

    @field_validator("tracking_number")
    @classmethod
    def _tracking(cls, value):
        value = value.strip() if isinstance(value, str) else value
        if isinstance(value, str) and not _TRACKING.match(value):
            raise ValueError("运单号只能包含字母、数字和 -")
        return value


class RatingInput(BaseModel):
    rating: int = Field(title="评分", ge=1, le=5)
    comment: MultilineText = Field(default="", title="评价", max_length=500)


def check_order_unit(product: Product, unit: str) -> None:
    if unit != product.unit:
        raise ValidationError(
            f"该产品按“{product.unit}”销售，请按{product.unit}填写数量",
            code="unit_mismatch",
            field="unit",
        )


def check_quantity(product: Product, quantity: int, unit: str, field: str = "quantity") -> None:
    """A line of an order: the product's unit, its minimum order, the amount's bound and (read
    now; the hold re-checks it atomically) its stock. Errors name ``field``."""
    check_order_unit(product, unit)
    unit = product.unit
    if quantity < product.min_order:
        raise ValidationError(
            f"起订量为 {product.min_order} {unit}", code="below_min_order", field=field
        )
    if quantity * product.price_fen > MAX_AMOUNT_FEN:
        raise ValidationError(
            f"订单金额不能超过 {yuan_label(MAX_AMOUNT_FEN)}，请分多笔订购",
            code="amount_too_large",
            field=field,
        )
    if quantity > product.stock:
        raise ValidationError(
            f"库存不足：当前最多可订 {product.stock} {unit}",
            code="quantity_above_stock",
            field=field,
        )
