"""Refusing is cheap: hostile documents within the token limit are refused with a code, after work
that grows with the document, never with what its fragments expand to (counted, not timed).

The checks are app/schema/document_checks.py (before graphql-core's rules) and the node budget in
app/schema/security.py (before execution); generators are in tests/graphql/hostile_documents.py.
"""

import pytest
from graphql import FragmentDefinitionNode, OverlappingFieldsCanBeMergedRule, parse, validate
from graphql.validation.rules import overlapping_fields_can_be_merged as overlapping

from app.schema import security
from app.schema.document_checks import MAX_FIELDS, DocumentCheck
from app.schema.execution import core_schema
from app.schema.schema import create_schema
from tests.authz.world import ACTORS
from tests.graphql import hostile_documents as hostile


def _checked(document: str) -> tuple[str | None, DocumentCheck]:
    check = DocumentCheck(parse(document))
    error = check.run()
    return (error.extensions["code"] if error else None), check


def _codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


# Work grows with the document ---------------------------------------------------------------


@pytest.mark.parametrize("k", range(2, 11))
@pytest.mark.parametrize("n", range(2, 31))
def test_fragment_chains_are_refused_after_work_linear_in_the_document(n, k):
    # given F0 spreading F1 k times, …, 2 to 30 fragments deep: k^(n-1) fields once expanded
    document = hostile.chain(n, k)
    # when checked
    code, check = _checked(document)
    # then the right check refuses it, having visited each selection a bounded number of times
    assert code == hostile.chain_expected_code(n, k)
    size = hostile.selections(document)
    assert size == (n - 1) * k + 2
    assert check.visits <= 3 * size  # while expanding would visit k^(n-1) fields


@pytest.mark.parametrize("width", [2, 3, 4])
@pytest.mark.parametrize("n", range(2, 10))
def test_fan_outs_are_counted_not_expanded(n, width):
    # given fragments whose fields all differ, so that only the expanded size can refuse them
    document = hostile.fan_out(n, width)
    code, check = _checked(document)
    fields = sum(width**i for i in range(1, n + 1))  # each level's fields, times the ones above
    size = hostile.selections(document)
    if fields > MAX_FIELDS:
        # then a document too large once expanded is refused after one walk of its text
        assert code == "too_many_fields"
        assert check.visits == size
    else:
        # and one within the limit is summarised once per fragment: work bounded by its size
        assert code is None
        assert check.visits <= size + 5 * fields


@pytest.mark.parametrize("extra", [0, 1, 3])
@pytest.mark.parametrize("via", ["spread", "inline", "alias"])
@pytest.mark.parametrize("length", [1, 2, 3, 7, 9])
def test_cycles_are_refused_before_anything_is_expanded(length, via, extra):
    document = hostile.cycle(length, via=via, extra=extra)
    code, check = _checked(document)
    assert code == "fragment_cycle"
    # then one walk of each definition's own selections, and nothing more
    assert check.visits == hostile.selections(document)


def test_the_cycle_is_named_in_the_message():
    error = DocumentCheck(parse(hostile.cycle(3))).run()
    assert error.message == "片段不能循环引用：F0 → F1 → F2 → F0"


@pytest.mark.parametrize("n", [3, 6, 10])
def test_the_node_budget_weighs_each_fragment_once(n):
    # given a chain that no validation stopped (the budget is computed before execution)
    k = 3
    document = parse(hostile.chain(n, k, leaf="counties { code }"))
    schema = core_schema(create_schema())
    operation = document.definitions[0]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = security._Budget(schema, fragments, {}, {})
    total = walker.weight(schema.query_type, operation.selection_set)
    # then the weight is the expanded one (20 per list of counties), the work the document's
    assert total == 20 * k ** (n - 1)
    assert walker.visits == hostile.selections(hostile.chain(n, k, leaf="counties { code }"))


# Refused before graphql-core's rules --------------------------------------------------------


@pytest.fixture
def overlap_rules_run(monkeypatch) -> list:
    """Each time graphql-core's pairwise field comparison starts on a document."""
    started = []
    original = OverlappingFieldsCanBeMergedRule.__init__

    def counted(self, context):
        started.append(context.document)
        original(self, context)

    monkeypatch.setattr(OverlappingFieldsCanBeMergedRule, "__init__", counted)
    return started


HOSTILE = {
    "chain": (hostile.chain(8, 3), "too_many_fields"),
    "chain_of_spreads": (hostile.chain(30, 10), "too_many_fragment_spreads"),
    "fan_out": (hostile.fan_out(10), "too_many_fields"),
    "cycle": (hostile.cycle(5, via="inline", extra=2), "fragment_cycle"),
    "self_spread": (hostile.cycle(1), "fragment_cycle"),
    "repeated": (hostile.repeated(499), "field_repeated"),
    "repeated_below": (hostile.repeated_below(11), "field_repeated"),
    "aliases": (hostile.aliases(21), "too_many_aliases"),
    "deep": (hostile.nested(13), "query_too_deep"),
    "deep_through_fragments": (hostile.nested_through_fragments(20, 5), "query_too_deep"),
    "operations": (hostile.operations(41), "too_many_fragment_spreads"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_refused_documents_never_reach_graphql_cores_rules(gql, overlap_rules_run, name):
    document, code = HOSTILE[name]
    body = gql.run(document)
    assert body["data"] is None
    assert _codes(body) == [code]
    assert overlap_rules_run == []
    # a document the checks let through does reach them (so the spy is wired)
    assert "errors" not in gql.run(f"{{ counties {{ code }} {name}: counties {{ name }} }}")
    assert len(overlap_rules_run) == 1


def _comparisons(document: str, monkeypatch) -> int:
    """The work graphql-core's pairwise field comparison spends on ``document`` (its own units)."""
    spent = 0
    real = overlapping.spend_complexity_budget

    def counted(context, cost):
        nonlocal spent
        spent += cost
        real(context, cost)

    monkeypatch.setattr(overlapping, "spend_complexity_budget", counted)
    validate(core_schema(create_schema()), parse(document), [OverlappingFieldsCanBeMergedRule])
    monkeypatch.setattr(overlapping, "spend_complexity_budget", real)
    return spent


def test_repeated_fields_are_capped_where_graphql_cores_work_turns_quadratic(monkeypatch):
    # given the same field 499 times (1,998 tokens): graphql-core compares every pair
    assert _comparisons(hostile.repeated(499), monkeypatch) >= 499 * 498 // 2
    assert _checked(hostile.repeated(499))[0] == "field_repeated"
    # the most repeats allowed, and a field repeated below repeats, cost it a few hundred
    assert _checked(hostile.repeated(10))[0] is None
    assert _comparisons(hostile.repeated(10), monkeypatch) < 500
    assert _checked(hostile.repeated_below(3))[0] is None
    assert _comparisons(hostile.repeated_below(3), monkeypatch) < 500
    assert _checked(hostile.repeated_below(4))[0] == "field_repeated"  # 16 ``code`` once merged


# Over HTTP, for every actor -----------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("actor", ACTORS)
def test_every_actor_gets_the_same_coded_refusal(gql, actor, name):
    document, code = HOSTILE[name]
    response = gql.post(document, actor=actor)
    assert response.status_code == 200
    assert response.json() == {"data": None, "errors": response.json()["errors"]}
    assert _codes(response.json()) == [code]


@pytest.mark.parametrize(
    "document",
    [
        hostile.nested(199),  # the parser's own limit is 200 nested selection sets
        hostile.nested(201),
        hostile.nested(600),
        "{ villages(after: " + "[" * 900 + "]" * 900 + ") { totalCount } }",
        "{ villages(filter: " + "{a: " * 600 + "1" + "}" * 600 + ") { totalCount } }",
        "{ " + "... on Query { " * 300 + "__typename" + " }" * 300 + " }",
        hostile.nested_through_fragments(90, 5),
    ],
    ids=["nested-199", "nested-201", "nested-600", "lists", "objects", "inline", "fragments"],
)
def test_deep_nesting_is_a_coded_error_not_a_recursion_error(gql, document):
    response = gql.post(document, actor="bureau_city")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    codes = _codes(body)
    assert codes and "internal_error" not in codes
    assert set(codes) <= {
        "graphql_parse_failed",
        "too_many_tokens",
        "query_too_deep",
        "too_many_fragment_spreads",
        "graphql_validation_failed",
    }


@pytest.mark.parametrize(
    "body",
    [
        '{"query": "query($f: String) { villages(after: $f) { totalCount } }", "variables": {"f": '
        + "[" * depth
        + "]" * depth
        + "}}"
        for depth in (999, 5_000, 100_000)
    ]
    + [
        '{"query": "query($n: Int) { villages(first: $n) { totalCount } }", "variables": {"n": 9'
        + "9" * 5_000
        + "}}"
    ],
    ids=["json-999", "json-5000", "json-100000", "digits-5000"],
)
def test_bodies_json_cannot_decode_are_a_400_not_a_500(gql, body):
    response = gql.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.text == "Unable to parse request body as JSON"
    else:
        assert _codes(response.json()) == ["graphql_validation_failed"]


@pytest.mark.parametrize("first", [-1, 101, 10**6, 2**31, 10**40])
@pytest.mark.parametrize("through", ["operation", "fragment"])
def test_huge_first_through_variables_is_refused_before_execution(gql, first, through):
    selection = "villages(first: $n) { nodes { agreements(first: $n) { totalCount } } }"
    if through == "fragment":
        document = f"query($n: Int) {{ ...V }} fragment V on Query {{ {selection} }}"
    else:
        document = f"query($n: Int) {{ {selection} }}"
    body = gql.run(document, {"n": first}, actor="bureau_city")
    assert body == {
        "data": None,
        "errors": [
            {
                "message": f"first 应在 0 到 100 之间（收到 {first}）",
                "locations": [{"line": 1, "column": document.index("villages") + 1}],
                "extensions": {"code": "page_size_invalid"},
            }
        ],
    }
