"""A short path through graphql-core for plain leaf fields.

Most of what an API page resolves are leaves read straight off a row: a name, a status, an
amount. graphql-core treats each like any field — an ``Info`` object built by Strawberry,
argument parsing, an awaitable check, the completion dispatch (non-null? list? leaf?) — about
15 µs a field, and a page of 20 villages with their agreements has some 450 of them. For a field
Strawberry would resolve with ``getattr(row, python_name)`` (no resolver, no extensions, no
arguments) whose type is a scalar or an enum, ``execute_field`` here reads the attribute and
serializes it directly. Anything unusual — an exception, a null where the type says non-null, a
value the scalar cannot serialize — takes graphql-core's own path, which raises the located error
it always did; so does every other field.
"""

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

LEAF = "cunqi-leaf"


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
            if field.resolve is not None and not getattr(field.resolve, "_is_default", False):
                continue  # a resolver of ours (fast_resolvers) or Strawberry's with a purpose
            nullable = not isinstance(field.type, GraphQLNonNull)
            named = field.type if nullable else field.type.of_type
            if isinstance(named, GraphQLScalarType | GraphQLEnumType):
                field.extensions[LEAF] = (definition.python_name, named.serialize, nullable)
                marked += 1
    return marked


class FastLeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the short path for marked leaf fields."""

    def execute_field(self, parent_type, source, field_details_list, path, position_context) -> Any:
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        leaf = field_def.extensions.get(LEAF) if field_def is not None else None
        if leaf is not None and not node.arguments and self.middleware_manager is None:
            name, serialize, nullable = leaf
            try:
                value = getattr(source, name)
                if value is None:
                    if nullable:
                        return None
                else:
                    serialized = serialize(value)
                    if serialized is not None and serialized is not Undefined:
                        return serialized
            except Exception:  # graphql-core's path below reports it properly
                pass
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
