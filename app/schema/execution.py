"""A short path through graphql-core for plain leaf fields.

Most of what an API page resolves are leaves read straight off a row: a name, a status, an
amount, a global id. graphql-core treats each like any field — a ``Path``, an ``Info`` object
built by Strawberry, argument parsing, an awaitable check, the completion dispatch (non-null?
list? leaf?) — about 15 µs a field, and a page of 20 villages with their agreements has some
600 of them. For a field Strawberry would resolve with ``getattr(row, python_name)`` (no
resolver, no extensions, no arguments) whose type is a scalar or an enum, and for a node's
``id``, ``execute_fields`` here reads the value and serializes it in its own loop. Anything
unusual — an exception, a null where the type says non-null, a value the scalar cannot
serialize, field middleware — takes graphql-core's own path, which raises the located error it
always did; so does every other field.

``execute_fields`` is graphql-core's own (private) method with the leaf path added, and the
graphql-core schema is read from Strawberry's private ``_schema``: both dependencies are pinned
exactly, and tests/test_dependency_pins.py fails when either changes
(docs/decisions/0021-dependency-internals.md).
"""

from inspect import CO_ITERABLE_COROUTINE
from operator import attrgetter
from types import CoroutineType, GeneratorType
from typing import Any

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)
from graphql.pyutils import Path, gather_with_cancel
from strawberry.resolvers import is_default_resolver
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

LEAF = "cunqi-leaf"


def core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry executes: Strawberry has no public name for it."""
    return schema._schema


def mark_plain_leaves(schema: GraphQLSchema) -> int:
    """Mark every plain leaf field of ``schema`` for ``FastLeafExecutionContext``; how many."""
    marked = 0
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for field in type_.fields.values():
            definition = (field.extensions or {}).get("strawberry-definition")
            if definition is None or not definition.is_basic_field or field.args:
                continue
            if field.resolve is not None and not is_default_resolver(field.resolve):
                continue  # a resolver of ours (fast_resolvers) or Strawberry's with a purpose
            nullable = not isinstance(field.type, GraphQLNonNull)
            named = field.type if nullable else field.type.of_type
            if isinstance(named, GraphQLScalarType | GraphQLEnumType):
                read = attrgetter(definition.python_name)
                field.extensions[LEAF] = (read, named.serialize, nullable)
                marked += 1
    return marked


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the short path for marked leaf fields."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.is_awaitable = is_awaitable

    def execute_fields(self, parent_type, source_value, path, grouped_field_set, position_context):
        """graphql-core's ``execute_fields``, with marked leaves answered in the loop."""
        plan = self._plan(parent_type, grouped_field_set)
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for response_name, field_details_list, leaf in plan:
                if leaf is not None:
                    read, serialize, nullable = leaf
                    try:
                        value = read(source_value)
                        if value is None:
                            if nullable:
                                results[response_name] = None
                                continue
                        else:
                            serialized = serialize(value)
                            if serialized is not None and serialized is not Undefined:
                                results[response_name] = serialized
                                continue
                    except Exception:  # graphql-core's path below reports it properly
                        pass
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:  # settle what other fields started, as graphql-core does
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                name = awaitable_fields[0]
                results[name] = await results[name]
            else:
                awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _plan(self, parent_type, grouped_field_set) -> list[tuple]:
        """(response name, field details, leaf or None) per field of a grouped field set.

        graphql-core memoizes grouped field sets for the whole execution, so the plan is worked
        out once per selection (not once per row) and kept beside the set it describes.
        """
        plans = self.__dict__.setdefault("_leaf_plans", {})
        found = plans.get(id(grouped_field_set))
        if found is not None:
            return found[1]
        middleware = _has_middleware(self)
        plan = []
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field_def = self.schema.get_field(parent_type, node.name.value)
            leaf = field_def.extensions.get(LEAF) if field_def is not None else None
            usable = leaf is not None and not node.arguments and not middleware
            plan.append((response_name, field_details_list, leaf if usable else None))
        plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan


_AWAITABLE_TYPES: dict[type, bool] = {}


def is_awaitable(value: Any) -> bool:
    """Whether ``await value`` works, decided once per type (``await`` looks ``__await__`` up on
    the type): graphql-core and Strawberry ask ``hasattr(value, "__await__")`` of every result,
    and on a SQLModel row that goes through pydantic's ``__getattr__`` and an AttributeError,
    a couple of µs each, for every row an operation returns. A generator is awaitable only when
    ``types.coroutine`` marked its code, so it is asked each time."""
    kind = type(value)
    known = _AWAITABLE_TYPES.get(kind)
    if known is not None:
        return known
    if kind is GeneratorType:
        return bool(value.gi_code.co_flags & CO_ITERABLE_COROUTINE)
    known = _AWAITABLE_TYPES[kind] = kind is CoroutineType or hasattr(kind, "__await__")
    return known


def _has_middleware(context) -> bool:
    """Whether field middleware wraps resolvers: Strawberry always passes a manager, empty unless
    an extension resolves fields itself."""
    manager = context.middleware_manager
    return manager is not None and bool(manager.middlewares)
