"""Quarterly outcome reports (帮扶成效报告) for the agreements that were in force.

Older quarters are verified; the two most recent closed quarters are spread over every status.
"""

from datetime import date, datetime, timedelta

from app.models import INDICATORS, OutcomeReport
from app.models.enums import AgreementStatus, ReportStatus
from app.seed.context import (
    REFERENCE_DATE,
    REFERENCE_TIME,
    AgreementRef,
    SeedRun,
    office_time,
    weighted,
)

OVERDUE_SHARE = 0.25  # active agreements with no report for the last closed quarter
_STATUS_BY_AGE = {
    0: {
        ReportStatus.submitted: 0.35,
        ReportStatus.confirmed: 0.3,
        ReportStatus.returned: 0.1,
        ReportStatus.verified: 0.25,
    },
    1: {
        ReportStatus.verified: 0.75,
        ReportStatus.confirmed: 0.15,
        ReportStatus.returned: 0.05,
        ReportStatus.submitted: 0.05,
    },
}
_OLD = {ReportStatus.verified: 0.97, ReportStatus.confirmed: 0.03}
_RETURN_COMMENTS = (
    "佐证材料不完整，请补充资金拨付凭证。",
    "用工人数与花名册不一致，请核实后重新提交。",
    "采购金额缺少发票或收货单，请补充。",
    "培训人次缺少签到表，请补充后重新提交。",
)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(year: int, quarter: int) -> date:
    if quarter == 4:
        return date(year, 12, 31)
    return date(year, 3 * quarter + 1, 1) - timedelta(days=1)


def last_closed_quarter(today: date = REFERENCE_DATE) -> tuple[int, int]:
    year, quarter = quarter_of(today)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


LAST_CLOSED = last_closed_quarter()


def seed_reports(run: SeedRun) -> None:
    step = run.step("成效报告", len(run.agreements))
    report_id = 0
    with run.inserter(OutcomeReport, "成效报告") as out:
        for agreement in run.agreements:
            for year, quarter in _closed_quarters(agreement):
                row = _report(run, report_id + 1, agreement, year, quarter)
                if row is not None:
                    report_id += 1
                    out.add(row)
            step.advance()


def _closed_quarters(agreement: AgreementRef):
    """Closed quarters of the term (quarters overlapping start_on..end_on) while it was in force."""
    year, quarter = quarter_of(agreement.start_on)
    last = min(quarter_of(agreement.reports_until), LAST_CLOSED)
    while (year, quarter) <= last:
        yield year, quarter
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def _report(run: SeedRun, rid: int, agreement: AgreementRef, year: int, quarter: int):
    rng = run.rng
    age = (LAST_CLOSED[0] * 4 + LAST_CLOSED[1]) - (year * 4 + quarter)
    active = agreement.status == AgreementStatus.active
    # Every quarter counts (decision 0032): an active agreement misses only the last closed
    # quarter, a terminated one now and then an earlier one, a completed one none, all verified.
    completed = agreement.status == AgreementStatus.completed
    skip = OVERDUE_SHARE if active and age == 0 else (0.02 if not (active or completed) else 0)
    if rng.random() < skip:
        return None
    status = ReportStatus.verified if completed else weighted(rng, _STATUS_BY_AGE.get(age, _OLD))
    submitted = office_time(rng, quarter_end(year, quarter) + timedelta(days=rng.randint(3, 25)))
    confirmed = verified = None
    if status in (ReportStatus.confirmed, ReportStatus.verified) or (
        status is ReportStatus.returned and rng.random() < 0.5  # returned by the bureau
    ):
        confirmed = _later(rng, submitted, 1, 7)
    if status is ReportStatus.verified:
        verified = _later(rng, confirmed, 2, 20)
        if verified >= REFERENCE_TIME:
            status, verified = ReportStatus.confirmed, None
    if confirmed is not None and confirmed >= REFERENCE_TIME:
        status, confirmed = ReportStatus.submitted, None
    updated = verified or confirmed or submitted
    if status is ReportStatus.returned:
        updated = min(_later(rng, updated, 1, 5), REFERENCE_TIME - timedelta(minutes=1))
    share = 91.3 / max((agreement.end_on - agreement.start_on).days, 91.3)
    actual = [int(c * share * rng.uniform(0.5, 1.5)) for c in agreement.commitments]
    values = dict(zip(INDICATORS, actual, strict=True))
    return {
        "id": rid,
        "agreement_id": agreement.id,
        "year": year,
        "quarter": quarter,
        **{f"actual_{name}": value for name, value in values.items()},
        "narrative": _narrative(year, quarter, values),
        "status": status.value,
        "return_comment": rng.choice(_RETURN_COMMENTS) if status is ReportStatus.returned else "",
        "submitted_at": submitted,
        "confirmed_at": confirmed,
        "verified_at": verified,
        "updated_at": max(updated, submitted),
    }


def _later(rng, moment: datetime, low: int, high: int) -> datetime:
    return office_time(rng, moment.date() + timedelta(days=rng.randint(low, high)))


def _narrative(year: int, quarter: int, v: dict[str, int]) -> str:
    parts = []
    if v["funding_business_fen"]:
        parts.append(f"投入经营性帮扶资金{v['funding_business_fen'] / 1e6:.2f}万元")
    if v["funding_welfare_fen"]:
        parts.append(f"捐赠公益性资金{v['funding_welfare_fen'] / 1e6:.2f}万元")
    if v["jobs"]:
        parts.append(f"吸纳脱贫劳动力就业{v['jobs']}人")
    if v["trainees"]:
        parts.append(f"开展技能培训{v['trainees']}人次")
    if v["purchase_fen"]:
        parts.append(f"采购村里农产品{v['purchase_fen'] / 1e6:.2f}万元")
    parts.append(f"惠及群众{v['beneficiaries']}人")
    return f"{year}年第{quarter}季度，" + "，".join(parts) + "。"
