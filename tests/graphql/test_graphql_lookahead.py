"""What a connection's nodes select (app/schema/lookahead.py): through ``nodes`` or
``edges { node }``, fragments expanded, worked out once per field of the document."""

from dataclasses import dataclass, field

import strawberry

from app.schema.lookahead import node_fields


@dataclass
class Context:
    lookahead: dict = field(default_factory=dict)
    seen: list = field(default_factory=list)


@strawberry.type
class Item:
    a: int = 1
    b: int = 2
    c: int = 3


@strawberry.type
class Edge:
    node: Item


@strawberry.type
class Page:
    nodes: list[Item]
    edges: list[Edge]


def _page(info: strawberry.Info) -> Page:
    info.context.seen.append(node_fields(info))
    return Page(nodes=[Item()], edges=[Edge(node=Item())])


@strawberry.type
class Parent:
    name: str

    @strawberry.field
    def items(self, info: strawberry.Info) -> Page:
        return _page(info)


@strawberry.type
class Other:
    @strawberry.field
    def items(self, info: strawberry.Info) -> Page:
        return _page(info)


@strawberry.type
class Query:
    @strawberry.field
    def parents(self) -> list[Parent]:
        return [Parent(name="甲"), Parent(name="乙"), Parent(name="丙")]

    @strawberry.field
    def either(self) -> list[Parent | Other]:
        return [Parent(name="丁"), Other()]


SCHEMA = strawberry.Schema(query=Query)


def _seen(query: str) -> list[frozenset[str]]:
    context = Context()
    result = SCHEMA.execute_sync(query, context_value=context)
    assert result.errors is None, result.errors
    return context.seen


def test_the_fields_of_the_nodes_through_nodes_edges_and_fragments():
    query = """
        fragment more on Item { c }
        { parents { items { nodes { a } edges { node { ...more } } } } }
    """
    seen = _seen(query)
    assert seen == [frozenset({"a", "c"})] * 3


def test_inline_fragments_and_aliases_count_by_field_name():
    query = "{ parents { items { ... on Page { nodes { x: b } } } } }"
    assert set(_seen(query)) == {frozenset({"b"})}


def test_worked_out_once_per_field_of_the_document_each_branch_on_its_own():
    query = """{
        parents { items { nodes { a } } }
        again: parents { items { nodes { b } } }
        either {
            ... on Parent { items { nodes { a } } }
            ... on Other { items { nodes { c } } }
        }
    }"""
    context = Context()
    assert SCHEMA.execute_sync(query, context_value=context).errors is None
    assert context.seen == [frozenset({"a"})] * 3 + [frozenset({"b"})] * 3 + [
        frozenset({"a"}),
        frozenset({"c"}),
    ]
    assert len(context.lookahead) == 4  # parents, again, and either's two branches
