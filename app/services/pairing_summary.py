"""The pairing summaries (migration 0010) the dashboard reads instead of every agreement and report.

- ``pairing_commitments``: filed agreements (履行中, 已完成) per county, first and last quarter of
  the term; kept by ``agreement_moved`` when an agreement enters or leaves the filed statuses
  (filing adds it, termination takes it out; completion keeps it). Filed agreements' terms and
  commitments never change (only a proposal can be revised).
- ``enterprise_agreements``: active agreements per county and enterprise; ``agreement_moved``.
- ``pairing_actuals``: verified reports per county and quarter; ``report_verified``, and
  ``report_unverified`` when a verified report is corrected (更正: it is verified again later).
- ``enterprise_reports``: reports in any status per quarter, county and enterprise;
  ``report_submitted`` (a report is never deleted and never changes its quarter).

The summaries subscriber (``app.services.summaries``) makes these calls for the agreements' and
reports' events. Each call is one ``INSERT … ON CONFLICT DO UPDATE`` adding to the row (or one
``UPDATE`` subtracting from it, which always exists), in the transaction of the change, so
concurrent writers never lose an update and a rolled-back change rolls its increment back. Bulk
loads (the seed) call ``rebuild_pairing_summary`` once instead; migration 0010 backfills the same
figures.
"""

import sqlalchemy as sa
from sqlmodel import Session

from app.models import (
    INDICATORS,
    EnterpriseAgreements,
    EnterpriseReports,
    OutcomeReport,
    PairingActual,
    PairingAgreement,
    PairingCommitment,
    Village,
)
from app.models.enums import AgreementStatus, ReportStatus
from app.models.pairing_summary import ACTUALS, COMMITTED
from app.services.summary_rows import add_to_row, subtract_from_row

FILED_STATUSES = (AgreementStatus.active, AgreementStatus.completed)
COMMITMENTS = PairingCommitment.__table__
ACTUAL_TABLE = PairingActual.__table__
REPORTS_TABLE = EnterpriseReports.__table__
ACTIVE_TABLE = EnterpriseAgreements.__table__


def quarter_index(year: int, quarter: int) -> int:
    return year * 4 + quarter - 1


def _day_index(day) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _add(session: Session, table: sa.Table, key: dict, figures: dict, sign: int) -> None:
    """Add ``figures`` (times ``sign``, +1 or −1) to the row ``key`` of ``table``."""
    if sign > 0:
        add_to_row(session, table, key, figures)
    else:
        subtract_from_row(session, table, key, figures)


def agreement_moved(
    session: Session, agreement: PairingAgreement, county_code: str, was: AgreementStatus
) -> None:
    """Count an agreement that moved from status ``was`` to its current status."""
    now = agreement.status
    filed = (now in FILED_STATUSES) - (was in FILED_STATUSES)
    if filed:
        first, last = _day_index(agreement.start_on), _day_index(agreement.end_on)
        figures = {"agreements": 1}
        for name in INDICATORS:
            value = getattr(agreement, f"commit_{name}")
            figures[f"commit_{name}"] = value
            figures[f"share_{name}"] = value // (last - first + 1)
        key = {"county_code": county_code, "first_quarter": first, "last_quarter": last}
        _add(session, COMMITMENTS, key, figures, filed)
    active = (now == AgreementStatus.active) - (was == AgreementStatus.active)
    if active:
        key = {"county_code": county_code, "enterprise_id": agreement.enterprise_id}
        _add(session, ACTIVE_TABLE, key, {"active": 1}, active)


def report_submitted(
    session: Session, report: OutcomeReport, agreement: PairingAgreement, county_code: str
) -> None:
    """Count a new report for its quarter and enterprise."""
    key = {
        "quarter_index": quarter_index(report.year, report.quarter),
        "county_code": county_code,
        "enterprise_id": agreement.enterprise_id,
    }
    _add(session, REPORTS_TABLE, key, {"reports": 1}, 1)


def report_verified(session: Session, report: OutcomeReport, county_code: str) -> None:
    """Add a report that has just been verified to its county's actuals for its quarter."""
    key = {"county_code": county_code, "year": report.year, "quarter": report.quarter}
    figures = {"reports": 1} | {f"actual_{n}": getattr(report, f"actual_{n}") for n in INDICATORS}
    _add(session, ACTUAL_TABLE, key, figures, 1)


def report_unverified(session: Session, before: dict, county_code: str) -> None:
    """Take a corrected report's earlier, verified figures (``before``, its snapshot) out of its
    county's actuals: the corrected version counts once it is verified again."""
    key = {"county_code": county_code, "year": before["year"], "quarter": before["quarter"]}
    figures = {"reports": 1} | {f"actual_{n}": before[f"actual_{n}"] for n in INDICATORS}
    _add(session, ACTUAL_TABLE, key, figures, -1)


def _quarter_of(day) -> sa.ColumnElement[int]:
    """year × 4 + quarter − 1 of a date column, in SQL (integer division on both backends)."""
    year = sa.cast(sa.extract("year", day), sa.Integer)
    month = sa.cast(sa.extract("month", day), sa.Integer)
    return year * 4 + (month - 1) // 3


def summary_selects() -> dict[sa.Table, sa.Select]:
    """Each summary's rows computed from the agreements, reports and villages as they are now
    (columns in the table's order)."""
    PA = PairingAgreement
    first, last = _quarter_of(PA.start_on), _quarter_of(PA.end_on)
    term = last - first + 1
    commitments = (
        sa.select(
            Village.county_code,
            first,
            last,
            sa.func.count(PA.id),
            *(sa.func.sum(getattr(PA, c)) for c in COMMITTED),
            *(sa.func.sum(getattr(PA, f"commit_{n}") // term) for n in INDICATORS),
        )
        .join(Village, Village.id == PA.village_id)
        .where(PA.status.in_(FILED_STATUSES))
        .group_by(Village.county_code, first, last)
    )
    R = OutcomeReport
    actuals = (
        sa.select(
            Village.county_code,
            R.year,
            R.quarter,
            sa.func.count(R.id),
            *(sa.func.sum(getattr(R, a)) for a in ACTUALS),
        )
        .join(PA, PA.id == R.agreement_id)
        .join(Village, Village.id == PA.village_id)
        .where(R.status == ReportStatus.verified)
        .group_by(Village.county_code, R.year, R.quarter)
    )
    index = R.year * 4 + R.quarter - 1
    reports = (
        sa.select(index, Village.county_code, PA.enterprise_id, sa.func.count(R.id))
        .join(PA, PA.id == R.agreement_id)
        .join(Village, Village.id == PA.village_id)
        .group_by(index, Village.county_code, PA.enterprise_id)
    )
    active = (
        sa.select(Village.county_code, PA.enterprise_id, sa.func.count(PA.id))
        .join(Village, Village.id == PA.village_id)
        .where(PA.status == AgreementStatus.active)
        .group_by(Village.county_code, PA.enterprise_id)
    )
    return {
        COMMITMENTS: commitments,
        ACTUAL_TABLE: actuals,
        REPORTS_TABLE: reports,
        ACTIVE_TABLE: active,
    }


def rebuild_pairing_summary(session: Session) -> None:
    """Recompute every pairing summary from the agreements and reports (after a bulk load)."""
    for table, select in summary_selects().items():
        session.execute(sa.delete(table))
        session.execute(table.insert().from_select([c.name for c in table.c], select))
