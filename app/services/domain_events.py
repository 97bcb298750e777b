"""Domain events: what a service publishes (``app.services.bus.publish``) when it changes state.

An event names the action (``agreement.sign``), the object it happened to, who acted, the summary
and before/after snapshots the audit trail keeps, and the county whose bureau is responsible. Each
kind of object has its own event type, carrying what the subscribers need beyond that (the
agreement's village, the order's product …), so a subscriber reads facts from the event instead of
loading them again. ``CreatedInBulk`` stands for many rows an import wrote at once.

This module only describes events; it imports no service, so every concern may read it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

from sqlmodel import Session, SQLModel

from app.actors import Actor
from app.models import (
    ApiToken,
    CertificationApplication,
    CertificationObjection,
    Cooperative,
    Demand,
    Enterprise,
    Event,
    ExportJob,
    Invitation,
    MailSubscription,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    User,
    UserSession,
    Village,
    VillageNeed,
)
from app.models.enums import AgreementStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainEvent:
    """One state change of ``obj``: what the audit trail records and the other concerns follow."""

    action: str
    obj: SQLModel
    actor_id: int | None
    actor_label: str
    summary: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    county_code: str | None = None

    @classmethod
    def by(cls, actor: Actor, **fields: Any) -> Self:
        """The event of an action ``actor`` took."""
        return cls(actor_id=actor.user_id, actor_label=actor.label, **fields)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementEvent(DomainEvent):
    """A pairing agreement (结对协议) was proposed, revised or moved along its lifecycle."""

    obj: PairingAgreement
    village: Village
    # The status before the action; None for a new proposal.
    was: AgreementStatus | None = None

    @property
    def status_changed(self) -> bool:
        return self.was != self.obj.status


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportEvent(DomainEvent):
    """An outcome report (成效报告) was submitted or moved along its review."""

    obj: OutcomeReport
    agreement: PairingAgreement


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderEvent(DomainEvent):
    """An order was placed or moved along its lifecycle."""

    obj: Order
    product: Product
    # The action changed the product too (stock reserved or returned, a rating).
    product_changed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductEvent(DomainEvent):
    """A product was created, edited, listed, delisted or had its photos changed."""

    obj: Product


@dataclass(frozen=True, slots=True, kw_only=True)
class DemandEvent(DomainEvent):
    """A purchase demand (采购需求) was posted or closed."""

    obj: Demand


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificationEvent(DomainEvent):
    """A certification application (消费帮扶产品认定) was filed or decided."""

    obj: CertificationApplication
    product: Product
    # The action changed the product too (the certification came into force).
    product_changed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectionEvent(DomainEvent):
    """An objection to a publicised certification was filed or resolved (one by one, or many at
    once: then ``obj`` is the certification)."""

    obj: CertificationObjection | CertificationApplication


@dataclass(frozen=True, slots=True, kw_only=True)
class VillageEvent(DomainEvent):
    """A village was registered or its profile or needs list (需求清单) changed."""

    obj: Village | VillageNeed
    village: Village


@dataclass(frozen=True, slots=True, kw_only=True)
class OrganisationEvent(DomainEvent):
    """An enterprise or a cooperative was registered."""

    obj: Enterprise | Cooperative


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsumptionEvent(DomainEvent):
    """An enterprise set its yearly reserved purchase share (预留份额)."""

    obj: Enterprise


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactEvent(DomainEvent):
    """Someone saw an organisation's full contact phone number."""

    obj: Enterprise | Cooperative


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerEvent(DomainEvent):
    """A ledger (台账) export was requested."""

    obj: ExportJob


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountEvent(DomainEvent):
    """An account, its sign-in sessions, API tokens or mail subscription changed."""

    obj: User | UserSession | ApiToken | MailSubscription


@dataclass(frozen=True, slots=True, kw_only=True)
class InvitationEvent(DomainEvent):
    """An invitation code was revoked, regenerated or accepted (made in bulk: ``Creation``)."""

    obj: Invitation


@dataclass(frozen=True, slots=True)
class Creation:
    """One new row written in bulk: the action, the row, its summary and county."""

    action: str
    obj: SQLModel
    summary: str
    county_code: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatedInBulk:
    """Rows an import wrote in batched statements (``app.services.bulk``), all by one actor.

    Subscribers answer it in batches too: one statement per batch, never one per row.
    """

    creations: tuple[Creation, ...]
    actor_id: int | None
    actor_label: str

    @classmethod
    def by(cls, actor: Actor, creations: list[Creation]) -> Self:
        return cls(creations=tuple(creations), actor_id=actor.user_id, actor_label=actor.label)


Published = DomainEvent | CreatedInBulk


@dataclass(slots=True)
class Delivery:
    """One event on its way through the subscribers, and the audit row written for it.

    The audit subscriber runs first and fills ``record`` (for a ``DomainEvent``), so a
    notification can refer to the audit row it tells about.
    """

    event: Published
    record: Event | None = None


Handler = Callable[[Session, Delivery], None]


@dataclass(frozen=True, slots=True)
class Subscription:
    """``handler`` runs for every published event that is an instance of ``event_type``."""

    event_type: type | tuple[type, ...]
    handler: Handler
