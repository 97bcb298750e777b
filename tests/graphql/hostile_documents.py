"""Hostile GraphQL documents that stay within the token limit, and what each must be refused with.

Each generator returns the document's text; ``expected_code`` says which of the project's checks
(app/schema/document_checks.py) refuses a fragment chain, worked out from its shape, not by
running the checks.
"""

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, parse

from app.schema.document_checks import MAX_FIELDS, MAX_REPEATS, MAX_SPREADS


def chain(n: int, k: int, leaf: str = "__typename") -> str:
    """Billion laughs: ``F0`` spreads ``F1`` k times, …, ``F(n-1)`` selects ``leaf``; ``{ ...F0 }``
    expands to k^(n-1) copies of ``leaf``."""
    fragments = []
    for i in range(n):
        body = " ".join([f"...F{i + 1}"] * k) if i < n - 1 else leaf
        fragments.append(f"fragment F{i} on Query {{ {body} }}")
    return "{ ...F0 } " + " ".join(fragments)


def chain_expected_code(n: int, k: int) -> str | None:
    """The code a ``chain(n, k)`` of one-field leaves is refused with, or None if accepted."""
    if (n - 1) * k + 1 > MAX_SPREADS:
        return "too_many_fragment_spreads"
    expanded = k ** (n - 1)
    if expanded > MAX_FIELDS:
        return "too_many_fields"
    if expanded > MAX_REPEATS:
        return "field_repeated"
    return None


def fan_out(n: int, width: int = 2) -> str:
    """Each fragment selects ``width`` differently named fields, each spreading the next fragment:
    no field is repeated anywhere, yet the document expands to width^n fields."""
    names = ["counties", "villages", "enterprises", "cooperatives", "products", "me"]
    fragments = []
    for i in range(n):
        inner = f"...F{i + 1}" if i < n - 1 else "__typename"
        body = " ".join(f"{names[j]} {{ {inner} }}" for j in range(width))
        fragments.append(f"fragment F{i} on Query {{ {body} }}")
    return "{ ...F0 } " + " ".join(fragments)


def cycle(length: int, *, via: str = "spread", extra: int = 0) -> str:
    """Fragments F0 → F1 → … → F(length-1) → F0, each spread reached ``via`` a plain spread, an
    inline fragment, or an aliased field; each fragment also spreads the next ``extra`` times
    more (an exponential expansion, were it expanded)."""
    fragments = []
    for i in range(length):
        target = f"F{(i + 1) % length}"
        spread = " ".join([f"...{target}"] * (1 + extra))
        body = {
            "spread": spread,
            "inline": f"... on Query {{ {spread} }}",
            "alias": f"a{i}: me {{ ... on Me {{ username }} }} ... on Query {{ {spread} }}",
        }[via]
        fragments.append(f"fragment F{i} on Query {{ __typename {body} }}")
    return "{ ...F0 } " + " ".join(fragments)


def nested(depth: int, field: str = "me") -> str:
    """``depth`` selection sets inside one another."""
    return "{ " + f"{field} {{ " * depth + "__typename" + " }" * depth + " }"


def nested_through_fragments(fragments: int, levels: int) -> str:
    """A chain of fragments, each nesting ``levels`` selection sets around the next spread."""
    parts = []
    for i in range(fragments):
        inner = f"...F{i + 1}" if i < fragments - 1 else "__typename"
        parts.append(
            f"fragment F{i} on Query {{ " + "me { " * levels + inner + " }" * levels + " }"
        )
    return "{ ...F0 } " + " ".join(parts)


def repeated(copies: int, field: str = "counties { code }") -> str:
    """The same field ``copies`` times in one selection (graphql-core compares every pair)."""
    return "{ " + " ".join([field] * copies) + " }"


def repeated_below(copies: int) -> str:
    """``copies`` copies of a field, each holding ``copies`` copies of another: one copy each at
    the top, copies² once execution merges them."""
    inner = " ".join(["code"] * copies)
    return "{ " + " ".join([f"counties {{ {inner} }}"] * copies) + " }"


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


def operations(count: int) -> str:
    return " ".join(f"query Q{i} {{ ...F }}" for i in range(count)) + (
        " fragment F on Query { counties { code } }"
    )


def selections(document: str) -> int:
    """How many selections (fields, spreads, inline fragments) the document's text holds."""
    count = 0
    stack = [d.selection_set for d in parse(document).definitions]
    while stack:
        for selection in stack.pop().selections:
            count += 1
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                stack.append(selection.selection_set)
            assert isinstance(selection, FieldNode | InlineFragmentNode | FragmentSpreadNode)
    return count
