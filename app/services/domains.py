"""The service layer's registry: what each domain declares in ``app.services.<domain>_domain``.

Each domain's module defines (app/domains.py; an empty tuple when the domain has none):

- ``TODO_KINDS``: its kinds of to-do (``app.services.inbox.Kind``), shown per role in this order;
- ``LEDGER_SECTIONS``: its sheets of the bureau's ledger export (``ledger_sections.Section``);
- ``DASHBOARD_PANELS``: its panels of the bureau's dashboard (``stats.panels.Panel``);
- ``STATE_MACHINES``: the lifecycles of its objects (``state_machine.Machine``);
- ``NOTICES``: who hears of each action it publishes, and the parties of its objects
  (``notice_rules.Notices``).

Central modules (the inbox, the ledger, the dashboard) ask here when they run, never while they
are being imported: a domain's module imports the central module's types, so reading the
registry at import time would be a circle. ``load`` reads every domain once at start-up, so a
missing module or name stops the application before it serves anything.
"""

from functools import cache
from typing import TYPE_CHECKING

from app.domains import DOMAINS, Part

if TYPE_CHECKING:
    from app.services.inbox import Kind
    from app.services.ledger_sections import Section
    from app.services.notice_rules import Notices
    from app.services.state_machine import Machine
    from app.services.stats.panels import Panel

SERVICE_PART = Part(
    "app.services.{domain}_domain",
    ("TODO_KINDS", "LEDGER_SECTIONS", "DASHBOARD_PANELS", "STATE_MACHINES", "NOTICES"),
)


@cache
def todo_kinds() -> "tuple[Kind, ...]":
    return _unique(SERVICE_PART.gather("TODO_KINDS"), "to-do kind")


@cache
def ledger_sections() -> "tuple[Section, ...]":
    return _unique(SERVICE_PART.gather("LEDGER_SECTIONS"), "ledger section")


@cache
def dashboard_panels() -> "tuple[Panel, ...]":
    return _unique(SERVICE_PART.gather("DASHBOARD_PANELS"), "dashboard panel")


@cache
def state_machines() -> "tuple[Machine, ...]":
    return _unique(SERVICE_PART.gather("STATE_MACHINES"), "state machine")


@cache
def notices() -> "tuple[Notices, ...]":
    return SERVICE_PART.gather("NOTICES")


def _unique(items: tuple, what: str) -> tuple:
    """``items`` unchanged; two with one key (or name) would shadow each other: refuse."""
    seen: set[str] = set()
    for item in items:
        key = getattr(item, "key", None) or item.name
        if key in seen:
            raise ValueError(f"two domains declare the {what} {key!r}")
        seen.add(key)
    return items


def load() -> None:
    """Read every domain's declarations now (at start-up): a missing part fails here."""
    SERVICE_PART.modules(DOMAINS)
    todo_kinds()
    ledger_sections()
    dashboard_panels()
    state_machines()
    notices()
