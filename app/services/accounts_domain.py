"""The accounts domain's declarations (app/services/domains.py): registrations awaiting review."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.actors import Actor, Role
from app.models import Cooperative, Enterprise, User, Village
from app.models.enums import RegistrationStatus
from app.permissions import REGION_ROWS, REGISTRATIONS
from app.services import account_notices
from app.services.inbox import Kind


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


VISIBILITY = (REGISTRATIONS,)
INBOX_KINDS = (
    Kind("registrations", "待审核的注册申请", Role.bureau, "/registrations", _registrations),
)
LEDGER_SECTIONS = ()
DASHBOARD_PANELS = ()
STATE_MACHINES = ()
NOTICES = (account_notices.NOTICES,)
