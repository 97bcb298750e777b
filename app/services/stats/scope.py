"""Which rows the statistics cover (who may read them: ``app.permissions.can_view_statistics``)."""

import sqlalchemy as sa

from app.actors import Actor
from app.permissions import bureau_county_scope, can_view_statistics, require


def require_statistics(actor: Actor) -> None:
    require(can_view_statistics(actor))


def in_region(actor: Actor, county_column) -> sa.ColumnElement[bool]:
    """Rows whose county lies in the officer's region."""
    return bureau_county_scope(actor, county_column)
