"""Every read path of a kind shows each actor exactly the rows the kind's rule allows.

``READ_PATHS`` lists, per kind of object, the functions that list its rows for pages, GraphQL,
exports, statistics and the to-do inbox. For every actor of the visibility world the ids a path
returns equal the ids ``Visibility.allows`` lets through, narrowed to what the path lists (a
queue lists pending rows only). A path that filters on its own (``enterprise_id == …``) instead
of the rule disagrees for some actor: the world holds a second county, pending organisations,
drafts, closed demands, a system actor and a pending account. Actors a path refuses outright
(``PermissionDeniedError``, the gates the authorization matrix covers) are skipped, but every
path must serve some actor.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Role
from app.errors import NotFoundError, PermissionDeniedError
from app.models import (
    CertificationApplication,
    CertificationObjection,
    County,
    Demand,
    Enterprise,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    Village,
)
from app.models.enums import AgreementStatus, CertificationStatus, DemandStatus
from app.permissions import visibility as v
from app.services import (
    certification,
    clock,
    consumption,
    demands,
    inbox,
    ledger,
    notifications,
    objections,
    orders,
    pairing,
    products,
)
from app.services.ledger_master import MASTER_SECTIONS
from app.services.queries import organisations as organisation_queries
from app.services.queries import pairing as pairing_queries
from app.services.queries import trade as trade_queries
from app.services.stats.scope import in_region, villages_in_region
from app.web.exports import _counties
from tests.authz.visibility_world import allowed, build_visibility_world

BIG = 1000


def _ids(session: Session, select: sa.Select) -> set:
    return {row.id for row in session.execute(select).scalars()}


def _page_ids(page) -> set:
    return {row.id for row in page.items}


def _reports_of(session: Session, agreement_ids: set) -> set:
    query = sa.select(OutcomeReport.id).where(OutcomeReport.agreement_id.in_(agreement_ids))
    return set(session.execute(query).scalars())


def _where(model, *conditions) -> Callable[[Session], set]:
    return lambda session: set(session.execute(sa.select(model.id).where(*conditions)).scalars())


def _one_by_one(model, fetch: Callable) -> Callable:
    """The ids whose single-object read (a detail page, a GraphQL node) answers the actor; the
    others raise NotFoundError or PermissionDeniedError, or give None."""

    def read(session: Session, actor) -> set:
        shown = set()
        for key in session.execute(sa.select(model.id)).scalars():
            try:
                found = fetch(session, actor, key)
            except (NotFoundError, PermissionDeniedError):
                continue
            if found is not None:
                shown.add(key)
        return shown

    return read


def _counted(session: Session, section_key: str, actor) -> set:
    section = next(s for s in MASTER_SECTIONS if s.key == section_key)
    return set(range(section.count(session, actor, None)))


def _agreement_counties(session: Session, *conditions) -> dict:
    query = (
        sa.select(PairingAgreement.id, Village.county_code)
        .join(Village, Village.id == PairingAgreement.village_id)
        .where(*conditions)
    )
    return {key: {"county_code": county} for key, county in session.execute(query)}


@dataclass(frozen=True)
class ReadPath:
    name: str
    kind: v.Visibility
    read: Callable  # (session, actor) -> set of ids
    # The rows the path lists at all, before visibility (None: every row of the kind).
    domain: Callable[[Session], set] | None = None
    # Compare sizes only (the path returns aggregates or rows without ids).
    sizes: bool = False
    # Turn the rule's ids into the path's (reports of the visible agreements).
    expected: Callable[[Session, set], set] | None = None
    # The path's rows and their facts, when the kind's own rows are not what it lists.
    rows: Callable[[Session], dict] | None = None
    # The roles the path serves at all (the inbox's bureau queues), None: every role.
    readers: tuple[Role, ...] | None = None


READ_PATHS = (
    ReadPath(
        "pairing page list",
        v.AGREEMENTS,
        lambda s, a: _page_ids(pairing.list_agreements(session=s, actor=a, size=BIG)),
    ),
    ReadPath(
        "GraphQL agreements",
        v.AGREEMENTS,
        lambda s, a: _ids(s, pairing_queries.select_agreements(actor=a)),
    ),
    ReadPath(
        "pairing page reports",
        v.AGREEMENTS,
        lambda s, a: _page_ids(pairing.list_reports(session=s, actor=a, size=BIG)),
        expected=_reports_of,
    ),
    ReadPath(
        "GraphQL reports",
        v.AGREEMENTS,
        lambda s, a: _ids(s, pairing_queries.select_reports(actor=a)),
        expected=_reports_of,
    ),
    ReadPath(
        "inbox filings",
        v.REGION_ROWS,
        lambda s, a: set(range(inbox.inbox_counts(session=s, actor=a).get("filings", 0))),
        rows=lambda s: _agreement_counties(s, PairingAgreement.status == AgreementStatus.signed),
        sizes=True,
        readers=(Role.bureau,),
    ),
    ReadPath(
        "statistics villages_in_region",
        v.REGION_ROWS,
        lambda s, a: set(
            s.execute(
                sa.select(PairingAgreement.id).where(
                    villages_in_region(a, PairingAgreement.village_id)
                )
            ).scalars()
        ),
        rows=_agreement_counties,
    ),
    ReadPath(
        "GraphQL enterprises",
        v.ENTERPRISES,
        lambda s, a: _ids(s, organisation_queries.select_enterprises(actor=a)),
    ),
    ReadPath(
        "GraphQL cooperatives",
        v.COOPERATIVES,
        lambda s, a: _ids(s, organisation_queries.select_cooperatives(actor=a)),
    ),
    ReadPath(
        "GraphQL products", v.PRODUCTS, lambda s, a: _ids(s, trade_queries.select_products(actor=a))
    ),
    ReadPath(
        "GraphQL demands", v.DEMANDS, lambda s, a: _ids(s, trade_queries.select_demands(actor=a))
    ),
    ReadPath(
        "open demands page",
        v.DEMANDS,
        lambda s, a: _page_ids(demands.open_demands(session=s, actor=a)),
        domain=_where(
            Demand, Demand.status == DemandStatus.open, Demand.deliver_by >= clock.today()
        ),
        # What cooperatives can answer: buyers find their own demands on their own list.
        readers=(Role.cooperative, Role.bureau, Role.admin),
    ),
    ReadPath(
        "GraphQL orders", v.ORDERS, lambda s, a: _ids(s, trade_queries.select_orders(actor=a))
    ),
    ReadPath(
        "orders page list",
        v.ORDERS,
        lambda s, a: _page_ids(orders.list_orders(session=s, actor=a)),
    ),
    ReadPath(
        "reserved shares overview",
        v.RESERVED_SHARES,
        lambda s, a: {
            share.enterprise_id for share in consumption.reserved_share_overview(session=s, actor=a)
        },
        domain=_where(Enterprise, Enterprise.kind.in_(consumption.RESERVING_KINDS)),
    ),
    ReadPath(
        "consumption by county",
        v.REGION_ROWS,
        lambda s, a: {row.code for row in consumption.consumption_by_county(session=s, actor=a)},
    ),
    ReadPath(
        "export page counties",
        v.REGION_ROWS,
        lambda s, a: {code for code, _ in _counties(s, a)},
    ),
    ReadPath(
        "statistics in_region",
        v.REGION_ROWS,
        lambda s, a: set(
            s.execute(sa.select(County.code).where(in_region(a, County.code))).scalars()
        ),
    ),
    ReadPath(
        "ledger enterprises",
        v.REGION_ROWS,
        lambda s, a: _counted(s, "enterprises", a),
        # The ledger lists every registration of the region, approved or not.
        rows=lambda s: {
            e_id: {"county_code": county}
            for e_id, county in s.execute(sa.select(Enterprise.id, Enterprise.county_code))
        },
        sizes=True,
    ),
    ReadPath(
        "certification queue",
        v.CERTIFICATION_APPLICATIONS,
        lambda s, a: {x.id for x in certification.certification_queue(session=s, actor=a)},
        domain=_where(
            CertificationApplication,
            CertificationApplication.status == CertificationStatus.pending,
        ),
    ),
    ReadPath(
        "objection queue",
        v.CERTIFICATION_OBJECTIONS,
        lambda s, a: {x.id for x in objections.objection_queue(session=s, actor=a)},
        domain=_where(CertificationObjection),
    ),
    ReadPath(
        "ledger export jobs",
        v.EXPORT_JOBS,
        lambda s, a: {job.id for job in ledger.recent_jobs(session=s, actor=a)},
    ),
    ReadPath(
        "objection page",
        v.CERTIFICATION_OBJECTIONS,
        _one_by_one(
            CertificationObjection,
            lambda s, a, key: objections.visible_objection(session=s, actor=a, objection_id=key),
        ),
    ),
    ReadPath(
        "order page",
        v.ORDERS,
        _one_by_one(Order, lambda s, a, key: orders.get_order(session=s, actor=a, order_id=key)),
    ),
    ReadPath(
        "demand page",
        v.DEMANDS,
        _one_by_one(
            Demand, lambda s, a, key: demands.get_demand(session=s, actor=a, demand_id=key)
        ),
    ),
    ReadPath(
        "product page",
        v.PRODUCTS,
        _one_by_one(
            Product, lambda s, a, key: products.get_product(session=s, actor=a, product_id=key)
        ),
    ),
    ReadPath(
        "agreement page",
        v.AGREEMENTS,
        _one_by_one(
            PairingAgreement,
            lambda s, a, key: pairing.get_agreement(session=s, actor=a, agreement_id=key),
        ),
    ),
    ReadPath(
        "notifications list",
        v.NOTIFICATIONS,
        lambda s, a: _page_ids(notifications.list_notifications(session=s, actor=a, size=BIG)),
    ),
)


@pytest.mark.parametrize("path", READ_PATHS, ids=lambda path: path.name)
def test_read_path_shows_what_the_rule_allows(session, path):
    world = build_visibility_world(session)
    served = 0
    for name, actor in world.actors.items():
        if path.readers is not None and actor.role not in path.readers:
            continue
        try:
            got = path.read(session, actor)
        except PermissionDeniedError:
            continue
        served += 1
        expected = _expected(session, path, actor)
        if path.sizes:
            assert len(got) == len(expected), (path.name, name)
        else:
            assert got == expected, (path.name, name)
    assert served, path.name


def _expected(session: Session, path: ReadPath, actor) -> set:
    if path.rows is not None:
        rows = path.rows(session).items()
        return {key for key, facts in rows if path.kind.allows(actor, **facts)}
    ids = allowed(session, path.kind, actor)
    if path.domain is not None:
        ids &= path.domain(session)
    if path.expected is not None:
        ids = path.expected(session, ids)
    return ids


def test_every_kind_with_a_list_has_a_read_path():
    listed = {path.kind for path in READ_PATHS}
    # Read one object at a time through the kind's predicate only (no list of their own).
    single = {v.PRIVATE_VILLAGE_DATA, v.AUDIT_EVENTS, v.REGISTRATIONS}
    assert listed | single == set(v.KINDS)
    assert listed.isdisjoint(single)
