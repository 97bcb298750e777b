"""The ledger's master-data sections: villages, enterprises, cooperatives and products in the
import templates' columns (app/services/imports/columns.py), so an exported ledger imports again."""

from collections.abc import Callable, Iterator

import sqlalchemy as sa

from app.models import Cooperative, Enterprise, Product, Village
from app.models.flags import from_mask, mask_to_months
from app.services.imports.columns import FLAG_FALSE, FLAG_TRUE, KINDS, LIST_SEPARATOR, Cell
from app.services.ledger_sections import (
    Kind,
    LedgerColumn,
    Section,
    counter,
    in_scope,
    stream,
    yuan,
)


def _master_value(column, value):
    if value is None:
        return ""
    if column.cell == Cell.flag:
        return FLAG_TRUE if value else FLAG_FALSE
    if column.cell == Cell.yuan:
        return yuan(value)
    if column.cell == Cell.choice:
        return column.labels[value]
    if column.cell == Cell.choices:
        members = from_mask(value, type(next(iter(column.labels))))
        return LIST_SEPARATOR.join(column.labels[m] for m in members)
    if column.cell == Cell.months:
        return LIST_SEPARATOR.join(str(m) for m in mask_to_months(value))
    return value


def _master_columns(kind: str) -> tuple[LedgerColumn, ...]:
    kinds = {Cell.integer: Kind.INTEGER, Cell.yuan: Kind.MONEY}
    return tuple(
        LedgerColumn(c.header, kinds.get(c.cell, Kind.TEXT), c.width) for c in KINDS[kind].columns
    )


def _master_rows(kind: str, query_of: Callable) -> Callable:
    columns = KINDS[kind].columns

    def rows(session, actor, county) -> Iterator[tuple]:
        for row in stream(session, query_of(actor, county)):
            values = row._mapping
            yield tuple(_master_value(c, values[c.field]) for c in columns)

    return rows


def _villages(actor, county):
    return (
        sa.select(*(getattr(Village, c.field) for c in KINDS["villages"].columns))
        .where(*in_scope(actor, county, Village.county_code))
        .order_by(Village.code)
    )


def _enterprises(actor, county):
    fields = [c.field for c in KINDS["enterprises"].columns]
    return (
        sa.select(*(getattr(Enterprise, f) for f in fields))
        .where(*in_scope(actor, county, Enterprise.county_code))
        .order_by(Enterprise.id)
    )


def _cooperatives(actor, county):
    fields = [c.field for c in KINDS["cooperatives"].columns if c.field != "village_code"]
    return (
        sa.select(*(getattr(Cooperative, f) for f in fields), Village.code.label("village_code"))
        .join(Village, Village.id == Cooperative.village_id)
        .where(*in_scope(actor, county, Village.county_code))
        .order_by(Cooperative.id)
    )


def _products(actor, county):
    fields = [c.field for c in KINDS["products"].columns]
    columns = {
        "cooperative_credit_code": Cooperative.credit_code.label("cooperative_credit_code"),
        "price": Product.price_fen.label("price"),
    }
    return (
        sa.select(*(columns.get(f) if f in columns else getattr(Product, f) for f in fields))
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .join(Village, Village.id == Product.village_id)
        .where(*in_scope(actor, county, Village.county_code))
        .order_by(Product.id)
    )


def _join_village(model):
    return lambda query: query.join(Village, Village.id == model.village_id)


MASTER_SECTIONS = tuple(
    Section(kind, KINDS[kind].title, _master_columns(kind), count, _master_rows(kind, query))
    for kind, count, query in (
        ("villages", counter(Village, None, Village.county_code), _villages),
        ("enterprises", counter(Enterprise, None, Enterprise.county_code), _enterprises),
        (
            "cooperatives",
            counter(Cooperative, _join_village(Cooperative), Village.county_code),
            _cooperatives,
        ),
        ("products", counter(Product, _join_village(Product), Village.county_code), _products),
    )
)
