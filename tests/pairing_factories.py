"""Factories and actors for the pairing tests (agreements in every state, needs, reports)."""

from datetime import date, timedelta

from sqlmodel import Session

from app.actors import Actor, Role
from app.models import Enterprise, OutcomeReport, PairingAgreement, Village, VillageNeed
from app.models.enums import AgreementStatus, HelpKind, NeedStatus, ReportStatus
from app.services import clock, pairing_summary
from app.services.pairing.periods import Quarter
from app.services.pairing.proposals import add_years
from tests.factories import make_agreement


def current_term(years: int = 3) -> tuple[str, str]:
    """A term a proposal may have today: from the current quarter's first day, ``years`` long
    (the start window of decision 0030 moves with the calendar; fixed dates would expire)."""
    start = Quarter.of(clock.today()).start
    return start.isoformat(), (add_years(start, years) - timedelta(days=1)).isoformat()


def enterprise_actor(enterprise: Enterprise | int, user_id: int | None = None) -> Actor:
    enterprise_id = enterprise if isinstance(enterprise, int) else enterprise.id
    return Actor(
        role=Role.enterprise, user_id=user_id, name="企业职员", enterprise_id=enterprise_id
    )


def village_actor(village: Village | int, user_id: int | None = None) -> Actor:
    village_id = village if isinstance(village, int) else village.id
    return Actor(role=Role.village, user_id=user_id, name="村干部", village_id=village_id)


def bureau_actor(region_code: str = "140829", user_id: int | None = None) -> Actor:
    return Actor(role=Role.bureau, user_id=user_id, name="审核员", region_code=region_code)


ADMIN = Actor(role=Role.admin, name="管理员")


def make_need(session: Session, village: Village, **overrides) -> VillageNeed:
    values = {
        "village_id": village.id,
        "kind": HelpKind.industry,
        "description": "建设苹果冷库",
        "status": NeedStatus.open,
    } | overrides
    need = VillageNeed(**values)
    session.add(need)
    session.flush()
    return need


def make_active(session: Session, **overrides) -> PairingAgreement:
    """An active (filed) agreement for 2026–2027 unless told otherwise."""
    values = {
        "status": AgreementStatus.active,
        "start_on": date(2026, 1, 1),
        "end_on": date(2027, 12, 31),
    } | overrides
    return make_agreement(session, **values)


def make_report(
    session: Session, agreement: PairingAgreement, year: int, quarter: int, **overrides
) -> OutcomeReport:
    values = {
        "agreement_id": agreement.id,
        "year": year,
        "quarter": quarter,
        "status": ReportStatus.submitted,
        "narrative": "本季度完成冷库建设，吸纳 5 名脱贫户就业。",
        "actual_jobs": 5,
    } | overrides
    report = OutcomeReport(**values)
    session.add(report)
    session.flush()
    # Count it in the dashboard's summaries as the report services would.
    agreement = session.get(PairingAgreement, report.agreement_id)
    county = session.get(Village, agreement.village_id).county_code
    pairing_summary.report_submitted(session, report, agreement, county)
    if report.status == ReportStatus.verified:
        pairing_summary.report_verified(session, report, county)
    return report
