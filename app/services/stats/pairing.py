"""千企帮千村 figures: agreements by status, committed against actual, overdue reports and the
most active enterprises, each one aggregate statement over the officer's region.

Committed figures come from filed agreements (履行中 and 已完成); actual figures from verified
(已核实) outcome reports, the ones the bureau has accepted, of those same agreements: a terminated
agreement is on neither side of the ratio, its verified actuals are given apart
(``terminated_actual``, decision 0032). Those, and the reports and active
agreements of the most active enterprises, are read from the summaries the pairing services keep
(app/services/pairing_summary.py, migration 0010) rather than from every agreement and report,
and their purchases from ``purchases_yearly`` (app/services/sales_summary.py, migration 0011).
"""

from dataclasses import dataclass, replace
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import (
    INDICATORS,
    County,
    Enterprise,
    EnterpriseAgreements,
    EnterpriseReports,
    OutcomeReport,
    PairingActual,
    PairingCommitment,
    PurchasesYearly,
    Village,
)
from app.models import PairingAgreement as PA
from app.models.enums import AgreementStatus, ReportStatus
from app.models.pairing_summary import ACTUALS, COMMITTED
from app.services.pairing.periods import (
    Quarter,
    last_closed_quarter,
    last_due_quarter,
    overdue_condition,
)
from app.services.pairing_summary import quarter_index
from app.services.stats.scope import in_region, villages_in_region

COMMITMENTS = PairingCommitment.__table__
ACTUAL = PairingActual.__table__
ENTERPRISE_AGREEMENTS = EnterpriseAgreements.__table__
ENTERPRISE_REPORTS = EnterpriseReports.__table__
PURCHASES = PurchasesYearly.__table__
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
    # Verified actuals of terminated agreements: kept out of ``actual`` (their commitments are
    # out of ``committed``), so the two sides of the ratio cover the same agreements (0032).
    terminated_actual: Indicators = Indicators()


@dataclass(frozen=True, slots=True)
class OverdueAgreement:
    id: int
    number: str
    enterprise_name: str
    village_name: str
    county_name: str


@dataclass(frozen=True, slots=True)
class Overdue:
    quarter: Quarter  # the latest quarter past its reporting window (periods.last_due_quarter)
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


def _summed(table, names) -> list:
    return [sa.func.coalesce(sa.func.sum(table.c[n]), 0).label(n) for n in names]


def committed_by_county(session: Session, actor: Actor) -> tuple[CommittedActual, ...]:
    """Filed agreements' commitments and verified reports' actuals per county of the village
    (from the summaries the pairing services keep, migration 0010)."""
    committed = (
        sa.select(
            COMMITMENTS.c.county_code,
            sa.func.sum(COMMITMENTS.c.agreements).label("agreements"),
            *_summed(COMMITMENTS, COMMITTED),
        )
        .where(in_region(actor, COMMITMENTS.c.county_code))
        .group_by(COMMITMENTS.c.county_code)
        .subquery("committed")
    )
    actual = (
        sa.select(
            ACTUAL.c.county_code,
            sa.func.sum(ACTUAL.c.reports).label("reports"),
            *_summed(ACTUAL, ACTUALS),
        )
        .where(in_region(actor, ACTUAL.c.county_code))
        .group_by(ACTUAL.c.county_code)
        .subquery("actual")
    )
    rows = session.execute(
        sa.select(
            County.code,
            County.name,
            committed.c.agreements,
            actual.c.reports,
            *(committed.c[name] for name in COMMITTED),
            *(actual.c[name] for name in ACTUALS),
        )
        .outerjoin(committed, committed.c.county_code == County.code)
        .outerjoin(actual, actual.c.county_code == County.code)
        .where(in_region(actor, County.code))
        .order_by(County.code)
    ).all()
    ended = _terminated_actuals(session, actor, Village.county_code)
    return tuple(
        _without_terminated(
            CommittedActual(
                row.code,
                row.name,
                int(row.agreements or 0),
                int(row.reports or 0),
                Indicators.of(row, "commit_"),
                Indicators.of(row, "actual_"),
            ),
            ended.get(row.code),
        )
        for row in rows
    )


def _terminated_actuals(session: Session, actor: Actor, key) -> dict:
    """Verified reports of terminated agreements in the region, by ``key`` (the village's county
    or the report's quarter index): a handful of rows, read from the reports themselves."""
    report = OutcomeReport
    rows = session.execute(
        sa.select(
            key.label("key"),
            sa.func.count(report.id).label("reports"),
            *(
                sa.func.coalesce(sa.func.sum(getattr(report, f"actual_{n}")), 0).label(
                    f"actual_{n}"
                )
                for n in INDICATORS
            ),
        )
        .join(PA, PA.id == report.agreement_id)
        .join(Village, Village.id == PA.village_id)
        .where(
            PA.status == AgreementStatus.terminated,
            report.status == ReportStatus.verified,
            in_region(actor, Village.county_code),
        )
        .group_by(key)
    ).all()
    return {row.key: row for row in rows}


def _without_terminated(line: CommittedActual, ended) -> CommittedActual:
    """``line`` with the terminated agreements' verified actuals moved out of ``actual``."""
    if ended is None:
        return line
    gone = Indicators.of(ended, "actual_")
    actual = Indicators(
        **{n: getattr(line.actual, n) - getattr(gone, n) for n in INDICATORS},
    )
    return replace(
        line, reports=line.reports - int(ended.reports), actual=actual, terminated_actual=gone
    )


def shown_quarters(today: date) -> list[Quarter]:
    """The QUARTERS_SHOWN quarters ending with the last closed one, oldest first."""
    quarters = [last_closed_quarter(today)]
    while len(quarters) < QUARTERS_SHOWN:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]


def _index(quarter: Quarter) -> int:
    return quarter_index(quarter.year, quarter.quarter)


def committed_by_quarter(
    session: Session, actor: Actor, today: date
) -> tuple[CommittedActual, ...]:
    """Per quarter: filed agreements' commitments spread evenly over the quarters of their term
    (rounded down per agreement: the summary keeps each term's sum of per-quarter shares),
    against the actuals of verified reports for that quarter."""
    quarters = shown_quarters(today)
    first, last = _index(quarters[0]), _index(quarters[-1])
    table = sa.union_all(
        *(sa.select(sa.literal(_index(q), sa.Integer).label("idx")) for q in quarters)
    ).subquery("quarters")
    terms = COMMITMENTS
    committed = (
        sa.select(
            table.c.idx.label("idx"),
            sa.func.sum(terms.c.agreements).label("agreements"),
            *(
                sa.func.coalesce(sa.func.sum(terms.c[f"share_{n}"]), 0).label(f"commit_{n}")
                for n in INDICATORS
            ),
        )
        .select_from(table)
        .join(
            terms,
            sa.and_(terms.c.first_quarter <= table.c.idx, terms.c.last_quarter >= table.c.idx),
        )
        .where(in_region(actor, terms.c.county_code))
        .group_by(table.c.idx)
    )
    report_idx = ACTUAL.c.year * 4 + ACTUAL.c.quarter - 1
    actual = (
        sa.select(
            report_idx.label("idx"),
            sa.func.sum(ACTUAL.c.reports).label("reports"),
            *_summed(ACTUAL, ACTUALS),
        )
        .where(report_idx.between(first, last), in_region(actor, ACTUAL.c.county_code))
        .group_by(report_idx)
    )
    by_commit = {row.idx: row for row in session.execute(committed)}
    by_actual = {row.idx: row for row in session.execute(actual)}
    index = OutcomeReport.year * 4 + OutcomeReport.quarter - 1
    ended = _terminated_actuals(session, actor, index)
    result = []
    for q in quarters:
        c, a = by_commit.get(_index(q)), by_actual.get(_index(q))
        line = CommittedActual(
            q.period,
            q.period,
            int(c.agreements) if c else 0,
            int(a.reports) if a else 0,
            Indicators.of(c, "commit_") if c else Indicators(),
            Indicators.of(a, "actual_") if a else Indicators(),
        )
        result.append(_without_terminated(line, ended.get(_index(q))))
    return tuple(result)


def overdue(session: Session, actor: Actor, today: date) -> Overdue:
    """Active agreements with a quarter past its reporting window that has neither a report nor a
    waiver (``periods.overdue_condition``), per county and listed."""
    condition = overdue_condition(today)
    rows = session.execute(
        sa.select(County.code, County.name, sa.func.count(PA.id))
        .join(Village, Village.id == PA.village_id)
        .join(County, County.code == Village.county_code)
        .where(condition, villages_in_region(actor, PA.village_id))
        .group_by(County.code, County.name)
        .order_by(County.code)
    ).all()
    # The list is ordered by county first, so its first rows lie in the first counties whose
    # counts reach the limit: only their agreements are read (the city's list 57 → 11 ms).
    listed_counties = [code for code, _name, _n in rows]
    seen = 0
    for i, (_code, _name, n) in enumerate(rows):
        seen += n
        if seen >= OVERDUE_LIST_LIMIT:
            listed_counties = listed_counties[: i + 1]
            break
    scope = villages_in_region(actor, PA.village_id)
    if len(listed_counties) < len(rows):
        villages = sa.select(Village.id).where(Village.county_code.in_(listed_counties))
        scope = PA.village_id.in_(villages)
    listed = session.execute(
        sa.select(PA.id, PA.number, Enterprise.name, Village.name, County.name)
        .join(Enterprise, Enterprise.id == PA.enterprise_id)
        .join(Village, Village.id == PA.village_id)
        .join(County, County.code == Village.county_code)
        .where(condition, scope)
        .order_by(Village.county_code, PA.number)
        .limit(OVERDUE_LIST_LIMIT)
    ).all()
    return Overdue(
        quarter=last_due_quarter(today),
        by_county=tuple((code, name, int(n)) for code, name, n in rows),
        agreements=tuple(OverdueAgreement(*row) for row in listed),
    )


def active_enterprises(session: Session, actor: Actor, today: date) -> tuple[ActiveEnterprise, ...]:
    """The enterprises that filed the most reports in the region over the last four closed
    quarters (then most active agreements, then most bought this year)."""
    last = last_closed_quarter(today)
    first = last.previous().previous().previous()
    active = ENTERPRISE_AGREEMENTS
    agreements = (
        sa.select(active.c.enterprise_id, sa.func.sum(active.c.active).label("n"))
        .where(in_region(actor, active.c.county_code))
        .group_by(active.c.enterprise_id)
        .subquery("agreements")
    )
    filed = ENTERPRISE_REPORTS
    reports = (
        sa.select(filed.c.enterprise_id, sa.func.sum(filed.c.reports).label("n"))
        .where(
            filed.c.quarter_index.between(_index(first), _index(last)),
            in_region(actor, filed.c.county_code),
        )
        .group_by(filed.c.enterprise_id)
        .subquery("reports")
    )
    bought = (
        sa.select(PURCHASES.c.buyer_id, sa.func.sum(PURCHASES.c.amount_fen).label("amount"))
        .where(PURCHASES.c.year == today.year, in_region(actor, PURCHASES.c.county_code))
        .group_by(PURCHASES.c.buyer_id)
        .subquery("bought")
    )
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
