"""The shape of the GraphQL authorization paths (test_graphql_authorization.py) and helpers that
say whether a response reached the private thing."""

import base64
from collections.abc import Callable
from dataclasses import dataclass

from tests.authz.world import COUNTY_BUREAUS
from tests.graphql.graphql_world import GraphQLWorld

ADMIN_AND_COUNTY = COUNTY_BUREAUS | {"admin"}
ORGANISATION_STAFF = frozenset({"enterprise_a", "enterprise_b", "cooperative", "village"})
ALL_BUREAUS = COUNTY_BUREAUS | {"bureau_other_county"}
NODE = "query($id: ID!) { node(id: $id) { id } }"


def gid(name: str, key) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


@dataclass(frozen=True)
class ReadPath:
    name: str
    query: str
    variables: Callable[[GraphQLWorld], dict]
    # Whether the response shows the private thing (given the world, for ids in lists).
    reached: Callable[[dict, GraphQLWorld], bool]
    allowed: frozenset[str]


@dataclass(frozen=True)
class WritePath:
    name: str
    query: str
    variables: Callable[[GraphQLWorld, str], dict]
    allowed: frozenset[str]


def ids_of(connection: dict) -> set[str]:
    return {node["id"] for node in connection["nodes"]}


def value_at(data: dict, path: str):
    value = data
    for part in path.split("."):
        if value is None:
            return None
        value = value[part]
    return value


def in_connection(path: str, type_name: str, key: str) -> Callable[[dict, GraphQLWorld], bool]:
    """The object ``world.ids[key]`` is among the nodes of the connection at ``path``."""

    def check(data: dict, world: GraphQLWorld) -> bool:
        value = value_at(data, path)
        return value is not None and gid(type_name, world.ids[key]) in ids_of(value)

    return check


def in_list(path: str, type_name: str, key: str, *, id_path: str = "id"):
    """The object ``world.ids[key]`` is in the plain list at ``path`` (its id at ``id_path``)."""

    def check(data: dict, world: GraphQLWorld) -> bool:
        items = value_at(data, path) or []
        return gid(type_name, world.ids[key]) in {value_at(item, id_path) for item in items}

    return check


def present(path: str) -> Callable[[dict, GraphQLWorld], bool]:
    return lambda data, world: value_at(data, path) is not None


def non_empty(path: str) -> Callable[[dict, GraphQLWorld], bool]:
    return lambda data, world: bool(value_at(data, path))


def node_of(type_name: str, key: str):
    return lambda w: {"id": gid(type_name, w.ids[key])}
