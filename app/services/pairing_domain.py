"""The 千企帮千村 domain's declarations (app/services/domains.py): to-dos of agreements and
outcome reports, and their ledger sheets."""

from datetime import date

import sqlalchemy as sa

from app.actors import Actor, Role
from app.models import Enterprise, OutcomeReport, PairingAgreement, Village
from app.models.enums import AgreementStatus, ReportStatus
from app.permissions import AGREEMENTS, COOPERATIVES, ENTERPRISES, PRIVATE_VILLAGE_DATA, REGION_ROWS
from app.services import directory_notices, ledger_sections, pairing_notices
from app.services.inbox import Kind
from app.services.pairing.periods import missing_quarters_query
from app.services.pairing.states import AGREEMENT, REPORT

PA = PairingAgreement


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


def _overdue(actor: Actor, today: date) -> sa.Select:
    """One item per missing quarter of the enterprise's active agreements (the rule:
    ``periods.missing_quarters_query``)."""
    missing = missing_quarters_query(today, PA.enterprise_id == actor.enterprise_id).subquery(
        "missing"
    )
    year = sa.cast(missing.c.quarter_index // 4, sa.String)
    quarter = sa.cast(missing.c.quarter_index % 4 + 1, sa.String)
    return (
        sa.select(
            (PA.number + " · " + Village.name).label("title"),
            (year + "年第" + quarter + "季度成效报告未提交").label("detail"),
            PA.id.label("link_id"),
            PA.filed_at.label("since"),
            (year + "Q" + quarter).label("period"),
        )
        .select_from(missing)
        .join(PA, PA.id == missing.c.agreement_id)
        .join(Village, Village.id == PA.village_id)
    )


def _in_region(actor: Actor):
    return REGION_ROWS.where(actor, county_code=Village.county_code)


VISIBILITY = (AGREEMENTS, ENTERPRISES, COOPERATIVES, PRIVATE_VILLAGE_DATA)
INBOX_KINDS = (
    Kind(
        "drafts_to_accept",
        "待确认的规划结对",
        Role.enterprise,
        "/agreements/{id}",
        lambda a, t: _agreements(
            PA.status == AgreementStatus.draft, PA.enterprise_id == a.enterprise_id
        ),
    ),
    Kind(
        "returned_agreements",
        "备案退回待修改的结对协议",
        Role.enterprise,
        "/agreements/{id}",
        lambda a, t: _agreements(
            PA.status == AgreementStatus.returned, PA.enterprise_id == a.enterprise_id
        ),
    ),
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
)
LEDGER_SECTIONS = (ledger_sections.AGREEMENTS, ledger_sections.REPORTS)
DASHBOARD_PANELS = ()
STATE_MACHINES = (AGREEMENT, REPORT)
NOTICES = (pairing_notices.NOTICES, directory_notices.NOTICES)
