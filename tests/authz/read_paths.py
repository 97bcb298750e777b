"""The shape of a read path (tests/test_read_paths.py) and the helpers the domains' paths share.

Each domain lists its read paths in ``tests/authz/visibility_<domain>.py`` (``READ_PATHS``); a
path may read a kind another domain owns (the pairing inbox's filings are region rows).
"""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Role
from app.errors import NotFoundError, PermissionDeniedError
from app.models import PairingAgreement, Village
from app.permissions import Visibility

BIG = 1000


@dataclass(frozen=True)
class ReadPath:
    name: str
    kind: Visibility
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


def ids(session: Session, select: sa.Select) -> set:
    return {row.id for row in session.execute(select).scalars()}


def page_ids(page) -> set:
    return {row.id for row in page.items}


def where(model, *conditions) -> Callable[[Session], set]:
    return lambda session: set(session.execute(sa.select(model.id).where(*conditions)).scalars())


def one_by_one(model, fetch: Callable) -> Callable:
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


def agreement_counties(session: Session, *conditions) -> dict:
    query = (
        sa.select(PairingAgreement.id, Village.county_code)
        .join(Village, Village.id == PairingAgreement.village_id)
        .where(*conditions)
    )
    return {key: {"county_code": county} for key, county in session.execute(query)}
