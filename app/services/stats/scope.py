"""Which rows the statistics cover (who may read them: ``app.permissions.can_view_statistics``)."""

import sqlalchemy as sa

from app.actors import Actor
from app.models import Village
from app.permissions import REGION_ROWS, can_view_statistics, require


def require_statistics(actor: Actor) -> None:
    require(can_view_statistics(actor))


def in_region(actor: Actor, county_column) -> sa.ColumnElement[bool]:
    """Rows whose county lies in the officer's region (the rule ``REGION_ROWS``)."""
    return REGION_ROWS.where(actor, county_code=county_column)


def villages_in_region(actor: Actor, village_column) -> sa.ColumnElement[bool]:
    """Rows whose village lies in the officer's region, without joining villages: nothing to
    check for the whole city, else the county's villages as a set (``village_id IN (…)``), which
    lets an index on the village column pick the county's rows before anything is joined."""
    if REGION_ROWS.sees_everything(actor):
        return sa.true()
    return village_column.in_(sa.select(Village.id).where(in_region(actor, Village.county_code)))
