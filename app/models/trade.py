"""Purchase demands (采购需求) and orders (订单) of consumption assistance."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from app.models.base import EnumString, UTCDateTime, non_negative, one_of, utcnow
from app.models.enums import DemandStatus, OrderStatus, ProductCategory

if TYPE_CHECKING:
    from app.models.organisation import Enterprise
    from app.models.pairing import PairingAgreement
    from app.models.product import Product

# version_id_col needs the Column object itself (SQLModel loses a string name, decision 0004);
# it is shared with the mapper args.
_demand_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")
_order_version = sa.Column("version", sa.Integer, nullable=False, server_default="1")


class Demand(SQLModel, table=True):
    """A buyer's request to purchase a quantity of some category of product."""

    __tablename__ = "demands"
    __table_args__ = (
        one_of("category", ProductCategory),
        one_of("status", DemandStatus),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "max_unit_price_fen IS NULL OR max_unit_price_fen >= 0", name="max_price_non_negative"
        ),
    )

    __mapper_args__ = {"version_id_col": _demand_version}

    id: int | None = Field(default=None, primary_key=True)
    buyer_id: int = Field(foreign_key="enterprises.id", index=True)
    title: str = Field(max_length=80)
    category: ProductCategory = Field(sa_type=EnumString(ProductCategory))
    keywords: str = Field(default="", max_length=200)
    quantity: int = Field(sa_type=sa.BigInteger)
    unit: str = Field(max_length=8)
    max_unit_price_fen: int | None = Field(default=None, sa_type=sa.BigInteger)
    deliver_by: date
    destination_region: str = Field(default="", max_length=60)
    note: str = Field(default="", sa_type=sa.Text)
    status: DemandStatus = Field(default=DemandStatus.open, sa_type=EnumString(DemandStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_demand_version)

    buyer: "Enterprise" = Relationship()


class Order(SQLModel, table=True):
    """A purchase of one product; the amount is fixed at the unit price when ordered."""

    __tablename__ = "orders"
    __table_args__ = (
        one_of("status", OrderStatus),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("amount_fen = quantity * unit_price_fen", name="amount_consistent"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_valid"),
        *non_negative("unit_price_fen", "amount_fen"),
        sa.Index("ix_orders_status_placed", "status", "placed_at"),
        # The dashboard's sales, reserved shares and most active buyers and the ledger read
        # received orders by the time of receipt; covers what they sum (migrations 0005, 0006).
        sa.Index(
            "ix_orders_status_received",
            "status",
            "received_at",
            "product_id",
            "amount_fen",
            "agreement_id",
            "buyer_id",
        ),
    )
    __mapper_args__ = {"version_id_col": _order_version}

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True)
    buyer_id: int = Field(foreign_key="enterprises.id", index=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    demand_id: int | None = Field(default=None, foreign_key="demands.id", index=True)
    agreement_id: int | None = Field(default=None, foreign_key="pairing_agreements.id", index=True)
    # Orders placed together in one checkout (several products of one cooperative) share the
    # number of the first of them (decision 0036); None for an order placed alone.
    checkout_number: str | None = Field(default=None, max_length=24, index=True)
    quantity: int = Field(sa_type=sa.BigInteger)
    unit_price_fen: int = Field(sa_type=sa.BigInteger)
    amount_fen: int = Field(sa_type=sa.BigInteger)
    status: OrderStatus = Field(default=OrderStatus.placed, sa_type=EnumString(OrderStatus))
    shipping_address: str = Field(default="", max_length=200)
    recipient_name: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    recipient_phone: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    # The order's quantity is taken out of the product's stock (held at checkout, decision 0036);
    # False once given back (cancelled, refused, expired) and for orders placed before holds.
    stock_held: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    carrier: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    tracking_number: str = Field(default="", max_length=40, sa_column_kwargs={"server_default": ""})
    note: str = Field(default="", max_length=500)
    cancel_reason: str = Field(default="", max_length=200)
    rating: int | None = Field(default=None)
    rating_comment: str = Field(default="", max_length=500)
    placed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    shipped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_order_version)

    buyer: "Enterprise" = Relationship()
    product: "Product" = Relationship()
    agreement: "PairingAgreement" = Relationship()
