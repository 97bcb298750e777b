"""A dashboard panel as a domain declares it, and the panels that combine several figures.

A panel is computed by one function of ``(session, actor, today)`` over the officer's region and
cached per data version (``app.services.stats``); ``ignored_event_types`` names the audit-event
object types (model class names) it never reads, beyond those no panel reads: a change to one of
them leaves its figures in place. Any type not listed, including one added later, makes the panel
recompute: a missing entry costs time, not truth. Its page template is
``dashboard/_<name>.html``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from app.actors import Actor
from app.services import consumption
from app.services.consumption import ReservedShare
from app.services.stats.pairing import CommittedActual, committed_by_county, committed_by_quarter


@dataclass(frozen=True, slots=True)
class Panel:
    name: str
    title: str
    compute: Callable[[Session, Actor, date], object]
    ignored_event_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Commitments:
    by_county: tuple[CommittedActual, ...]
    by_quarter: tuple[CommittedActual, ...]


def commitments(session: Session, actor: Actor, today: date) -> Commitments:
    return Commitments(
        committed_by_county(session, actor), committed_by_quarter(session, actor, today)
    )


SHARES_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Shares:
    buyers: int  # approved public buyers (PUBLIC_BUYER_KINDS) in the region
    lowest: tuple[ReservedShare, ...]  # the SHARES_SHOWN furthest from their reserved amount


def shares(session: Session, actor: Actor, today: date) -> Shares:
    shares = consumption.reserved_share_overview(session=session, actor=actor, year=today.year)
    return Shares(buyers=len(shares), lowest=tuple(shares[:SHARES_SHOWN]))
