"""The 劳务协作 domain's declarations (app/services/domains.py, decision 0038): the visibility of
its supply groups, postings and applications, its to-dos (applications waiting for the employer,
stable-employment checks due at the village), the application's lifecycle and the notification
decisions of its actions."""

import sqlalchemy as sa

from app.actors import Role
from app.models import Village
from app.models.labour import ApplicationStatus, JobPosting, LabourApplication, LabourSupply
from app.permissions.labour import JOB_POSTINGS, LABOUR_APPLICATIONS, LABOUR_SUPPLIES
from app.services.inbox import Kind
from app.services.labour_notices import NOTICES as _NOTICES
from app.services.labour_states import APPLICATION

S = ApplicationStatus


def _applications(*conditions) -> sa.Select:
    return (
        sa.select(
            (JobPosting.title + " · " + LabourSupply.title).label("title"),
            Village.name.label("detail"),
            LabourApplication.id.label("link_id"),
            LabourApplication.updated_at.label("since"),
        )
        .join(JobPosting, JobPosting.id == LabourApplication.posting_id)
        .join(LabourSupply, LabourSupply.id == LabourApplication.supply_id)
        .join(Village, Village.id == LabourApplication.village_id)
        .where(*conditions)
    )


def _checks_due(actor, today) -> sa.Select:
    """Hires whose 3-month or 6-month stable-employment check has fallen due."""
    A = LabourApplication
    return _applications(
        A.village_id == actor.village_id,
        sa.or_(
            sa.and_(A.status == S.hired, A.check_3_due <= today),
            sa.and_(A.status == S.retained, A.check_6_due <= today),
        ),
    )


_WAITING = (S.applied, S.interviewing)
_LINK = "/labour/applications/{id}"

VISIBILITY = (LABOUR_SUPPLIES, JOB_POSTINGS, LABOUR_APPLICATIONS)
INBOX_KINDS = (
    Kind(
        "labour_applications_enterprise",
        "待处理的劳务报名",
        Role.enterprise,
        _LINK,
        lambda a, t: _applications(
            LabourApplication.status.in_(_WAITING),
            LabourApplication.enterprise_id == a.enterprise_id,
        ),
    ),
    Kind(
        "labour_applications_cooperative",
        "待处理的劳务报名",
        Role.cooperative,
        _LINK,
        lambda a, t: _applications(
            LabourApplication.status.in_(_WAITING),
            LabourApplication.cooperative_id == a.cooperative_id,
        ),
    ),
    Kind("labour_checks_due", "待确认的稳定就业", Role.village, _LINK, _checks_due),
)
# The figures by county and month (app/services/labour/figures.py) are not yet a ledger sheet or a
# dashboard panel: the ledger's and the dashboard's tests list every sheet and panel and the
# dashboard's statement budget (decision 0038).
LEDGER_SECTIONS = ()
DASHBOARD_PANELS = ()
STATE_MACHINES = (APPLICATION,)
NOTICES = (_NOTICES,)
