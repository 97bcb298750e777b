"""The accounts domain's kinds in the visibility tests: registrations, read one at a time."""

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.models import Cooperative, Enterprise, User, Village
from app.permissions import REGISTRATIONS
from tests.authz.visibility_world import Source


def _pending_user_county() -> tuple[sa.Select, dict]:
    coop_village, own_village = aliased(Village), aliased(Village)
    select = (
        sa.select(User.id)
        .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
        .outerjoin(Cooperative, Cooperative.id == User.cooperative_id)
        .outerjoin(coop_village, coop_village.id == Cooperative.village_id)
        .outerjoin(own_village, own_village.id == User.village_id)
    )
    county = sa.func.coalesce(
        Enterprise.county_code, coop_village.county_code, own_village.county_code
    )
    return select, {"user_id": User.id, "county_code": county}


_USERS = _pending_user_county()

SOURCES = (Source(REGISTRATIONS, lambda: _USERS[0], lambda: _USERS[1], lists=False),)
READ_PATHS = ()
ROWS = ()
