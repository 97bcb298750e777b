"""The short path for plain leaf fields (app/schema/execution.py) answers exactly what
graphql-core's own path answers: the same data, the same errors at the same paths."""

import enum

import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.schema.execution import LEAF, FastLeafExecutionContext, core_schema, mark_plain_leaves
from app.schema.node import global_id
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
        assert mark_plain_leaves(core_schema(schema)) == 3  # name, count, colour; not shout
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
    fields = core_schema(create_schema()).type_map["Village"].fields
    assert LEAF in fields["name"].extensions
    read, _serialize, nullable = fields["id"].extensions[LEAF]  # a node's global id
    assert read is global_id and nullable is False
    assert LEAF not in fields["agreements"].extensions  # arguments, a connection


def test_the_short_path_is_taken(monkeypatch):
    """Only what the short path cannot answer reaches graphql-core's own ``execute_field``:
    the resolvers and the two broken values. (Strawberry always passes a field-middleware
    manager, empty unless an extension resolves fields; an empty one must not disable it.)"""
    generic: list[str] = []
    standard = StrawberryGraphQLCoreExecutionContext.execute_field

    def counting(self, parent_type, source, field_details_list, path, position_context):
        generic.append(field_details_list[0].node.name.value)
        return standard(self, parent_type, source, field_details_list, path, position_context)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counting)
    _run(FastLeafExecutionContext)
    # The third row fails at its non-null name, so its shout is never asked for.
    assert sorted(generic) == ["count", "name", "shout", "shout", "shout", "things"]


def test_awaitability_is_decided_by_type_except_for_generators():
    import asyncio
    import types

    from app.models import Village
    from app.schema.execution import is_awaitable

    async def coroutine():
        return 1

    @types.coroutine
    def marked():
        yield

    def plain():
        yield

    running = coroutine()
    loop = asyncio.new_event_loop()
    try:
        assert is_awaitable(running) and is_awaitable(loop.create_future())
    finally:
        running.close()
        loop.close()
    assert is_awaitable(marked()) and not is_awaitable(plain())
    assert not is_awaitable(Village(code="1", name="村")) and not is_awaitable(Village)
    assert not any(is_awaitable(value) for value in (None, 1, "a", [], {}))
