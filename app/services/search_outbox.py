"""The search subscriber: outbox rows for the search documents a published event changes.

The rows are written in the event's transaction, so the index never learns of a change that was
rolled back; the search service drains them after the commit. Documents: a product (removed once
delisted), a village (its profile, needs and partners), an enterprise.
"""

from collections.abc import Iterator

from sqlmodel import Session, SQLModel

from app.models import Enterprise, Product, SearchOutbox, Village
from app.models.enums import OutboxOp, ProductStatus
from app.services.domain_events import (
    AgreementEvent,
    CertificationEvent,
    CreatedInBulk,
    Delivery,
    OrderEvent,
    OrganisationEvent,
    ProductEvent,
    Subscription,
    VillageEvent,
)

Document = tuple[str, int, OutboxOp]


def enqueue_search(session: Session, doc_type: str, doc_id: int, op: OutboxOp = OutboxOp.upsert):
    """Queue a search-index change in the same transaction as the database change."""
    session.add(SearchOutbox(doc_type=doc_type, doc_id=doc_id, op=op))


def enqueue_search_many(session: Session, doc_type: str, ops: list[tuple[int, OutboxOp]]) -> None:
    """``enqueue_search`` for many documents, in one statement per batch."""
    if ops:
        session.connection().execute(
            SearchOutbox.__table__.insert(),
            [{"doc_type": doc_type, "doc_id": doc_id, "op": op} for doc_id, op in ops],
        )


def search_op(product: Product) -> OutboxOp:
    return OutboxOp.delete if product.status == ProductStatus.delisted else OutboxOp.upsert


def document_of(obj: SQLModel) -> Document | None:
    """The search document a row is, if it is one."""
    if isinstance(obj, Product):
        return ("product", obj.id, search_op(obj))
    if isinstance(obj, Village):
        return ("village", obj.id, OutboxOp.upsert)
    if isinstance(obj, Enterprise):
        return ("enterprise", obj.id, OutboxOp.upsert)
    return None


def _changed(event) -> Iterator[SQLModel]:
    """The searchable rows an event changed."""
    if isinstance(event, ProductEvent | OrganisationEvent):
        yield event.obj
    elif isinstance(event, VillageEvent):
        yield event.village  # a need is part of its village's document
    elif isinstance(event, AgreementEvent) and event.status_changed:
        yield event.village  # a village's document lists its partners by status
    elif isinstance(event, OrderEvent | CertificationEvent) and event.product_changed:
        yield event.product


def enqueue_changed(session: Session, delivery: Delivery) -> None:
    for obj in _changed(delivery.event):
        document = document_of(obj)
        if document is not None:
            enqueue_search(session, *document)


def enqueue_created(session: Session, delivery: Delivery) -> None:
    """The documents of rows written in bulk, one statement per batch and kind of document."""
    event: CreatedInBulk = delivery.event
    by_type: dict[str, list[tuple[int, OutboxOp]]] = {}
    for creation in event.creations:
        document = document_of(creation.obj)
        if document is not None:
            doc_type, doc_id, op = document
            by_type.setdefault(doc_type, []).append((doc_id, op))
    for doc_type, ops in by_type.items():
        enqueue_search_many(session, doc_type, ops)


SUBSCRIPTIONS = (
    Subscription(
        (
            ProductEvent,
            OrganisationEvent,
            VillageEvent,
            AgreementEvent,
            OrderEvent,
            CertificationEvent,
        ),
        enqueue_changed,
    ),
    Subscription(CreatedInBulk, enqueue_created),
)
