"""Which rows an actor may see: one declarative rule per kind of object (decision 0024).

A kind's rule is a ``Visibility``: a tuple of clauses, any of which lets a row through. Each clause
answers twice from the same data — ``sql`` as a condition over the columns the caller binds, and
``test`` as a Python check over the facts of one row — so the SQL filter of a list
(``Visibility.where``) and the predicate of one object (``Visibility.allows``) cannot drift apart.
tests/test_visibility.py checks, for every actor of the authorization world and every row of
each kind, that the two agree on SQLite and PostgreSQL.

Facts are named (``county_code``, ``enterprise_id``, ``status``…); a caller binds each name to a
column of its query (``AGREEMENTS.where(actor, county_code=Village.county_code, …)``) or passes the
row's values (``AGREEMENTS.allows(actor, county_code="140829", …)``). Clauses that cannot apply to
the actor become ``false()``, which SQLAlchemy drops from the ``OR``: an enterprise's list reads
``enterprise_id = :id`` alone and keeps using its index.

The clause types and ``Visibility`` are this module's public vocabulary (``__all__``), from which a
new domain builds the rules of its kinds in its own ``app/permissions/<domain>.py``; the kinds
below are the rules of the first domains (re-exported by ``app.permissions`` with the others).
Which domain owns which kind is declared in ``app/services/<domain>_domain.py`` (``VISIBILITY``),
gathered by ``app.services.domains.visibility_kinds()``; there is no central list of kinds.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.actors import Actor, Role
from app.models.enums import (
    DemandStatus,
    ProductStatus,
    RecipientKind,
    RegistrationStatus,
)
from app.permissions.base import _staff_id, is_bureau_for, is_city_bureau

__all__ = [
    "Acting",
    "Addressee",
    "Clause",
    "Public",
    "Region",
    "Scope",
    "Self",
    "Staff",
    "Visibility",
]

# Clauses -------------------------------------------------------------------------------------


class Clause(ABC):
    """One reason a row may be seen: as SQL over bound columns and as a test over a row's facts."""

    facts: tuple[str, ...] = ()

    @abstractmethod
    def sql(self, actor: Actor, columns: Mapping[str, Any]) -> sa.ColumnElement[bool]:
        """The rows this clause lets ``actor`` see, over the columns bound to ``facts``."""

    @abstractmethod
    def test(self, actor: Actor, facts: Mapping[str, Any]) -> bool:
        """Does this clause let ``actor`` see the row with these facts?"""

    def everywhere(self, actor: Actor) -> bool:
        """Does this clause let every row through for ``actor``?"""
        return False


@dataclass(frozen=True)
class Staff(Clause):
    """Staff of the organisation named by the row's ``fact`` (an enterprise's own agreements)."""

    role: Role
    fact: str

    @property
    def facts(self) -> tuple[str, ...]:
        return (self.fact,)

    def sql(self, actor, columns):
        own = _staff_id(actor, self.role)
        return columns[self.fact] == own if own is not None else sa.false()

    def test(self, actor, facts):
        own = _staff_id(actor, self.role)
        return own is not None and facts[self.fact] == own


@dataclass(frozen=True)
class Region(Clause):
    """The bureau whose region holds the row's county (the city's officers: every county);
    ``overseers`` (admins, the system's own jobs) see every row."""

    fact: str = "county_code"
    overseers: tuple[Role, ...] = (Role.admin, Role.system)

    @property
    def facts(self) -> tuple[str, ...]:
        return (self.fact,)

    def everywhere(self, actor: Actor) -> bool:
        return actor.role in self.overseers or is_city_bureau(actor)

    def sql(self, actor, columns):
        if self.everywhere(actor):
            return sa.true()
        if actor.role == Role.bureau and actor.region_code:
            return columns[self.fact] == actor.region_code
        return sa.false()

    def test(self, actor, facts):
        return self.everywhere(actor) or is_bureau_for(actor, facts[self.fact])


@dataclass(frozen=True)
class Public(Clause):
    """Rows whose ``fact`` equals ``value`` (a listed product), for everyone or only ``roles``."""

    fact: str
    value: Any
    roles: tuple[Role, ...] | None = None

    @property
    def facts(self) -> tuple[str, ...]:
        return (self.fact,)

    def _reader(self, actor: Actor) -> bool:
        return self.roles is None or actor.role in self.roles

    def sql(self, actor, columns):
        return columns[self.fact] == self.value if self._reader(actor) else sa.false()

    def test(self, actor, facts):
        return self._reader(actor) and facts[self.fact] == self.value


@dataclass(frozen=True)
class Acting(Clause):
    """Every row, for staff of an approved organisation of ``roles`` (pending staff: none)."""

    roles: tuple[Role, ...]

    def everywhere(self, actor: Actor) -> bool:
        return actor.role in self.roles and _staff_id(actor, actor.role) is not None

    def sql(self, actor, columns):
        return sa.true() if self.everywhere(actor) else sa.false()

    def test(self, actor, facts):
        return self.everywhere(actor)


@dataclass(frozen=True)
class Self(Clause):
    """The actor's own account (``fact``: the row's user id)."""

    fact: str = "user_id"

    @property
    def facts(self) -> tuple[str, ...]:
        return (self.fact,)

    def sql(self, actor, columns):
        return columns[self.fact] == actor.user_id if actor.user_id is not None else sa.false()

    def test(self, actor, facts):
        return actor.user_id is not None and facts[self.fact] == actor.user_id


@dataclass(frozen=True)
class Scope(Clause):
    """Rows asked for by the bureau scope (the city, or one county) the officer holds: the same
    scope, not a region that contains it (a county's export is not the city's)."""

    fact: str = "region_code"

    @property
    def facts(self) -> tuple[str, ...]:
        return (self.fact,)

    def _scope(self, actor: Actor) -> str | None:
        return actor.region_code if actor.role == Role.bureau else None

    def sql(self, actor, columns):
        scope = self._scope(actor)
        return columns[self.fact] == scope if scope else sa.false()

    def test(self, actor, facts):
        scope = self._scope(actor)
        return bool(scope) and facts[self.fact] == scope


_RECIPIENT_OF_ROLE = {
    Role.enterprise: RecipientKind.enterprise,
    Role.cooperative: RecipientKind.cooperative,
    Role.village: RecipientKind.village,
}


@dataclass(frozen=True)
class Addressee(Clause):
    """Notifications addressed to the actor, or to the organisation they work for."""

    facts = ("recipient_kind", "recipient_id")

    def _addresses(self, actor: Actor) -> list[tuple[RecipientKind, int]]:
        found = []
        if actor.user_id is not None:
            found.append((RecipientKind.user, actor.user_id))
        kind = _RECIPIENT_OF_ROLE.get(actor.role)
        if kind is not None and _staff_id(actor, actor.role) is not None:
            found.append((kind, _staff_id(actor, actor.role)))
        return found

    def sql(self, actor, columns):
        kind, ident = columns["recipient_kind"], columns["recipient_id"]
        pairs = [sa.and_(kind == k, ident == i) for k, i in self._addresses(actor)]
        return sa.or_(*pairs) if pairs else sa.false()

    def test(self, actor, facts):
        return (facts["recipient_kind"], facts["recipient_id"]) in self._addresses(actor)


# The rule of a kind --------------------------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """Which rows of one kind an actor may see: any clause lets a row through."""

    kind: str
    clauses: tuple[Clause, ...]

    @property
    def facts(self) -> tuple[str, ...]:
        """The names a caller binds (``where``) or passes (``allows``)."""
        return tuple(dict.fromkeys(f for clause in self.clauses for f in clause.facts))

    def where(self, actor: Actor, **columns) -> sa.ColumnElement[bool]:
        """SQL: the rows ``actor`` may see, over the columns bound to this kind's facts."""
        self._check(columns)
        return sa.or_(*(clause.sql(actor, columns) for clause in self.clauses))

    def allows(self, actor: Actor, **facts) -> bool:
        """May ``actor`` see the row with these facts?"""
        self._check(facts)
        return any(clause.test(actor, facts) for clause in self.clauses)

    def sees_everything(self, actor: Actor) -> bool:
        """No row is hidden from ``actor`` (callers may skip a join the filter would read)."""
        return any(clause.everywhere(actor) for clause in self.clauses)

    def _check(self, given: Mapping[str, Any]) -> None:
        if set(given) != set(self.facts):
            expected, got = sorted(self.facts), sorted(given)
            raise TypeError(f"{self.kind}: expected facts {expected}, got {got}")


# Kinds ----------------------------------------------------------------------------------------
# Public rows first, then the parties, then the bureau of the region (and admins).

_REGION = Region()

AGREEMENTS = Visibility(
    "pairing agreement (its outcome reports and evidence too)",
    (Staff(Role.enterprise, "enterprise_id"), Staff(Role.village, "village_id"), _REGION),
)
ENTERPRISES = Visibility(
    "enterprise",
    (Public("status", RegistrationStatus.approved), Staff(Role.enterprise, "id"), _REGION),
)
COOPERATIVES = Visibility(
    "cooperative",
    (Public("status", RegistrationStatus.approved), Staff(Role.cooperative, "id"), _REGION),
)
PRODUCTS = Visibility(
    "product (listed, draft or delisted)",
    (
        Public("status", ProductStatus.listed),
        Staff(Role.cooperative, "cooperative_id"),
        _REGION,
    ),
)
DEMANDS = Visibility(
    "purchase demand",
    (
        Staff(Role.enterprise, "buyer_id"),
        Public("status", DemandStatus.open, roles=(Role.cooperative, Role.bureau, Role.admin)),
    ),
)
ORDERS = Visibility(
    "order",
    (Staff(Role.enterprise, "buyer_id"), Staff(Role.cooperative, "cooperative_id"), _REGION),
)
RESERVED_SHARES = Visibility(
    "reserved purchase share", (Staff(Role.enterprise, "enterprise_id"), _REGION)
)
PRIVATE_VILLAGE_DATA = Visibility(
    "village's private fields (household figures)",
    (
        Staff(Role.village, "village_id"),
        Region(overseers=()),
        Acting((Role.enterprise, Role.cooperative)),
    ),
)
# The bureau's work in its region: statistics, the ledger, review queues and county lists.
REGION_ROWS = Visibility("row of a county (statistics, ledger, review queues)", (_REGION,))
CERTIFICATION_APPLICATIONS = Visibility("certification application", (_REGION,))
# The filer of an objection stays private: only the bureau that resolves it, and admins.
CERTIFICATION_OBJECTIONS = Visibility("certification objection", (Region(overseers=(Role.admin,)),))
AUDIT_EVENTS = Visibility("audit event", (Region(overseers=(Role.admin,)),))
REGISTRATIONS = Visibility("user's registration", (Self(), Region(overseers=())))
NOTIFICATIONS = Visibility("notification", (Addressee(),))
EXPORT_JOBS = Visibility("ledger export job", (Scope(),))
