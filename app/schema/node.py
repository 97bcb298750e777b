"""Global object identifiers and the ``Node`` interface behind ``node(id)``.

A global id is base64 of ``"<GraphQL type>:<key>"`` (Relay's convention). Each node type registers
how to fetch one object *as the reader may see it*: ``node(id)`` answers null both for an object
that does not exist and for one the reader may not see, so ids reveal nothing.
"""

import base64
import binascii
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
import strawberry
from sqlmodel import SQLModel
from strawberry.types import get_object_definition

from app.errors import NotFoundError, ValidationError
from app.schema.context import Context, Info
from app.services.inputs import MAX_ID

# A type name and a 19-digit key come nowhere near this; longer ids are not decoded at all.
MAX_ID_LENGTH = 200
Resolve = Callable[[Context, Any], Awaitable[SQLModel | None]]
IdArgument = Annotated[strawberry.ID, strawberry.argument(description="全局编号")]


@dataclass(frozen=True, slots=True)
class NodeKind:
    name: str
    model: type[SQLModel]
    resolve: Resolve
    key: str
    parse: Callable[[str], Hashable]


_BY_NAME: dict[str, NodeKind] = {}
_BY_MODEL: dict[type, NodeKind] = {}


def register(
    name: str,
    model: type[SQLModel],
    resolve: Resolve,
    *,
    key: str = "id",
    parse: Callable[[str], Hashable] | None = None,
    canonical: bool = True,
) -> None:
    """Make ``model`` rows reachable as GraphQL type ``name`` through ``node(id)``.

    A second view of the same rows (``canonical=False``, such as ``ManagedUser`` beside
    ``Registration``) only has its ids decoded; the rows' own ids stay the canonical type's."""
    kind = NodeKind(
        name=name, model=model, resolve=resolve, key=key, parse=parse or _row_key_of(model, key)
    )
    _BY_NAME[name] = kind
    if canonical:
        _BY_MODEL[model] = kind


def is_type_of(model: type[SQLModel]):
    """An ``is_type_of`` for a type whose resolvers return ``model`` rows."""

    def check(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, model)

    return classmethod(check)


def global_id(obj: SQLModel) -> str:
    kind = _BY_MODEL[type(obj)]
    raw = f"{kind.name}:{getattr(obj, kind.key)}"
    return base64.b64encode(raw.encode()).decode()


def global_id_of(name: str, key: Hashable) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


class OutOfRange(ValueError):
    """A well-formed global id whose key no row can have."""


def _row_key_of(model: type[SQLModel], key: str) -> Callable[[str], int]:
    # A 32-bit primary key on PostgreSQL cannot hold more; a batched lookup casting a larger
    # number to its type would fail for every id in the batch.
    column = model.__table__.c[key]
    largest = MAX_ID if isinstance(column.type, sa.BigInteger) else 2**31 - 1
    return lambda raw: row_key(raw, largest=largest)


def row_key(raw: str, *, largest: int = MAX_ID) -> int:
    """A row id inside a global id: digits only, 1..``largest`` (a larger number names no row and
    would overflow the database's integer)."""
    if raw.startswith("-") and raw[1:].isascii() and raw[1:].isdigit():
        raise OutOfRange(raw)
    if not raw.isascii() or not raw.isdigit():
        raise ValueError(raw)
    if len(raw) > 19 or not 0 < (key := int(raw)) <= largest:
        raise OutOfRange(raw)
    return key


def _decode(value: str) -> tuple[NodeKind, Hashable] | OutOfRange | None:
    """The kind and key of a global id; OutOfRange for a key no row can have; None if malformed."""
    if len(value) > MAX_ID_LENGTH:
        return None
    try:
        name, _, raw = base64.b64decode(value.encode(), validate=True).decode().partition(":")
        kind = _BY_NAME[name]
        return kind, kind.parse(raw)
    except OutOfRange as exc:
        return exc
    except (binascii.Error, UnicodeError, KeyError, ValueError):
        return None


def decode_id(value: str) -> tuple[str, Hashable] | None:
    """The GraphQL type name and key inside a global id, or None when it is not one; a
    well-formed id whose key no row can have is not found."""
    decoded = _decode(value)
    if isinstance(decoded, OutOfRange):
        raise NotFoundError("记录不存在")
    return (decoded[0].name, decoded[1]) if decoded is not None else None


def parse_id(value: str, expected: str, *, field: str) -> Hashable:
    """The key inside a global id of type ``expected``; a ValidationError for anything else."""
    decoded = _decode(value)
    if isinstance(decoded, OutOfRange):
        raise NotFoundError("记录不存在", field=field)
    if decoded is None or decoded[0].name != expected:
        raise ValidationError("编号无效，请使用查询结果中的 id", code="invalid_id", field=field)
    return decoded[1]


async def resolve_node(context: Context, value: str) -> SQLModel | None:
    decoded = _decode(value)
    if decoded is None or isinstance(decoded, OutOfRange):
        return None
    kind, key = decoded
    return await kind.resolve(context, key)


@strawberry.interface(description="可按全局编号重新获取的对象（Relay 节点）")
class Node:
    @strawberry.field(description="全局编号：不透明的字符串，可传给 node(id) 重新获取这个对象")
    def id(self, root: SQLModel) -> strawberry.ID:
        return strawberry.ID(global_id(root))


@strawberry.type
class NodeQueries:
    @strawberry.field(description="按全局编号获取任何对象；不存在或无权查看时为空")
    async def node(self, info: Info, id: IdArgument) -> Node | None:
        return await resolve_node(info.context, id)


def node_field(of: type, label: str) -> Any:
    """``(id: ID!) -> of``: one object of a registered node type by its global id, as ``node(id)``
    would give it; ``label`` names the kind in the description."""
    name = get_object_definition(of, strict=True).name

    async def resolver(info: Info, id: IdArgument) -> of | None:
        return await _BY_NAME[name].resolve(info.context, parse_id(id, name, field="id"))

    return strawberry.field(
        resolver=resolver, description=f"按全局编号查一个{label}；不存在或无权查看时为空"
    )
