"""No read path filters rows on the actor's organisation or region by itself.

Which rows an actor may see is the kind's rule in app/permissions/visibility.py. Outside
``app/permissions`` a comparison with the actor's organisation or region (``actor.enterprise_id
== …``, ``… == actor.region_code``) is a second, ad-hoc definition — unless it selects the
actor's *own work*, which is not a question of visibility: the to-dos waiting for its role, its
management lists ("my products", "my demands"), the cooperative's own products among matches.
Those places are listed here by module and function; a new comparison anywhere else fails.
"""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
LINKS = {"enterprise_id", "cooperative_id", "village_id", "region_code"}
ACTOR_NAMES = {"actor", "a"}

OWN_WORK = {
    # The to-do kinds: what waits for this party to act (each domain's ``INBOX_KINDS``).
    ("services/pairing_domain.py", "<module>"),
    ("services/pairing_domain.py", "_overdue"),
    ("services/trade_domain.py", "<module>"),
    ("services/labour_domain.py", "<module>"),
    ("services/labour_domain.py", "_checks_due"),
    # The cooperative's and the buyer's own management lists, every status.
    ("services/products.py", "my_products"),
    ("services/demands.py", "my_demands"),
    # A cooperative answering a demand offers its own listed products only.
    ("services/matching.py", "suggest_products"),
    # The product page tells a buyer of its own organisation's agreement with the village.
    ("services/buying.py", "pairing_for_purchase"),
}


def _is_actor_link(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr in LINKS
        and isinstance(node.value, ast.Name)
        and node.value.id in ACTOR_NAMES
    )


def _comparisons(tree: ast.AST):
    """(function, line) of each ==/!= comparison that reads an actor's organisation or region."""

    def visit(node: ast.AST, function: str):
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            equality = isinstance(child, ast.Compare) and any(
                isinstance(op, ast.Eq | ast.NotEq) for op in child.ops
            )
            if equality and any(_is_actor_link(sub) for sub in ast.walk(child)):
                yield function, child.lineno
            yield from visit(child, inner)

    yield from visit(tree, "<module>")


def test_only_the_permission_rules_compare_the_actors_organisation_or_region():
    found = {}
    for path in sorted(APP.rglob("*.py")):
        module = path.relative_to(APP).as_posix()
        if module.startswith("permissions/"):
            continue
        for function, line in _comparisons(ast.parse(path.read_text(encoding="utf-8"))):
            found.setdefault((module, function), []).append(line)
    ad_hoc = {key: lines for key, lines in found.items() if key not in OWN_WORK}
    assert not ad_hoc, f"filters outside app/permissions/visibility.py: {ad_hoc}"
    # The list stays honest: each exception still exists.
    assert set(found) >= OWN_WORK


def test_the_scan_finds_an_ad_hoc_filter():
    source = "def f(actor):\n    return Order.buyer_id == (actor.enterprise_id or -1)\n"
    assert list(_comparisons(ast.parse(source))) == [("f", 2)]
