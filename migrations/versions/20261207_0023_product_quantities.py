"""product quantities: variety, net weight or pieces per unit, shelf life, shipping, dispatch
place, and the certificate numbers of claimed certifications

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 22:45:00

See docs/decisions/0037-product-relevance-prices-imports.md. Existing products get what their
names and units say: a unit of 斤 or 公斤 weighs 500 or 1000 g; a name ending in 5斤装, 2.5公斤装 or
500克装 gives the weight of its box or bag, 30枚装 its count of pieces. The dispatch place is the
product's county and village. Nothing is deleted or guessed beyond that.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.models.quantities import quantities_of

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
CERTIFICATE_COLUMNS = ("green_certificate_no", "organic_certificate_no", "gi_certificate_no")


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("variety", AutoString(length=20), nullable=False, server_default=""))
        batch.add_column(sa.Column("net_weight_g", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("pieces_per_unit", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("shelf_life_days", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("shipping_terms", AutoString(length=200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("dispatch_place", AutoString(length=60), nullable=False, server_default="")
        )
        for column in CERTIFICATE_COLUMNS:
            batch.add_column(
                sa.Column(column, AutoString(length=40), nullable=False, server_default="")
            )
        batch.create_check_constraint(
            "net_weight_positive", "net_weight_g IS NULL OR net_weight_g > 0"
        )
        batch.create_check_constraint(
            "pieces_positive", "pieces_per_unit IS NULL OR pieces_per_unit > 0"
        )
        batch.create_check_constraint(
            "shelf_life_positive", "shelf_life_days IS NULL OR shelf_life_days > 0"
        )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT p.id, p.name, p.unit, c.name, v.name FROM products p "
            "JOIN villages v ON v.id = p.village_id JOIN counties c ON c.code = v.county_code"
        )
    ).all()
    update = sa.text(
        "UPDATE products SET net_weight_g = :grams, pieces_per_unit = :pieces, "
        "dispatch_place = :place WHERE id = :id"
    )
    for product_id, name, unit, county, village in rows:
        grams, pieces = quantities_of(name, unit)
        place = f"{county}{village}"[:60]
        connection.execute(
            update, {"grams": grams, "pieces": pieces, "place": place, "id": product_id}
        )


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        for name in ("shelf_life_positive", "pieces_positive", "net_weight_positive"):
            batch.drop_constraint(name, type_="check")
        for column in (
            *CERTIFICATE_COLUMNS,
            "dispatch_place",
            "shipping_terms",
            "shelf_life_days",
            "pieces_per_unit",
            "net_weight_g",
            "variety",
        ):
            batch.drop_column(column)
