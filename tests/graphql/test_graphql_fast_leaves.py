"""The short path for plain leaf fields (app/schema/execution.py) answers exactly what
graphql-core's own path answers: the same data, the same errors at the same paths."""

import enum

import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.schema.execution import LEAF, FastLeafExecutionContext, mark_plain_leaves
from app.schema.schema import create_schema


@strawberry.enum
class Colour(enum.Enum):
    red = "red"
    green = "green"


@strawberry.type
class Thing:
    name: str
    count: int | None
    colour: Colour

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


class Row:
    """What the API reads from: a plain object, like a database row."""

    def __init__(self, name, count, colour):
        self.name, self.count, self.colour = name, count, colour


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return [
            Row("甲", 3, Colour.red),
            Row("乙", None, Colour.green),
            Row(None, 1, Colour.red),  # breaks a non-null field
            Row("丁", "not a number", Colour.red),  # breaks the scalar
        ]


QUERY = "{ things { name count colour shout } }"


def _run(context_class) -> dict:
    schema = strawberry.Schema(query=Query, execution_context_class=context_class)
    if context_class is FastLeafExecutionContext:
        assert mark_plain_leaves(schema._schema) == 3  # name, count, colour; not shout
    result = schema.execute_sync(QUERY)
    return {
        "data": result.data,
        "errors": sorted((e.message, tuple(e.path)) for e in result.errors or ()),
    }


def test_the_short_path_answers_what_graphql_core_answers():
    fast, plain = _run(FastLeafExecutionContext), _run(StrawberryGraphQLCoreExecutionContext)
    assert fast == plain
    assert fast["data"]["things"][:2] == [
        {"name": "甲", "count": 3, "colour": "red", "shout": "甲"},
        {"name": "乙", "count": None, "colour": "green", "shout": "乙"},
    ]
    assert fast["data"]["things"][2] is None  # its non-null name was null
    assert fast["errors"] == [
        ("Cannot return null for non-nullable field Thing.name.", ("things", 2, "name")),
        ("Int cannot represent non-integer value: 'not a number'", ("things", 3, "count")),
    ]


def test_the_api_schema_marks_plain_leaves_and_leaves_resolvers_alone():
    fields = create_schema()._schema.type_map["Village"].fields
    assert LEAF in fields["name"].extensions
    assert LEAF not in fields["id"].extensions  # a global id, resolved by fast_resolvers
    assert LEAF not in fields["agreements"].extensions  # arguments, a connection
