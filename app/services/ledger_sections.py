"""The ledger's sections (台账): one sheet each, its Chinese headers, and the rows streamed in SQL.

Every section is one query over the officer's region (optionally one county), read in batches.
The master-data sections are in app/services/ledger_master.py.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.labels import AGREEMENT_STATUS, ORDER_STATUS, REPORT_STATUS, label
from app.models import (
    INDICATORS,
    Cooperative,
    County,
    Enterprise,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    Village,
)
from app.models.enums import HelpKind
from app.models.flags import from_mask
from app.permissions import REGION_ROWS
from app.services.imports.columns import LIST_SEPARATOR
from app.services.stats.coverage import coverage

BATCH = 1000


class Kind:
    """How a value is written: the XLSX number format, and its text in CSV."""

    TEXT, INTEGER, MONEY, DATE, DATETIME = "text", "integer", "money", "date", "datetime"


@dataclass(frozen=True, slots=True)
class LedgerColumn:
    header: str
    kind: str = Kind.TEXT
    width: int = 14


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    columns: tuple[LedgerColumn, ...]
    count: Callable[[Session, Actor, str | None], int]
    rows: Callable[[Session, Actor, str | None], Iterator[tuple]]


def yuan(fen: int | None) -> Decimal | None:
    """分 → 元 as an exact decimal (the cell's number format shows two decimals)."""
    return None if fen is None else Decimal(fen) / 100


def in_scope(actor: Actor, county: str | None, column) -> list:
    """The rows of the officer's region (``REGION_ROWS``), of ``county`` when one is chosen."""
    conditions = [REGION_ROWS.where(actor, county_code=column)]
    if county:
        conditions.append(column == county)
    return conditions


def stream(session: Session, query) -> Iterator:
    return iter(session.execute(query.execution_options(yield_per=BATCH)))


def counter(model, join=None, column=None):
    def count(session: Session, actor: Actor, county: str | None) -> int:
        query = sa.select(sa.func.count(model.id)).select_from(model)
        if join is not None:
            query = join(query)
        return session.execute(query.where(*in_scope(actor, county, column))).scalar_one()

    return count


# Agreements, reports and orders ---------------------------------------------------------------

_INDICATOR_HEADERS = {
    "funding_business_fen": ("经营性资金（元）", Kind.MONEY),
    "funding_welfare_fen": ("公益性资金（元）", Kind.MONEY),
    "jobs": ("带动就业（人）", Kind.INTEGER),
    "trainees": ("技能培训（人次）", Kind.INTEGER),
    "purchase_fen": ("采购帮销（元）", Kind.MONEY),
    "beneficiaries": ("受益群众（人）", Kind.INTEGER),
}


def _indicator_columns(prefix: str) -> tuple[LedgerColumn, ...]:
    return tuple(
        LedgerColumn(f"{prefix}{header}", kind, 16) for header, kind in _INDICATOR_HEADERS.values()
    )


def _indicator_values(row, prefix: str) -> tuple:
    values = (getattr(row, f"{prefix}{name}") for name in INDICATORS)
    return tuple(
        yuan(v) if _INDICATOR_HEADERS[n][1] == Kind.MONEY else v
        for n, v in zip(INDICATORS, values, strict=True)
    )


def _agreement_join(query):
    return query.join(Village, Village.id == PairingAgreement.village_id)


def _agreement_rows(session, actor, county) -> Iterator[tuple]:
    query = (
        sa.select(
            PairingAgreement,
            Enterprise.name.label("enterprise"),
            Enterprise.credit_code,
            Village.name.label("village"),
            Village.code,
            County.name.label("county"),
        )
        .join(Enterprise, Enterprise.id == PairingAgreement.enterprise_id)
        .join(Village, Village.id == PairingAgreement.village_id)
        .join(County, County.code == Village.county_code)
        .where(*in_scope(actor, county, Village.county_code))
        .order_by(PairingAgreement.id)
    )
    for a, enterprise, credit_code, village, code, county_name in stream(session, query):
        kinds = LIST_SEPARATOR.join(label(k) for k in from_mask(a.help_kinds, HelpKind))
        yield (
            a.number,
            enterprise,
            credit_code,
            village,
            code,
            county_name,
            kinds,
            a.start_on,
            a.end_on,
            AGREEMENT_STATUS[a.status],
            *_indicator_values(a, "commit_"),
        )


def _report_join(query):
    return query.join(PairingAgreement, PairingAgreement.id == OutcomeReport.agreement_id).join(
        Village, Village.id == PairingAgreement.village_id
    )


def _report_rows(session, actor, county) -> Iterator[tuple]:
    query = (
        sa.select(
            OutcomeReport,
            PairingAgreement.number,
            Enterprise.name,
            Village.name.label("village"),
            County.name.label("county"),
        )
        .join(PairingAgreement, PairingAgreement.id == OutcomeReport.agreement_id)
        .join(Enterprise, Enterprise.id == PairingAgreement.enterprise_id)
        .join(Village, Village.id == PairingAgreement.village_id)
        .join(County, County.code == Village.county_code)
        .where(*in_scope(actor, county, Village.county_code))
        .order_by(OutcomeReport.id)
    )
    for r, number, enterprise, village, county_name in stream(session, query):
        yield (
            number,
            enterprise,
            village,
            county_name,
            f"{r.year}年第{r.quarter}季度",
            REPORT_STATUS[r.status],
            *_indicator_values(r, "actual_"),
            r.submitted_at,
            r.verified_at,
        )


def _order_join(query):
    return query.join(Product, Product.id == Order.product_id).join(
        Village, Village.id == Product.village_id
    )


def _order_rows(session, actor, county) -> Iterator[tuple]:
    query = (
        sa.select(
            Order,
            Enterprise.name,
            Product.name.label("product"),
            Product.unit,
            Cooperative.name.label("cooperative"),
            Village.name.label("village"),
            County.name.label("county"),
            PairingAgreement.number,
        )
        .join(Enterprise, Enterprise.id == Order.buyer_id)
        .join(Product, Product.id == Order.product_id)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .join(Village, Village.id == Product.village_id)
        .join(County, County.code == Village.county_code)
        .outerjoin(PairingAgreement, PairingAgreement.id == Order.agreement_id)
        .where(*in_scope(actor, county, Village.county_code))
        .order_by(Order.id)
    )
    for o, buyer, product, unit, cooperative, village, county_name, number in stream(
        session, query
    ):
        yield (
            o.number,
            buyer,
            product,
            cooperative,
            village,
            county_name,
            o.quantity,
            unit,
            yuan(o.unit_price_fen),
            yuan(o.amount_fen),
            ORDER_STATUS[o.status],
            o.placed_at,
            o.received_at,
            number or "",
        )


def _coverage_count(session, actor, county) -> int:
    return session.execute(
        sa.select(sa.func.count()).select_from(County).where(*in_scope(actor, county, County.code))
    ).scalar_one()


def _coverage_rows(session, actor, county) -> Iterator[tuple]:
    for group in coverage(session, actor).categories:
        for c in group.counties:
            if county is None or c.code == county:
                yield (
                    c.name,
                    c.code,
                    label(c.category),
                    c.villages,
                    c.paired_villages,
                    c.key_villages,
                    c.unpaired_key_villages,
                )


# The pairing and trade sections; app/services/ledger_master.py adds the master-data ones.
# The sheets; each domain lists its own in its declarations (app/services/<domain>_domain.py).
AGREEMENTS = Section(
    "agreements",
    "帮扶协议",
    (
        LedgerColumn("协议编号", width=18),
        LedgerColumn("帮扶主体", width=28),
        LedgerColumn("统一社会信用代码", width=22),
        LedgerColumn("帮扶村"),
        LedgerColumn("村级统计代码", width=16),
        LedgerColumn("县（市、区）", width=10),
        LedgerColumn("帮扶方式", width=24),
        LedgerColumn("开始日期", Kind.DATE, 12),
        LedgerColumn("结束日期", Kind.DATE, 12),
        LedgerColumn("状态", width=8),
        *_indicator_columns("承诺"),
    ),
    counter(PairingAgreement, _agreement_join, Village.county_code),
    _agreement_rows,
)

REPORTS = Section(
    "reports",
    "成效报告",
    (
        LedgerColumn("协议编号", width=18),
        LedgerColumn("帮扶主体", width=28),
        LedgerColumn("帮扶村"),
        LedgerColumn("县（市、区）", width=10),
        LedgerColumn("季度", width=16),
        LedgerColumn("状态", width=8),
        *_indicator_columns("实际"),
        LedgerColumn("提交时间", Kind.DATETIME, 18),
        LedgerColumn("核实时间", Kind.DATETIME, 18),
    ),
    counter(OutcomeReport, _report_join, Village.county_code),
    _report_rows,
)

ORDERS = Section(
    "orders",
    "订单",
    (
        LedgerColumn("订单编号", width=22),
        LedgerColumn("采购方", width=28),
        LedgerColumn("产品", width=20),
        LedgerColumn("合作社", width=28),
        LedgerColumn("产地村"),
        LedgerColumn("县（市、区）", width=10),
        LedgerColumn("数量", Kind.INTEGER, 10),
        LedgerColumn("单位", width=6),
        LedgerColumn("单价（元）", Kind.MONEY, 12),
        LedgerColumn("金额（元）", Kind.MONEY, 14),
        LedgerColumn("状态", width=8),
        LedgerColumn("下单时间", Kind.DATETIME, 18),
        LedgerColumn("收货时间", Kind.DATETIME, 18),
        LedgerColumn("计入结对协议", width=18),
    ),
    counter(Order, _order_join, Village.county_code),
    _order_rows,
)

COVERAGE = Section(
    "coverage",
    "各县覆盖",
    (
        LedgerColumn("县（市、区）", width=10),
        LedgerColumn("县级代码", width=10),
        LedgerColumn("类别", width=18),
        LedgerColumn("行政村", Kind.INTEGER, 10),
        LedgerColumn("已结对", Kind.INTEGER, 10),
        LedgerColumn("重点帮扶村", Kind.INTEGER, 10),
        LedgerColumn("未结对重点村", Kind.INTEGER, 12),
    ),
    _coverage_count,
    _coverage_rows,
)
