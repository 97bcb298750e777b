"""Who may read the statistics and which rows they cover."""

import sqlalchemy as sa

from app.actors import Actor
from app.permissions import bureau_county_scope, is_bureau_for, require


def can_view_statistics(actor: Actor) -> bool:
    """Bureau officers, each for the region they are scoped to (the city or one county)."""
    return is_bureau_for(actor, actor.region_code)


def require_statistics(actor: Actor) -> None:
    require(can_view_statistics(actor))


def in_region(actor: Actor, county_column) -> sa.ColumnElement[bool]:
    """Rows whose county lies in the officer's region."""
    return bureau_county_scope(actor, county_column)
