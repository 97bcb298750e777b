"""Pairing agreements and outcome reports for lists, scoped to what the reader may see."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import OutcomeReport, PairingAgreement, Village
from app.models.enums import AgreementStatus, HelpKind, ReportStatus
from app.models.flags import has_any, to_mask
from app.permissions import AGREEMENTS
from app.services.pairing.followup import followups
from app.services.queries.batches import by_keys


class AgreementOrder(StrEnum):
    newest = "newest"
    start_on = "start_on"
    end_on = "end_on"
    number = "number"


AGREEMENT_ORDER = {
    AgreementOrder.newest: (PairingAgreement.proposed_at.desc(), PairingAgreement.id.desc()),
    AgreementOrder.start_on: (PairingAgreement.start_on, PairingAgreement.id),
    AgreementOrder.end_on: (PairingAgreement.end_on, PairingAgreement.id),
    AgreementOrder.number: (PairingAgreement.number,),
}
REPORT_ORDER = (OutcomeReport.year.desc(), OutcomeReport.quarter.desc(), OutcomeReport.id.desc())


@dataclass(frozen=True, slots=True)
class AgreementFilter:
    """Every field narrows the list; date bounds are inclusive."""

    statuses: tuple[AgreementStatus, ...] = ()
    help_kind: HelpKind | None = None
    county_code: str | None = None
    enterprise_id: int | None = None
    village_id: int | None = None
    start_from: date | None = None
    start_to: date | None = None
    end_from: date | None = None
    end_to: date | None = None


@dataclass(frozen=True, slots=True)
class ReportFilter:
    statuses: tuple[ReportStatus, ...] = ()
    year: int | None = None
    quarter: int | None = None
    agreement_id: int | None = None
    county_code: str | None = None


def _visible(actor: Actor) -> sa.ColumnElement[bool]:
    return AGREEMENTS.where(
        actor,
        enterprise_id=PairingAgreement.enterprise_id,
        village_id=PairingAgreement.village_id,
        county_code=Village.county_code,
    )


def select_agreements(
    *,
    actor: Actor,
    filters: AgreementFilter = AgreementFilter(),
    order: AgreementOrder = AgreementOrder.newest,
) -> sa.Select:
    """Agreements the actor may see: as a party, as the bureau of the region, as admin."""
    query = (
        sa.select(PairingAgreement)
        .join(Village, Village.id == PairingAgreement.village_id)
        .where(_visible(actor))
    )
    if filters.statuses:
        query = query.where(PairingAgreement.status.in_(filters.statuses))
    if filters.help_kind is not None:
        mask = to_mask([filters.help_kind], HelpKind)
        query = query.where(has_any(PairingAgreement.help_kinds, mask))
    if filters.county_code is not None:
        query = query.where(Village.county_code == filters.county_code)
    if filters.enterprise_id is not None:
        query = query.where(PairingAgreement.enterprise_id == filters.enterprise_id)
    if filters.village_id is not None:
        query = query.where(PairingAgreement.village_id == filters.village_id)
    bounds = (
        (PairingAgreement.start_on, filters.start_from, filters.start_to),
        (PairingAgreement.end_on, filters.end_from, filters.end_to),
    )
    for column, low, high in bounds:
        if low is not None:
            query = query.where(column >= low)
        if high is not None:
            query = query.where(column <= high)
    return query.order_by(*AGREEMENT_ORDER[order])


def select_reports(*, actor: Actor, filters: ReportFilter = ReportFilter()) -> sa.Select:
    """Outcome reports of the agreements the actor may see, newest period first."""
    query = (
        sa.select(OutcomeReport)
        .join(PairingAgreement, PairingAgreement.id == OutcomeReport.agreement_id)
        .join(Village, Village.id == PairingAgreement.village_id)
        .where(_visible(actor))
    )
    if filters.statuses:
        query = query.where(OutcomeReport.status.in_(filters.statuses))
    if filters.year is not None:
        query = query.where(OutcomeReport.year == filters.year)
    if filters.quarter is not None:
        query = query.where(OutcomeReport.quarter == filters.quarter)
    if filters.agreement_id is not None:
        query = query.where(OutcomeReport.agreement_id == filters.agreement_id)
    if filters.county_code is not None:
        query = query.where(Village.county_code == filters.county_code)
    return query.order_by(*REPORT_ORDER)


def agreements_by_id(session: Session, ids) -> dict[int, PairingAgreement]:
    """Unscoped: callers check ``can_see_agreement`` on each."""
    return by_keys(session, PairingAgreement.id, ids)


def reports_by_id(session: Session, ids) -> dict[int, OutcomeReport]:
    """Unscoped: callers check ``can_see_agreement`` on each report's agreement."""
    return by_keys(session, OutcomeReport.id, ids)


def _latest_reports_statement() -> sa.Select:
    numbered = (
        sa.select(
            OutcomeReport.id,
            sa.func.row_number()
            .over(partition_by=OutcomeReport.agreement_id, order_by=REPORT_ORDER)
            .label("position"),
        )
        .where(OutcomeReport.agreement_id.in_(sa.bindparam("agreements", expanding=True)))
        .subquery()
    )
    latest = sa.select(numbered.c.id).where(numbered.c.position == 1)
    return sa.select(OutcomeReport).where(OutcomeReport.id.in_(latest))


_LATEST_REPORTS = _latest_reports_statement()


def latest_reports(session: Session, agreement_ids) -> dict[int, OutcomeReport]:
    """Each agreement's report for its latest quarter, in one statement."""
    wanted = list(dict.fromkeys(agreement_ids))
    if not wanted:
        return {}
    rows = session.execute(_LATEST_REPORTS, {"agreements": wanted})
    return {report.agreement_id: report for report in rows.scalars()}


def reports_by_agreement(session: Session, agreement_ids) -> dict[int, list[OutcomeReport]]:
    """Every report of each agreement, oldest quarter first (at most 20 in a 5-year term)."""
    wanted = list(dict.fromkeys(agreement_ids))
    found: dict[int, list[OutcomeReport]] = {key: [] for key in wanted}
    if wanted:
        rows = session.execute(
            sa.select(OutcomeReport)
            .where(OutcomeReport.agreement_id.in_(wanted))
            .order_by(OutcomeReport.year, OutcomeReport.quarter)
        )
        for report in rows.scalars():
            found[report.agreement_id].append(report)
    return found


def followups_by_agreement(session: Session, agreement_ids) -> dict:
    """Each agreement's reports by quarter, waivers (免报) and newest reminder (催报)."""
    return followups(session, agreement_ids)


def agreement_id_by_number(session: Session, number: str) -> int | None:
    query = sa.select(PairingAgreement.id).where(PairingAgreement.number == number)
    return session.execute(query).scalar_one_or_none()
