"""The to-do inbox (待办): what waits for the actor, derived from current state, never stored.

Each kind of to-do is one SQL query over the tables that hold the state (a proposal is waiting
for its village's signature as long as its status is ``proposed``), so the inbox cannot go stale
and needs no bookkeeping when something is done. ``inbox_count`` sums the kinds in one statement
of aggregates; ``inbox`` lists a few items of each kind, each linking to the page where the
action is taken.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session

from app.actors import Actor, Role
from app.models import (
    CertificationApplication,
    CertificationObjection,
    Cooperative,
    Enterprise,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    User,
    Village,
)
from app.models.enums import (
    AgreementStatus,
    CertificationStatus,
    OrderStatus,
    RegistrationStatus,
    ReportStatus,
)
from app.permissions import CERTIFICATION_APPLICATIONS, REGION_ROWS
from app.services.objections import open_in_region
from app.services.pairing.periods import last_closed_quarter, local_today, overdue_condition

PA = PairingAgreement
ITEMS_PER_KIND = 20


@dataclass(frozen=True, slots=True)
class InboxItem:
    title: str
    detail: str
    link: str
    since: datetime | None


@dataclass(frozen=True, slots=True)
class InboxGroup:
    key: str
    label: str
    count: int
    items: list[InboxItem]


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of to-do: who has it and the query of its rows.

    ``query(actor, today)`` selects ``title``, ``detail``, ``link_id`` and ``since`` columns;
    ``link`` is the page's URL with ``{id}`` for ``link_id`` and ``{period}`` for the last closed
    quarter (``2026Q3``, the quarter an overdue report is owed for).
    """

    key: str
    label: str
    role: Role
    link: str
    query: Callable[[Actor, date], sa.Select]


def _agreements(*conditions) -> sa.Select:
    return (
        sa.select(
            (PA.number + " · " + Enterprise.name + " → " + Village.name).label("title"),
            sa.literal("").label("detail"),
            PA.id.label("link_id"),
            PA.proposed_at.label("since"),
        )
        .join(Enterprise, Enterprise.id == PA.enterprise_id)
        .join(Village, Village.id == PA.village_id)
        .where(*conditions)
    )


def _reports(*conditions) -> sa.Select:
    period = (
        sa.cast(OutcomeReport.year, sa.String) + "年第" + sa.cast(OutcomeReport.quarter, sa.String)
    )
    return (
        sa.select(
            (PA.number + " · " + Village.name).label("title"),
            (period + "季度成效报告").label("detail"),
            OutcomeReport.id.label("link_id"),
            OutcomeReport.updated_at.label("since"),
        )
        .join(PA, PA.id == OutcomeReport.agreement_id)
        .join(Village, Village.id == PA.village_id)
        .where(*conditions)
    )


def _orders(*conditions) -> sa.Select:
    return (
        sa.select(
            (Order.number + " · " + Product.name).label("title"),
            Enterprise.name.label("detail"),
            Order.id.label("link_id"),
            Order.updated_at.label("since"),
        )
        .join(Product, Product.id == Order.product_id)
        .join(Enterprise, Enterprise.id == Order.buyer_id)
        .join(Village, Village.id == Product.village_id)
        .where(*conditions)
    )


def _registrations(actor: Actor, today: date) -> sa.Select:
    """Pending accounts whose county (its organisation's) lies in the officer's region."""
    coop_village = aliased(Village)
    own_village = aliased(Village)
    county = sa.func.coalesce(
        Enterprise.county_code, coop_village.county_code, own_village.county_code
    )
    return (
        sa.select(
            User.display_name.label("title"),
            sa.func.coalesce(Enterprise.name, Cooperative.name, own_village.name, "").label(
                "detail"
            ),
            User.id.label("link_id"),
            User.created_at.label("since"),
        )
        .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
        .outerjoin(Cooperative, Cooperative.id == User.cooperative_id)
        .outerjoin(coop_village, coop_village.id == Cooperative.village_id)
        .outerjoin(own_village, own_village.id == User.village_id)
        .where(
            User.status == RegistrationStatus.pending, REGION_ROWS.where(actor, county_code=county)
        )
    )


def _certifications(actor: Actor, today: date) -> sa.Select:
    return (
        sa.select(
            Product.name.label("title"),
            Cooperative.name.label("detail"),
            CertificationApplication.id.label("link_id"),
            CertificationApplication.applied_at.label("since"),
        )
        .join(Product, Product.id == CertificationApplication.product_id)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .join(Village, Village.id == Product.village_id)
        .where(
            CertificationApplication.status == CertificationStatus.pending,
            CERTIFICATION_APPLICATIONS.where(actor, county_code=Village.county_code),
        )
    )


def _objections(actor: Actor, today: date) -> sa.Select:
    columns = sa.select(
        Product.name.label("title"),
        sa.func.substr(CertificationObjection.reason, 1, 60).label("detail"),
        CertificationObjection.id.label("link_id"),
        CertificationObjection.filed_at.label("since"),
    )
    return open_in_region(columns, actor)


def _overdue(actor: Actor, today: date) -> sa.Select:
    quarter = last_closed_quarter(today)
    return (
        sa.select(
            (PA.number + " · " + Village.name).label("title"),
            sa.literal(f"{quarter.year}年第{quarter.quarter}季度成效报告未提交").label("detail"),
            PA.id.label("link_id"),
            PA.filed_at.label("since"),
        )
        .join(Village, Village.id == PA.village_id)
        .where(PA.enterprise_id == actor.enterprise_id, overdue_condition(today))
    )


def _in_region(actor: Actor):
    return REGION_ROWS.where(actor, county_code=Village.county_code)


KINDS: tuple[Kind, ...] = (
    Kind(
        "proposals_to_sign",
        "待签约的结对提议",
        Role.village,
        "/agreements/{id}",
        lambda a, t: _agreements(
            PA.status == AgreementStatus.proposed, PA.village_id == a.village_id
        ),
    ),
    Kind(
        "reports_to_confirm",
        "待确认的成效报告",
        Role.village,
        "/reports/{id}",
        lambda a, t: _reports(
            OutcomeReport.status == ReportStatus.submitted, PA.village_id == a.village_id
        ),
    ),
    Kind(
        "returned_reports",
        "被退回待修改的成效报告",
        Role.enterprise,
        "/reports/{id}",
        lambda a, t: _reports(
            OutcomeReport.status == ReportStatus.returned, PA.enterprise_id == a.enterprise_id
        ),
    ),
    Kind(
        "overdue_reports",
        "逾期未报的成效报告",
        Role.enterprise,
        "/agreements/{id}/reports/new?period={period}",
        _overdue,
    ),
    Kind(
        "orders_to_receive",
        "待确认收货的订单",
        Role.enterprise,
        "/orders/{id}",
        lambda a, t: _orders(
            Order.status == OrderStatus.shipped, Order.buyer_id == a.enterprise_id
        ),
    ),
    Kind(
        "orders_to_confirm",
        "待确认的订单",
        Role.cooperative,
        "/orders/{id}",
        lambda a, t: _orders(
            Order.status == OrderStatus.placed, Product.cooperative_id == a.cooperative_id
        ),
    ),
    Kind(
        "orders_to_ship",
        "待发货的订单",
        Role.cooperative,
        "/orders/{id}",
        lambda a, t: _orders(
            Order.status == OrderStatus.confirmed, Product.cooperative_id == a.cooperative_id
        ),
    ),
    Kind("registrations", "待审核的注册申请", Role.bureau, "/registrations", _registrations),
    Kind(
        "filings",
        "待备案的结对协议",
        Role.bureau,
        "/agreements/{id}",
        lambda a, t: _agreements(PA.status == AgreementStatus.signed, _in_region(a)),
    ),
    Kind(
        "reports_to_verify",
        "待核实的成效报告",
        Role.bureau,
        "/reports/{id}",
        lambda a, t: _reports(OutcomeReport.status == ReportStatus.confirmed, _in_region(a)),
    ),
    Kind("certifications", "待审核的产品认定", Role.bureau, "/certifications", _certifications),
    Kind(
        "objections",
        "待处理的公示异议",
        Role.bureau,
        "/certifications/objections",
        _objections,
    ),
)


def kinds_for(actor: Actor) -> list[Kind]:
    """The kinds of to-do the actor's role has (none for the anonymous, admins and the system)."""
    return [kind for kind in KINDS if kind.role == actor.role]


def inbox_counts(*, session: Session, actor: Actor, today: date | None = None) -> dict[str, int]:
    """How many to-dos of each kind, in one statement of aggregates."""
    kinds = kinds_for(actor)
    if not kinds:
        return {}
    today = today or local_today()
    counts = sa.union_all(*(_counted(kind.key, kind.query(actor, today)) for kind in kinds))
    return {row.key: row.n for row in session.execute(counts)}


def _counted(key: str, query: sa.Select) -> sa.Select:
    """``SELECT key, count(*)`` over the rows of ``query`` without the joins only its columns use.

    Every join of the kinds is many-to-one along a foreign key that is never null (or outer), so
    each row keeps exactly one partner and leaving out a joined table no condition reads changes no
    count; the count then reads the status index alone (a city officer's 10 000 reports to verify
    need no lookup of their agreement and village).
    """
    (source,) = query.get_final_froms()
    where = query.whereclause
    needed = set(_tables(where)) if where is not None else set()

    def prune(node):
        if not isinstance(node, sa.Join):
            return node
        if node.right not in needed:
            return prune(node.left)
        needed.update(_tables(node.onclause))
        return sa.join(prune(node.left), node.right, node.onclause, isouter=node.isouter)

    counted = sa.select(sa.literal(key).label("key"), sa.func.count().label("n"))
    counted = counted.select_from(prune(source))
    return counted.where(where) if where is not None else counted


def _tables(clause) -> list:
    return find_tables(clause, check_columns=True, include_aliases=True)


def inbox_count(*, session: Session, actor: Actor, today: date | None = None) -> int:
    """The number on the badge."""
    return sum(inbox_counts(session=session, actor=actor, today=today).values())


def inbox(
    *, session: Session, actor: Actor, today: date | None = None, size: int = ITEMS_PER_KIND
) -> list[InboxGroup]:
    """Every kind of to-do the actor's role has, with its count and its oldest items first."""
    today = today or local_today()
    counts = inbox_counts(session=session, actor=actor, today=today)
    period = last_closed_quarter(today).period
    groups = []
    for kind in kinds_for(actor):
        items = []
        if counts[kind.key]:
            query = kind.query(actor, today).order_by(sa.text("since"), sa.text("link_id"))
            items = [
                InboxItem(
                    row.title,
                    row.detail or "",
                    kind.link.format(id=row.link_id, period=period),
                    row.since,
                )
                for row in session.execute(query.limit(size))
            ]
        groups.append(InboxGroup(kind.key, kind.label, counts[kind.key], items))
    return groups
