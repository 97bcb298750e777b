"""The service layer's registry: what each domain declares in ``app.services.<domain>_domain``.

Each domain's module defines (app/domains.py; an empty tuple when the domain has none):

- ``INBOX_KINDS``: its kinds of to-do (``app.services.inbox.Kind``), shown per role in this order;
- ``LEDGER_SECTIONS``: its sheets of the bureau's ledger export (``ledger_sections.Section``);
- ``DASHBOARD_PANELS``: its panels of the bureau's dashboard (``stats.panels.Panel``);
- ``STATE_MACHINES``: the lifecycles of its objects (``state_machine.Machine``);
- ``NOTICES``: who hears of each action it publishes, and the parties of its objects
  (``notice_rules.Notices``);
- ``VISIBILITY``: the rules of the kinds of object it owns (``app.permissions.Visibility``, one per
  kind, decision 0024), checked by tests/test_visibility.py and tests/test_read_paths.py.

Central modules (the inbox, the ledger, the dashboard) ask here when they run, never while they
are being imported: a domain's module imports the central module's types, so reading the
registry at import time would be a circle. ``load`` reads every domain once at start-up, so a
missing module or name stops the application before it serves anything.
"""

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from app.domains import DOMAINS, Part

if TYPE_CHECKING:
    from app.permissions import Visibility
    from app.services.inbox import Kind
    from app.services.ledger_sections import Section
    from app.services.notice_rules import Notices
    from app.services.state_machine import Machine
    from app.services.stats.panels import Panel

SERVICE_PART = Part(
    "app.services.{domain}_domain",
    (
        "INBOX_KINDS",
        "LEDGER_SECTIONS",
        "DASHBOARD_PANELS",
        "STATE_MACHINES",
        "NOTICES",
        "VISIBILITY",
    ),
)


@cache
def inbox_kinds() -> "tuple[Kind, ...]":
    return _unique(SERVICE_PART.gather("INBOX_KINDS"), "to-do kind")


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


@cache
def visibility_kinds() -> "tuple[Visibility, ...]":
    """Every kind of object with its read rule; two domains cannot own one kind."""
    return _unique(SERVICE_PART.gather("VISIBILITY"), "visibility of", key=lambda rule: rule.kind)


def _unique(items: tuple, what: str, key: Callable | None = None) -> tuple:
    """``items`` unchanged; two with one key (or name) would shadow each other: refuse."""
    seen: set[str] = set()
    for item in items:
        key_of = key(item) if key else getattr(item, "key", None) or item.name
        if key_of in seen:
            raise ValueError(f"two domains declare the {what} {key_of!r}")
        seen.add(key_of)
    return items


def load() -> None:
    """Read every domain's declarations now (at start-up): a missing part fails here."""
    SERVICE_PART.modules(DOMAINS)
    inbox_kinds()
    ledger_sections()
    dashboard_panels()
    state_machines()
    notices()
    visibility_kinds()
