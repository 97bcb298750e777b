"""Fuzzing with hostile shapes: random variants of the generators in hostile_documents.py — and of
their combinations — sent to /graphql anonymously and as the city bureau. Whatever arrives: no
5xx, every error carries a code, nothing from inside the server, and whatever the project's checks
refuse is refused with one of their codes after work bounded by the document's size.
"""

import pytest
from graphql import GraphQLError, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.schema.document_checks import DocumentCheck
from app.schema.security import MAX_TOKENS
from tests.graphql import hostile_documents as hostile

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
OWN_CODES = {
    "fragment_name_duplicate",
    "fragment_cycle",
    "fragment_unused",
    "too_many_fragment_spreads",
    "query_too_deep",
    "too_many_aliases",
    "too_many_fields",
    "field_repeated",
}

LEAVES = st.sampled_from(
    [
        "__typename",
        "counties { code }",
        "me { username }",
        "a: __typename",
        "villages { totalCount }",
    ]
)
SHAPES = st.one_of(
    st.builds(hostile.chain, st.integers(2, 30), st.integers(2, 10), LEAVES),
    st.builds(hostile.fan_out, st.integers(2, 12), st.integers(2, 4)),
    st.builds(
        hostile.cycle,
        st.integers(1, 12),
        via=st.sampled_from(["spread", "inline", "alias"]),
        extra=st.integers(0, 4),
    ),
    st.builds(hostile.nested, st.integers(1, 250)),
    st.builds(hostile.nested_through_fragments, st.integers(1, 60), st.integers(1, 8)),
    st.builds(hostile.repeated, st.integers(1, 500), LEAVES),
    st.builds(hostile.repeated_below, st.integers(1, 30)),
    st.builds(hostile.aliases, st.integers(0, 40)),
    st.builds(hostile.operations, st.integers(1, 60)),
)


@st.composite
def documents(draw) -> str:
    """A hostile shape, sometimes with a second one's fragments renamed alongside."""
    document = draw(SHAPES)
    if draw(st.booleans()):
        other = draw(SHAPES)
        _, _, fragments = other.partition("} fragment ")
        if fragments:
            document += " fragment " + fragments.replace("F", "G")
    return document


def _check(response) -> list[str]:
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        return []
    codes = []
    for error in response.json().get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, error
        assert code != "internal_error", error
        codes.append(code)
    return codes


def _expected_own_code(document: str) -> tuple[str | None, int, int]:
    try:
        parsed = parse(document, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None, 0, 0
    check = DocumentCheck(parsed)
    error = check.run()
    return (error.extensions["code"] if error else None), check.visits, hostile.selections(document)


@pytest.mark.parametrize("actor", ["anonymous", "bureau_city"])
def test_hostile_variants_get_coded_answers_after_bounded_work(gql, actor):
    sent = 0

    @FUZZ
    @given(document=documents())
    def run(document: str) -> None:
        nonlocal sent
        sent += 1
        codes = _check(gql.post(document, actor=actor))
        own, visits, size = _expected_own_code(document)
        if own is not None:
            assert codes == [own]
            # a refused document cost a bounded multiple of its own size (never its expansion)
            assert visits <= 3 * size + 5_000

    run()
    assert sent == 60
