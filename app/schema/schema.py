"""The schema: each domain's queries and mutations merged into ``Query`` and ``Mutation``.

A domain joins through its module ``app.schema.<domain>_operations`` (``QUERIES`` and
``MUTATIONS``, app/domains.py); fields appear in the order of ``DOMAINS``, after ``node``.
"""

from functools import cache

import strawberry
from graphql import GraphQLError, GraphQLObjectType, GraphQLSchema
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import get_object_definition
from strawberry.utils.logging import StrawberryLogger

from app.domains import Part
from app.schema import security
from app.schema.execution import LEAF, FastLeafExecutionContext, core_schema, mark_plain_leaves
from app.schema.node import NodeQueries, global_id
from app.schema.scalars import SCALAR_MAP

# What every domain contributes to the schema (app/domains.py).
SCHEMA_PART = Part("app.schema.{domain}_operations", ("QUERIES", "MUTATIONS"))
QUERIES = (NodeQueries, *SCHEMA_PART.gather("QUERIES"))
MUTATIONS = SCHEMA_PART.gather("MUTATIONS")

Query = merge_types("Query", QUERIES)
get_object_definition(
    Query, strict=True
).description = "查询：村企通的全部公开数据，以及您有权查看的数据"
Mutation = merge_types("Mutation", MUTATIONS)
get_object_definition(
    Mutation, strict=True
).description = "操作：每个操作返回 { 对象, errors }；业务错误在 errors 中，不会作为顶层错误"


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        """Log what failed inside the server; a client's own mistakes are its answer, not news."""
        for error in errors:
            if security.should_mask_error(error):
                StrawberryLogger.error(error, execution_context)


@cache
def create_schema(*, introspection: bool = True) -> Schema:
    """The schema, with introspection (and field suggestions) on or off; built once per flag."""
    schema = Schema(
        query=Query,
        mutation=Mutation,
        extensions=security.extensions(introspection=introspection),
        config=StrawberryConfig(scalar_map=SCALAR_MAP, disable_field_suggestions=not introspection),
        execution_context_class=FastLeafExecutionContext,
    )
    fast_resolvers(core_schema(schema))
    mark_plain_leaves(core_schema(schema))
    return schema


# Modules whose argument-free resolvers use nothing of ``info`` but ``info.context``.
FAST_MODULES = frozenset(
    f"app.schema.{name}"
    for name in (
        "accounts",
        "organisations",
        "pagination",
        "pairing",
        "recommendations",
        "regions",
        "trade",
        "trade_bureau",
    )
)


def fast_resolvers(schema: GraphQLSchema) -> None:
    """Let graphql-core call the hot resolvers itself.

    Strawberry wraps every resolver (argument conversion, an Info object of its own): about
    20 µs a call, and a page of 100 agreements resolves several hundred of them (bench/README.md).
    A node's ``id`` needs only its row; a resolver without arguments from ``FAST_MODULES`` needs
    only the row and ``info.context``, which graphql-core's own info carries as well.
    """
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            if name == "id" and any(i.name == "Node" for i in type_.interfaces):
                field.resolve = _resolve_id
                # Non-null ID, read by the short path for leaves (app/schema/execution.py).
                field.extensions[LEAF] = (global_id, field.type.of_type.serialize, False)
                continue
            definition = (field.extensions or {}).get("strawberry-definition")
            resolver = getattr(definition, "base_resolver", None)
            if resolver is None or resolver.arguments or definition.extensions:
                continue
            function = resolver.wrapped_func
            direct = _direct(function, resolver.signature.parameters)
            if direct is not None and getattr(function, "__module__", None) in FAST_MODULES:
                field.resolve = direct


def _direct(function, parameters):
    """``function`` called as graphql-core calls a resolver, for the signatures used here."""
    takes = tuple(parameters)
    if takes == ("self", "root", "info"):
        return lambda root, info: function(None, root, info)
    if takes == ("self", "root"):
        return lambda root, info: function(None, root)
    if takes == ("self", "info"):
        return lambda root, info: function(root, info)
    if takes == ("self",):
        return lambda root, info: function(root)
    return None


def _resolve_id(root, _info) -> str:
    return global_id(root)


def sdl() -> str:
    """The schema in SDL, as kept in schema.graphql at the repository root."""
    return create_schema().as_str() + "\n"
