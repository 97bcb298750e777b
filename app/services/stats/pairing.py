"""千企帮千村 figures: agreements by status, committed against actual, overdue reports and the
most active enterprises, each one aggregate statement over the officer's region.

Committed figures come from filed agreements (履行中 and 已完成); actual figures from verified
(已核实) outcome reports, the ones the bureau has accepted.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import INDICATORS, County, Enterprise, Order, OutcomeReport, Village
from app.models import PairingAgreement as PA
from app.models.enums import AgreementStatus, OrderStatus, ReportStatus
from app.permissions import is_city_bureau
from app.services import clock
from app.services.pairing.periods import Quarter, last_closed_quarter, overdue_condition
from app.services.stats.scope import in_region, orders_in_region, villages_in_region

COMMITTED_STATUSES = (AgreementStatus.active, AgreementStatus.completed)
ACTUAL_STATUSES = (ReportStatus.verified,)
QUARTERS_SHOWN = 8
OVERDUE_LIST_LIMIT = 20
ACTIVE_ENTERPRISES_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Indicators:
    """The six indicators of an agreement or a report (money in 分)."""

    funding_business_fen: int = 0
    funding_welfare_fen: int = 0
    jobs: int = 0
    trainees: int = 0
    purchase_fen: int = 0
    beneficiaries: int = 0

    @classmethod
    def of(cls, row, prefix: str) -> "Indicators":
        return cls(**{name: int(getattr(row, f"{prefix}{name}") or 0) for name in INDICATORS})


@dataclass(frozen=True, slots=True)
class CommittedActual:
    """Committed against actual for one county or one quarter."""

    key: str  # county code, or a period like 2026Q3
    name: str  # county name, or the period again
    agreements: int
    reports: int
    committed: Indicators
    actual: Indicators


@dataclass(frozen=True, slots=True)
class OverdueAgreement:
    id: int
    number: str
    enterprise_name: str
    village_name: str
    county_name: str


@dataclass(frozen=True, slots=True)
class Overdue:
    quarter: Quarter  # the last closed quarter, whose report is missing
    by_county: tuple[tuple[str, str, int], ...]  # (code, name, overdue agreements)
    agreements: tuple[OverdueAgreement, ...]  # the first OVERDUE_LIST_LIMIT

    @property
    def total(self) -> int:
        return sum(count for _, _, count in self.by_county)


@dataclass(frozen=True, slots=True)
class ActiveEnterprise:
    id: int
    name: str
    active_agreements: int
    reports: int  # outcome reports for the last four closed quarters
    purchase_fen: int  # received orders from the region's villages this year


def agreements_by_status(session: Session, actor: Actor) -> tuple[tuple[AgreementStatus, int], ...]:
    """How many agreements of villages in the region are in each status (zeros included)."""
    counts = dict(
        session.execute(
            sa.select(PA.status, sa.func.count(PA.id))
            .where(villages_in_region(actor, PA.village_id))
            .group_by(PA.status)
        ).all()
    )
    return tuple((status, int(counts.get(status, 0))) for status in AgreementStatus)


def _sums(table, prefix: str) -> list:
    return [
        sa.func.coalesce(sa.func.sum(getattr(table, f"{prefix}{name}")), 0).label(f"{prefix}{name}")
        for name in INDICATORS
    ]


def committed_by_county(session: Session, actor: Actor) -> tuple[CommittedActual, ...]:
    """Filed agreements' commitments and verified reports' actuals per county of the village."""
    committed = (
        sa.select(
            Village.county_code.label("county_code"),
            sa.func.count(PA.id).label("agreements"),
            *_sums(PA, "commit_"),
        )
        .join(Village, Village.id == PA.village_id)
        .where(PA.status.in_(COMMITTED_STATUSES), in_region(actor, Village.county_code))
        .group_by(Village.county_code)
        .subquery("committed")
    )
    actual = (
        sa.select(
            Village.county_code.label("county_code"),
            sa.func.count(OutcomeReport.id).label("reports"),
            *_sums(OutcomeReport, "actual_"),
        )
        .join(PA, PA.id == OutcomeReport.agreement_id)
        .join(Village, Village.id == PA.village_id)
        .where(OutcomeReport.status.in_(ACTUAL_STATUSES), in_region(actor, Village.county_code))
        .group_by(Village.county_code)
        .subquery("actual")
    )
    rows = session.execute(
        sa.select(
            County.code,
            County.name,
            committed.c.agreements,
            actual.c.reports,
            *(committed.c[f"commit_{n}"] for n in INDICATORS),
            *(actual.c[f"actual_{n}"] for n in INDICATORS),
        )
        .outerjoin(committed, committed.c.county_code == County.code)
        .outerjoin(actual, actual.c.county_code == County.code)
        .where(in_region(actor, County.code))
        .order_by(County.code)
    ).all()
    return tuple(
        CommittedActual(
            row.code,
            row.name,
            int(row.agreements or 0),
            int(row.reports or 0),
            Indicators.of(row, "commit_"),
            Indicators.of(row, "actual_"),
        )
        for row in rows
    )


def _reports_in_region(actor: Actor) -> sa.ColumnElement[bool]:
    """Reports under agreements with villages in the region (nothing to check for the city)."""
    if is_city_bureau(actor):
        return sa.true()
    scoped = sa.select(PA.id).where(villages_in_region(actor, PA.village_id))
    return OutcomeReport.agreement_id.in_(scoped)


def shown_quarters(today: date) -> list[Quarter]:
    """The QUARTERS_SHOWN quarters ending with the last closed one, oldest first."""
    quarters = [last_closed_quarter(today)]
    while len(quarters) < QUARTERS_SHOWN:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


def _index(quarter: Quarter) -> int:
    return quarter.year * 4 + quarter.quarter - 1


def _periods(first: Quarter, last: Quarter) -> sa.ColumnElement[bool]:
    """Reports of the quarters from ``first`` to ``last``, as (year, quarter) pairs."""
    pairs, current = [], first
    while current <= last:
        pairs.append(
            sa.and_(OutcomeReport.year == current.year, OutcomeReport.quarter == current.quarter)
        )
        current = current.next()
    return sa.or_(*pairs)


def _quarter_index(day) -> sa.ColumnElement[int]:
    """year × 4 + quarter − 1 of a date column, in SQL (integer division on both backends)."""
    year = sa.cast(sa.extract("year", day), sa.Integer)
    month = sa.cast(sa.extract("month", day), sa.Integer)
    return year * 4 + (month - 1) // 3


def committed_by_quarter(
    session: Session, actor: Actor, today: date
) -> tuple[CommittedActual, ...]:
    """Per quarter: filed agreements' commitments spread evenly over the quarters of their term
    (rounded down per agreement), against the actuals of verified reports for that quarter."""
    quarters = shown_quarters(today)
    table = sa.union_all(
        *(sa.select(sa.literal(_index(q), sa.Integer).label("idx")) for q in quarters)
    ).subquery("quarters")
    # Each filed agreement's first and last quarter, worked out once (not once per quarter).
    start, end = _quarter_index(PA.start_on), _quarter_index(PA.end_on)
    terms = (
        sa.select(
            start.label("first"),
            end.label("last"),
            *(getattr(PA, f"commit_{n}").label(n) for n in INDICATORS),
        )
        .where(
            PA.status.in_(COMMITTED_STATUSES),
            PA.start_on <= quarters[-1].end,
            PA.end_on >= quarters[0].start,
            villages_in_region(actor, PA.village_id),
        )
        .cte("terms")
        .prefix_with("MATERIALIZED")
    )
    term = terms.c.last - terms.c.first + 1
    committed = (
        sa.select(
            table.c.idx.label("idx"),
            sa.func.count().label("agreements"),
            *(
                sa.func.coalesce(sa.func.sum(terms.c[n] // term), 0).label(f"commit_{n}")
                for n in INDICATORS
            ),
        )
        .select_from(table)
        .join(terms, sa.and_(terms.c.first <= table.c.idx, terms.c.last >= table.c.idx))
        .group_by(table.c.idx)
    )
    report_idx = OutcomeReport.year * 4 + OutcomeReport.quarter - 1
    actual = (
        sa.select(
            report_idx.label("idx"),
            sa.func.count(OutcomeReport.id).label("reports"),
            *_sums(OutcomeReport, "actual_"),
        )
        .where(
            OutcomeReport.status.in_(ACTUAL_STATUSES),
            _periods(quarters[0], quarters[-1]),
            _reports_in_region(actor),
        )
        .group_by(report_idx)
    )
    by_commit = {row.idx: row for row in session.execute(committed)}
    by_actual = {row.idx: row for row in session.execute(actual)}
    result = []
    for q in quarters:
        c, a = by_commit.get(_index(q)), by_actual.get(_index(q))
        result.append(
            CommittedActual(
                q.period,
                q.period,
                int(c.agreements) if c else 0,
                int(a.reports) if a else 0,
                Indicators.of(c, "commit_") if c else Indicators(),
                Indicators.of(a, "actual_") if a else Indicators(),
            )
        )
    return tuple(result)


def overdue(session: Session, actor: Actor, today: date) -> Overdue:
    """Active agreements with no report for the last closed quarter, per county and listed."""
    condition = overdue_condition(today)
    rows = session.execute(
        sa.select(County.code, County.name, sa.func.count(PA.id))
        .join(Village, Village.id == PA.village_id)
        .join(County, County.code == Village.county_code)
        .where(condition, villages_in_region(actor, PA.village_id))
        .group_by(County.code, County.name)
        .order_by(County.code)
    ).all()
    listed = session.execute(
        sa.select(PA.id, PA.number, Enterprise.name, Village.name, County.name)
        .join(Enterprise, Enterprise.id == PA.enterprise_id)
        .join(Village, Village.id == PA.village_id)
        .join(County, County.code == Village.county_code)
        .where(condition, villages_in_region(actor, PA.village_id))
        .order_by(Village.county_code, PA.number)
        .limit(OVERDUE_LIST_LIMIT)
    ).all()
    return Overdue(
        quarter=last_closed_quarter(today),
        by_county=tuple((code, name, int(n)) for code, name, n in rows),
        agreements=tuple(OverdueAgreement(*row) for row in listed),
    )


def active_enterprises(session: Session, actor: Actor, today: date) -> tuple[ActiveEnterprise, ...]:
    """The enterprises that filed the most reports in the region over the last four closed
    quarters (then most active agreements, then most bought this year)."""
    last = last_closed_quarter(today)
    first = last.previous().previous().previous()
    in_villages = villages_in_region(actor, PA.village_id)
    agreements = (
        sa.select(PA.enterprise_id, sa.func.count(PA.id).label("n"))
        .where(PA.status == AgreementStatus.active, in_villages)
        .group_by(PA.enterprise_id)
        .subquery("agreements")
    )
    reports = (
        sa.select(PA.enterprise_id, sa.func.count(OutcomeReport.id).label("n"))
        .join(PA, PA.id == OutcomeReport.agreement_id)
        .where(_periods(first, last), in_villages)
        .group_by(PA.enterprise_id)
        .subquery("reports")
    )
    since, until = clock.year_bounds(today.year)
    bought = sa.select(Order.buyer_id, sa.func.sum(Order.amount_fen).label("amount")).where(
        Order.status == OrderStatus.received,
        Order.received_at >= since,
        Order.received_at < until,
    )
    bought = bought.where(orders_in_region(actor)).group_by(Order.buyer_id).subquery("bought")
    n_agreements = sa.func.coalesce(agreements.c.n, 0)
    n_reports = sa.func.coalesce(reports.c.n, 0)
    amount = sa.func.coalesce(bought.c.amount, 0)
    rows = session.execute(
        sa.select(Enterprise.id, Enterprise.name, n_agreements, n_reports, amount)
        .outerjoin(agreements, agreements.c.enterprise_id == Enterprise.id)
        .outerjoin(reports, reports.c.enterprise_id == Enterprise.id)
        .outerjoin(bought, bought.c.buyer_id == Enterprise.id)
        .where(sa.or_(agreements.c.n > 0, reports.c.n > 0, bought.c.amount > 0))
        .order_by(n_reports.desc(), n_agreements.desc(), amount.desc(), Enterprise.name)
        .limit(ACTIVE_ENTERPRISES_LIMIT)
    ).all()
    return tuple(
        ActiveEnterprise(e_id, name, int(a), int(r), int(m)) for e_id, name, a, r, m in rows
    )
