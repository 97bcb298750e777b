"""Rows of every kind for the visibility tests: the authorization world plus a second county.

The authorization world keeps everything in 平陆县 (140829); the rows built here sit in 芮城县
(140830), so a county officer's region really excludes some rows, and a pending enterprise of
that county is hidden from everyone but its bureau.

Each domain binds its own kinds in ``tests/authz/visibility_<domain>.py`` (``VISIBILITY_PART``):
``SOURCES`` (a ``Source`` per kind it owns: its rows, and the columns its facts read),
``READ_PATHS`` (its read functions, ``tests/authz/read_paths.py``) and ``ROWS`` (functions adding
its objects to the second county, called in the order of the domains). This module builds what
they share and reads the gathered sources for both tests.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import SYSTEM, Actor, Role
from app.domains import Part
from app.models import Cooperative, Enterprise, Product, Township, Village
from app.models.enums import ProductStatus, RegistrationStatus
from app.permissions import Visibility
from tests.authz.world import World, build_world
from tests.factories import make_cooperative, make_enterprise, make_product, make_village

OTHER_COUNTY = "140830"

VISIBILITY_PART = Part("tests.authz.visibility_{domain}", ("SOURCES", "READ_PATHS", "ROWS"))


@dataclass(frozen=True)
class Source:
    """A kind's rows: ``select`` of their ids, joined so that ``columns`` (fact → column) read.

    ``lists`` is False for a kind read one object at a time through its predicate only: it has
    no list of its own, so no entry in ``READ_PATHS``.
    """

    kind: Visibility
    select: Callable[[], sa.Select]
    columns: Callable[[], dict]
    lists: bool = True


@dataclass(frozen=True)
class OtherCounty:
    """The second county's organisations and products, which the domains' ``ROWS`` build on."""

    village: Village
    outsider: Enterprise  # pending
    cooperative: Cooperative  # pending
    draft: Product
    listed: Product


@cache
def sources() -> dict[Visibility, Source]:
    """Every domain's sources, by kind; a kind bound twice is refused."""
    found: dict[Visibility, Source] = {}
    for source in VISIBILITY_PART.gather("SOURCES"):
        assert source.kind not in found, f"two domains bind the kind {source.kind.kind!r}"
        found[source.kind] = source
    return found


def read_paths() -> tuple:
    return VISIBILITY_PART.gather("READ_PATHS")


def facts_of(session: Session, kind: Visibility) -> dict:
    """Every row of ``kind``: its id → its facts."""
    source = sources()[kind]
    columns = source.columns()
    names = list(columns)
    query = source.select().add_columns(*(columns[name].label(f"f_{name}") for name in names))
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in session.execute(query)}


def allowed(session: Session, kind: Visibility, actor: Actor) -> set:
    """The ids the predicate lets ``actor`` see."""
    return {key for key, facts in facts_of(session, kind).items() if kind.allows(actor, **facts)}


def selected(session: Session, kind: Visibility, actor: Actor) -> set:
    """The ids the SQL filter lets ``actor`` see."""
    source = sources()[kind]
    query = source.select().where(kind.where(actor, **source.columns()))
    return set(session.execute(query).scalars())


def build_visibility_world(session: Session) -> World:
    """The authorization world, a second county's rows, and two actors the world lacks."""
    world = build_world(session)
    session.add(Township(code=f"{OTHER_COUNTY}100", name="古魏镇", county_code=OTHER_COUNTY))
    session.flush()
    far = make_village(
        session,
        code=f"{OTHER_COUNTY}100201",
        township_code=f"{OTHER_COUNTY}100",
        county_code=OTHER_COUNTY,
    )
    outsider = make_enterprise(
        session, county_code=OTHER_COUNTY, status=RegistrationStatus.pending, name="芮城待审企业"
    )
    make_enterprise(
        session,
        county_code=None,
        external_region="北京市",
        name="市外企业",
        status=RegistrationStatus.pending,
    )
    coop = make_cooperative(session, village=far, status=RegistrationStatus.pending)
    draft = make_product(session, cooperative=coop, name="芮城苹果")
    listed = make_product(session, cooperative=coop, name="芮城花椒", status=ProductStatus.listed)
    other = OtherCounty(far, outsider, coop, draft, listed)
    for add_rows in VISIBILITY_PART.gather("ROWS"):
        add_rows(session, world, other)
        session.flush()
    world.actors["system"] = SYSTEM
    world.actors["pending_enterprise"] = Actor(
        role=Role.enterprise, user_id=world.pending_user_id, name="待审"
    )
    return world
