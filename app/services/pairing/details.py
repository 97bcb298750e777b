"""One agreement or one report in full: reports, evidence, commitments against actuals, the steps
the actor may take and the event timeline, in a fixed handful of queries."""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import NotFoundError
from app.labels import INDICATOR
from app.models import (
    INDICATORS,
    County,
    Enterprise,
    Event,
    OutcomeReport,
    PairingAgreement,
    ReportEvidence,
    ReportRevision,
    Township,
    Village,
)
from app.models.enums import AgreementStatus, HelpKind, ReportStatus
from app.models.flags import from_mask
from app.permissions import (
    can_remind_reports,
    can_see_agreement,
    can_submit_report,
    can_waive_report,
    require,
)
from app.services.pairing.corrections import report_revisions
from app.services.pairing.followup import Followup, followup, unsettled_quarters
from app.services.pairing.lifecycle import allowed_actions
from app.services.pairing.periods import (
    Quarter,
    final_quarter,
    last_closed_quarter,
    local_today,
    missing_quarters,
    reportable_quarters,
)
from app.services.pairing.reports import load_report, report_actions

PA = PairingAgreement


@dataclass(frozen=True, slots=True)
class ReportSummary:
    report: OutcomeReport
    evidence: list[ReportEvidence]
    actions: list[str]


@dataclass(frozen=True, slots=True)
class IndicatorTotal:
    name: str
    label: str
    committed: int
    verified: int  # sum over verified reports
    reported: int  # sum over reports not returned (including verified)

    @property
    def is_money(self) -> bool:
        return self.name.endswith("_fen")

    @property
    def ratio(self) -> float | None:
        """Verified actual over committed (None when nothing was committed)."""
        return self.verified / self.committed if self.committed else None


@dataclass(frozen=True, slots=True)
class AgreementDetail:
    agreement: PairingAgreement
    enterprise_name: str
    village_name: str
    township_name: str
    county_name: str
    county_code: str
    help_kinds: list[HelpKind]
    actions: list[str]
    reports: list[ReportSummary]
    events: list[Event]
    totals: list[IndicatorTotal]
    overdue: bool
    last_closed: Quarter
    final_quarter: Quarter
    # Quarters the enterprise may still report (begun, within the term, no report yet).
    reportable: list[Quarter]
    completion_blocked: str | None
    # 催报 and 免报: the overdue quarters, reports/waivers/reminders, what the bureau may do.
    missing: list[Quarter]
    followup: Followup
    may_remind: bool
    may_waive: bool
    # The quarters a waiver may still cover (neither verified nor waived); empty unless may_waive.
    unsettled: list[Quarter]


@dataclass(frozen=True, slots=True)
class ReportDetail:
    report: OutcomeReport
    evidence: list[ReportEvidence]
    actions: list[str]
    agreement_id: int
    number: str
    enterprise_name: str
    village_name: str
    county_name: str
    events: list[Event]
    revisions: list[ReportRevision] = field(default_factory=list)  # 更正记录, newest first


def get_agreement(
    *, session: Session, actor: Actor, agreement_id: int, today: date | None = None
) -> AgreementDetail:
    """One agreement with its reports, evidence, commitments against actuals and timeline."""
    today = today or local_today()
    row = session.execute(
        sa.select(
            PA,
            Enterprise.name,
            Village.name,
            Village.county_code,
            Township.name,
            County.name,
        )
        .join(Enterprise, Enterprise.id == PA.enterprise_id)
        .join(Village, Village.id == PA.village_id)
        .join(Township, Township.code == Village.township_code)
        .join(County, County.code == Village.county_code)
        .where(PA.id == agreement_id)
    ).first()
    if row is None:
        raise NotFoundError("结对协议不存在")
    agreement, enterprise_name, village_name, county_code, township_name, county_name = row
    require(can_see_agreement(actor, agreement.enterprise_id, agreement.village_id, county_code))
    reports = list(
        session.exec(
            select(OutcomeReport)
            .where(OutcomeReport.agreement_id == agreement.id)
            .order_by(OutcomeReport.year, OutcomeReport.quarter)
        ).all()
    )
    evidence = _evidence_of(session, [r.id for r in reports])
    summaries = [
        ReportSummary(r, evidence.get(r.id, []), report_actions(actor, r, agreement, county_code))
        for r in reports
    ]
    reported = {Quarter(r.year, r.quarter) for r in reports}
    found = followup(session, agreement.id)
    missing = _missing(agreement, found, today)
    completion_blocked = _completion_blocked(session, agreement, today)
    may_waive = agreement.status == AgreementStatus.active and can_waive_report(actor, county_code)
    return AgreementDetail(
        agreement=agreement,
        enterprise_name=enterprise_name,
        village_name=village_name,
        township_name=township_name,
        county_name=county_name,
        county_code=county_code,
        help_kinds=from_mask(agreement.help_kinds, HelpKind),
        actions=allowed_actions(
            actor, agreement, county_code, completable=completion_blocked is None
        ),
        reports=summaries,
        events=_timeline(session, agreement.id, [r.id for r in reports]),
        totals=indicator_totals(agreement, reports),
        overdue=bool(missing),
        last_closed=last_closed_quarter(today),
        final_quarter=final_quarter(agreement.end_on),
        reportable=[
            q
            for q in reportable_quarters(agreement.start_on, agreement.end_on, today)
            if q not in reported
        ]
        if agreement.status == AgreementStatus.active
        and can_submit_report(actor, agreement.enterprise_id)
        else [],
        completion_blocked=completion_blocked,
        missing=missing,
        followup=found,
        may_remind=bool(missing) and can_remind_reports(actor, county_code),
        may_waive=may_waive,
        unsettled=unsettled_quarters(session, agreement) if may_waive else [],
    )


def _missing(agreement: PairingAgreement, found: Followup, today: date) -> list[Quarter]:
    """The overdue quarters (``periods.missing_quarters``; none unless active)."""
    if agreement.status != AgreementStatus.active:
        return []
    return missing_quarters(
        start_on=agreement.start_on, end_on=agreement.end_on, covered=found.covered, today=today
    )


def _completion_blocked(session: Session, agreement: PairingAgreement, today: date) -> str | None:
    """Why an active agreement cannot be completed yet (None: it can)."""
    if agreement.status != AgreementStatus.active:
        return None
    if today < agreement.end_on:
        end = agreement.end_on
        return f"协议期限至 {end.year}年{end.month}月{end.day}日，期满后可办结"
    unsettled = unsettled_quarters(session, agreement)
    if unsettled:
        quarters = "、".join(f"{q.year}年第{q.quarter}季度" for q in unsettled)
        return f"以下季度的成效报告核实或免报后可办结：{quarters}"
    return None


def _evidence_of(session: Session, report_ids: list[int]) -> dict[int, list[ReportEvidence]]:
    if not report_ids:
        return {}
    grouped: dict[int, list[ReportEvidence]] = {}
    rows = session.exec(
        select(ReportEvidence)
        .where(ReportEvidence.report_id.in_(report_ids))
        .order_by(ReportEvidence.id)
    )
    for row in rows:
        grouped.setdefault(row.report_id, []).append(row)
    return grouped


def _timeline(session: Session, agreement_id: int, report_ids: list[int]) -> list[Event]:
    """The agreement's events and its reports' events, oldest first."""
    of_agreement = sa.and_(
        Event.object_type == "PairingAgreement", Event.object_id == str(agreement_id)
    )
    of_reports = sa.and_(
        Event.object_type == "OutcomeReport", Event.object_id.in_([str(i) for i in report_ids])
    )
    condition = sa.or_(of_agreement, of_reports) if report_ids else of_agreement
    return list(
        session.exec(select(Event).where(condition).order_by(Event.occurred_at, Event.id)).all()
    )


def indicator_totals(
    agreement: PairingAgreement, reports: list[OutcomeReport]
) -> list[IndicatorTotal]:
    """Committed against actual per indicator, as the agreement runs: the sums of its verified
    reports (and of all reports not returned). A terminated agreement keeps both sides: what it
    committed and what was verified before it ended (decision 0032)."""
    counted = [r for r in reports if r.status != ReportStatus.returned]
    verified = [r for r in reports if r.status == ReportStatus.verified]
    return [
        IndicatorTotal(
            name=name,
            label=INDICATOR[name],
            committed=getattr(agreement, f"commit_{name}"),
            verified=sum(getattr(r, f"actual_{name}") for r in verified),
            reported=sum(getattr(r, f"actual_{name}") for r in counted),
        )
        for name in INDICATORS
    ]


def get_report(*, session: Session, actor: Actor, report_id: int) -> ReportDetail:
    """One report with its evidence, the steps the actor may take and its events."""
    report, agreement, village = load_report(session, report_id)
    require(can_see_agreement(actor, agreement.enterprise_id, village.id, village.county_code))
    enterprise = session.get(Enterprise, agreement.enterprise_id)
    county = session.get(County, village.county_code)
    events = session.exec(
        select(Event)
        .where(Event.object_type == "OutcomeReport", Event.object_id == str(report.id))
        .order_by(Event.occurred_at, Event.id)
    ).all()
    return ReportDetail(
        report=report,
        evidence=_evidence_of(session, [report.id]).get(report.id, []),
        actions=report_actions(actor, report, agreement, village.county_code),
        agreement_id=agreement.id,
        number=agreement.number,
        enterprise_name=enterprise.name,
        village_name=village.name,
        county_name=county.name,
        events=list(events),
        revisions=report_revisions(session, report.id),
    )
