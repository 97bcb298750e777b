"""The domains of Cunqi, listed once, and how each layer finds a domain's part of it.

A domain is a workflow with its own rows, rules and pages (docs/decisions/0023). Adding one is
its own new modules plus its name in ``DOMAINS``; the order of ``DOMAINS`` is the order in which
every layer gathers the domains' parts (GraphQL fields, page routes, to-do kinds, ledger sheets,
dashboard panels), so a new domain is appended where its parts should appear.

Each layer names a ``Part``: the module each domain must have in that layer and the names it must
define there. An empty tuple is the explicit "this domain has none here"; a missing module or
name stops start-up with ``MissingDomainPart`` instead of leaving a domain silently out:

=============  =======================================  ==================================
layer          module (for domain ``d``)                names
=============  =======================================  ==================================
services       ``app.services.d_domain``                ``INBOX_KINDS``, ``LEDGER_SECTIONS``,
                                                        ``DASHBOARD_PANELS``,
                                                        ``STATE_MACHINES``, ``NOTICES``,
                                                        ``VISIBILITY``
GraphQL        ``app.schema.d_operations``              ``QUERIES``, ``MUTATIONS``
pages          ``app.web.d_routes``                     ``ROUTES``, ``MENU``
matrix tests   ``tests.authz.actions_d``                ``ACTIONS``, ``EDITS``,
                                                        ``UNVERSIONED``, ``LIFECYCLE_STEPS``
visibility     ``tests.authz.visibility_d``             ``SOURCES``, ``READ_PATHS``, ``ROWS``
=============  =======================================  ==================================

This module sits below every layer: it imports none of them, it only names their modules.
"""

import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

# The registration line: every domain, in the order its parts are gathered.
DOMAINS: tuple[str, ...] = (
    "accounts",
    "pairing",
    "trade",
    "certification",
    "bureau",
    "privacy",
    "labour",
)


class MissingDomainPart(RuntimeError):
    """A domain lacks the module or a name a layer expects of it."""


@dataclass(frozen=True, slots=True)
class Part:
    """What one layer expects of every domain: a module named after it and names defined there.

    ``module`` is a pattern with ``{domain}`` (``"app.web.{domain}_routes"``); every name in
    ``names`` must be a tuple or list (empty when the domain has nothing of that kind).
    """

    module: str
    names: tuple[str, ...]

    def module_name(self, domain: str) -> str:
        return self.module.format(domain=domain)

    def load(self, domain: str) -> ModuleType:
        """The domain's module of this layer, checked to define every expected name."""
        name = self.module_name(domain)
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:  # its package is missing too
            spec = None
        if spec is None:
            raise MissingDomainPart(
                f"domain {domain!r} has no module {name} (it must define {', '.join(self.names)};"
                " an empty tuple declares that the domain has none)"
            )
        module = importlib.import_module(name)
        for wanted in self.names:
            value = getattr(module, wanted, None)
            if not isinstance(value, tuple | list):
                raise MissingDomainPart(
                    f"{name} must define {wanted} as a tuple or list"
                    " (an empty tuple declares that the domain has none)"
                )
        return module

    def modules(self, domains: Sequence[str] = DOMAINS) -> list[ModuleType]:
        return [self.load(domain) for domain in domains]

    def gather(self, name: str, domains: Sequence[str] = DOMAINS) -> tuple:
        """Every domain's ``name``, concatenated in the order of ``domains``."""
        if name not in self.names:
            raise ValueError(f"{name} is not one of the names of {self.module}")
        return tuple(item for module in self.modules(domains) for item in getattr(module, name))
