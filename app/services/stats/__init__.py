"""The bureau's statistics (工作台): every figure one SQL aggregate over the officer's region.

The dashboard page shows each panel on its own (loaded lazily) and GraphQL ``stats`` exposes the
same figures; both call ``panel``/``dashboard`` here, so they never disagree.

Every figure is read from covering indexes (migration 0006) or from summaries the services keep
(sales 0008, pairing 0010, purchases 0011; docs/decisions/0011): about 0.05 s for a county and
0.13 s for the whole city at province scale. A panel's figures are also kept per
database, region and day for as long as no audit event (操作记录) that could change them has been
written: every state change writes one in its own transaction, and so do imports and the seed.
Events about objects that no figure counts (API tokens, ledger exports, notifications …)
leave the figures in place, and each panel also ignores the types it never reads (an order does
not recompute coverage); any other type, including one added later, makes it recompute. Asking
is one statement: per panel, a backward look-up in the events table.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import Event
from app.permissions import can_view_statistics
from app.services.domains import dashboard_panels
from app.services.pairing.periods import local_today
from app.services.stats.panels import Panel
from app.services.stats.sales import Sales
from app.services.stats.scope import require_statistics

__all__ = ["Dashboard", "Panel", "Sales", "can_view_statistics", "dashboard", "panel", "panels"]


def panels() -> dict[str, Panel]:
    """Panel name → its declaration, in the dashboard's order: every domain's
    ``DASHBOARD_PANELS`` (app/services/domains.py)."""
    return {p.name: p for p in dashboard_panels()}


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Every panel's figures: ``dashboard.coverage`` (or ``dashboard["coverage"]``) per panel."""

    today: date
    figures: dict[str, object]

    def __getattr__(self, name: str):
        figures = object.__getattribute__(self, "figures")  # unset (a copy): no recursion
        try:
            return figures[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str):
        return self.figures[name]


CACHE_SIZE = 512
_cache: OrderedDict[tuple, tuple[int, object]] = OrderedDict()
_lock = threading.Lock()


# Audit-event object types (model class names) whose changes no figure counts. Not ``User``:
# approving or registering an account also approves or adds its enterprise or cooperative.
NEUTRAL_EVENT_TYPES = (
    "ApiToken",
    "LoginAttempt",
    "ExportJob",
    "Notification",
    "MailSubscription",
    "MailMessage",
    "Demand",
    "VillageNeed",
    "ReportEvidence",
    "ProductImage",
    "CertificationApplication",
    "CertificationObjection",
)


def _latest_event(name: str) -> sa.ScalarSelect:
    """The id of the latest audit event that could change the panel ``name`` (read newest
    first, so it stops at the first such event)."""
    ignored = NEUTRAL_EVENT_TYPES + panels()[name].ignored_event_types
    return (
        sa.select(Event.id)
        .where(Event.object_type.not_in(ignored))
        .order_by(Event.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def data_versions(session: Session, names) -> dict[str, int | None]:
    """Each panel's data version, in one statement; None (compute, do not cache) for every panel
    while another transaction is writing on PostgreSQL.

    Event ids come from a sequence: on PostgreSQL a transaction holding a smaller id can commit
    after one holding a larger id. Figures cached under the larger id while the smaller one was
    still open would miss its change for good (the newest id does not move when it commits). A
    snapshot with no writer in progress (``pg_snapshot_xip`` empty) rules that out: every event
    written later gets a larger id. SQLite serialises writers, so its ids commit in order.
    """
    columns = [_latest_event(n).label(n) for n in names]
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        writers = sa.select(sa.literal_column("1")).select_from(
            sa.func.pg_snapshot_xip(sa.func.pg_current_snapshot()).table_valued("xid")
        )
        columns.append((~writers.exists()).label("_no_writer"))
    row = session.execute(sa.select(*columns)).one()._mapping
    if postgres and not row["_no_writer"]:
        return dict.fromkeys(names)
    return {name: row[name] or 0 for name in names}


def _cached(session: Session, actor: Actor, today: date, name: str, version: int | None):
    compute = panels()[name].compute
    if version is None:
        return compute(session, actor, today)
    key = (str(session.get_bind().engine.url), name, actor.region_code, today)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == version:
            _cache.move_to_end(key)
            return hit[1]
    value = compute(session, actor, today)
    with _lock:
        _cache[key] = (version, value)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def panel(
    name: str, *, session: Session, actor: Actor, today: date | None = None, reuse: bool = False
):
    """One panel's figures for a bureau officer's region; KeyError for an unknown panel.

    ``reuse`` (for read-only sessions only: a write transaction's figures could be rolled back)
    answers from the cache while no audit event that could change a figure has been written.
    """
    if name not in panels():
        raise KeyError(name)
    require_statistics(actor)
    version = data_versions(session, [name])[name] if reuse else None
    return _cached(session, actor, today or local_today(), name, version)


def dashboard(
    *, session: Session, actor: Actor, today: date | None = None, reuse: bool = False
) -> Dashboard:
    """Every panel's figures for a bureau officer's region (``reuse``: see ``panel``)."""
    require_statistics(actor)
    today = today or local_today()
    names = list(panels())
    versions = data_versions(session, names) if reuse else dict.fromkeys(names)
    figures = {name: _cached(session, actor, today, name, versions[name]) for name in names}
    return Dashboard(today, figures)
