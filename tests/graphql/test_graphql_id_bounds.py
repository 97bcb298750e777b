"""Every GraphQL field taking an id, given ids no row can have (beyond 2^63 − 1, negative, zero):
"not found" (null, or a not_found error), never an internal error."""

import base64

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from app.errors import NotFoundError
from app.schema.execution import core_schema
from app.schema.node import _BY_NAME, parse_id, resolve_node
from app.schema.schema import create_schema

BAD_KEYS = [2**63, 2**64, 10**30, -1, 0]
SCALARS = {
    "String": "测试内容",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Money": "1.00",
    "Date": "2026-06-01",
    "DateTime": "2026-06-01T08:00:00+08:00",
    "JSON": {},
}
ACTORS = ["bureau_city", "cooperative", "enterprise_a", "admin"]


def gid(name: str, key: object) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


def value_for(kind, bad_id: str, *, depth: int = 0):
    """A well-formed value of input type ``kind`` with every ID in it set to ``bad_id``."""
    inner = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    if isinstance(inner, GraphQLList):
        return [value_for(inner.of_type, bad_id, depth=depth + 1)]
    if isinstance(inner, GraphQLScalarType):
        return bad_id if inner.name == "ID" else SCALARS[inner.name]
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    assert isinstance(inner, GraphQLInputObjectType)
    return {
        name: value_for(field.type, bad_id, depth=depth + 1)
        for name, field in inner.fields.items()
        if isinstance(field.type, GraphQLNonNull) or _mentions_id(field.type)
    }


def _mentions_id(kind) -> bool:
    named = get_named_type(kind)
    if isinstance(named, GraphQLScalarType):
        return named.name == "ID"
    if isinstance(named, GraphQLInputObjectType):
        return any(_mentions_id(f.type) for f in named.fields.values())
    return False


def operations_with_ids() -> list[tuple[str, str, str, dict]]:
    """(root, field, document, argument types) for each root field with an ID somewhere."""
    schema = core_schema(create_schema())
    found = []
    for root, kind in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        for name, field in kind.fields.items():
            used = {a: arg.type for a, arg in field.args.items() if _mentions_id(arg.type)}
            if not used:
                continue
            used |= {
                a: arg.type
                for a, arg in field.args.items()
                if isinstance(arg.type, GraphQLNonNull) and a not in used
            }
            variables = ", ".join(f"${a}: {t}" for a, t in used.items())
            arguments = ", ".join(f"{a}: ${a}" for a in used)
            named = get_named_type(field.type)
            selection = (
                ""
                if isinstance(named, GraphQLScalarType | GraphQLEnumType)
                else (" { __typename }")
            )
            document = f"{root}({variables}) {{ {name}({arguments}){selection} }}"
            found.append((root, name, document, used))
    return found


OPERATIONS = operations_with_ids()


def test_many_fields_take_ids():
    mutations = [name for root, name, _, _ in OPERATIONS if root == "mutation"]
    queries = [name for root, name, _, _ in OPERATIONS if root == "query"]
    assert len(mutations) >= 40
    assert len(queries) >= 15
    assert "node" in queries


@pytest.mark.parametrize("key", BAD_KEYS)
def test_every_field_taking_an_id_answers_not_found_for_ids_no_row_can_have(gql_writer, key):
    bad_id = gid("Village", key)
    for actor in ACTORS:
        for root, name, document, used in OPERATIONS:
            variables = {a: value_for(t, bad_id) for a, t in used.items()}
            body = gql_writer.run(document, variables, actor=actor)
            for error in body.get("errors") or []:
                code = (error.get("extensions") or {}).get("code")
                # A refusal with a code of its own (not found, invalid, denied), never a crash
                assert code not in (None, "internal_error"), (actor, name, error)
            payload = (body.get("data") or {}).get(name)
            if root == "mutation" and isinstance(payload, dict) and "errors" in payload:
                for error in payload["errors"] or []:
                    assert error["code"] != "internal_error", (actor, name, error)
                    assert error["message"], (actor, name, error)


@pytest.mark.parametrize("name", sorted(n for n, k in _BY_NAME.items() if k.key == "id"))
@pytest.mark.parametrize("key", [2**63, 2**64, 10**30])
def test_a_global_id_beyond_64_bits_is_not_found_for_every_kind(name, key):
    with pytest.raises(NotFoundError):
        parse_id(gid(name, key), name, field="id")


@pytest.mark.parametrize("name", sorted(n for n, k in _BY_NAME.items() if k.key == "id"))
@pytest.mark.parametrize("key", BAD_KEYS)
def test_node_answers_null_for_ids_no_row_can_have(gql, name, key):
    body = gql.run(
        "query($id: ID!) { node(id: $id) { __typename } }",
        {"id": gid(name, key)},
        actor="bureau_city",
    )
    assert body == {"data": {"node": None}}


@pytest.mark.parametrize("key", [2**31 - 1, 2**31, 2**63 - 1])
def test_ids_up_to_the_column_limit_and_past_it_are_null_in_one_batch(gql, key):
    # Given a real village and ids of the largest sizes, looked up in one batch
    real = gql.data("{ villages(first: 1) { nodes { id } } }", actor="bureau_city")
    real_id = real["villages"]["nodes"][0]["id"]
    body = gql.run(
        "query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }",
        {"a": real_id, "b": gid("Village", key)},
        actor="bureau_city",
    )
    # Then the far id is null and does not spoil its neighbour
    assert body == {"data": {"a": {"id": real_id}, "b": None}}


def test_an_int_argument_beyond_32_bits_is_a_clean_validation_error(gql):
    body = gql.run("{ villages(first: 9223372036854775808) { totalCount } }", actor="bureau_city")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] != "internal_error"
    assert "Int" in body["errors"][0]["message"]


assert resolve_node  # imported for its module's registrations
