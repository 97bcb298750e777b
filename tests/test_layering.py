"""The layers of ``app`` (docs/decisions/0026-composition-root-and-layers.md), read from the code.

Every import of every module under app/ (at module level and inside functions, ``import app.x``,
``from app.x import y``, ``from app import x``, and the module names given to ``import_module`` or
``strawberry.lazy``) is checked against the layers: a module may import its own layer and the
layers below, never a higher one; siblings marked independent (GraphQL and the pages, among
others) may not import each other. Packages form no circle, and each one imports on its own.
"""

import ast
import subprocess
import sys
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent.parent / "app"


@dataclass(frozen=True)
class Layer:
    name: str
    packages: tuple[str, ...]
    # Whether the packages of this layer may import each other (else they are independent).
    shared: bool = False


# Lowest first. A package is ``app`` itself or a top-level module or package under it.
LAYERS = (
    Layer(
        "base",
        (
            "app",
            "app.config",
            "app.errors",
            "app.actors",
            "app.identifiers",
            "app.money",
            "app.spreadsheets",
            "app.models",
            "app.labels",
            "app.db_errors",
            "app.db",
            "app.domains",
        ),
        shared=True,
    ),
    Layer("permissions", ("app.permissions",)),
    Layer("services", ("app.services",)),
    # Read the database through models and services, serve no request: search, demo data.
    Layer("service consumers", ("app.search", "app.seed")),
    # What both adapters know of an HTTP request.
    Layer("neutral", ("app.http",)),
    Layer("adapters", ("app.schema", "app.web")),
    # The composition root, the work it starts, what operators see of it (logs, metrics,
    # readiness), and the entry points.
    Layer(
        "root",
        (
            "app.asgi",
            "app.jobs",
            "app.observability",
            "app.backup",
            "app.cli",
            "app.cli_data",
            "app.deploy",
            "app.migrate",
            "app.__main__",
        ),
        shared=True,
    ),
)
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer.packages}


def package_of(module: str) -> str:
    """``app.web.pages`` -> ``app.web``; ``app`` stays ``app``."""
    return ".".join(module.split(".")[:2])


def violation(module: str, imported: str) -> str | None:
    """Why ``module`` may not import ``imported`` (both dotted names under ``app``), or None."""
    source, target = package_of(module), package_of(imported)
    for package in (source, target):
        if package not in RANK:
            return f"{package} belongs to no layer (add it to LAYERS in tests/test_layering.py)"
    if source == target:
        return None
    source_layer, target_layer = LAYERS[RANK[source]], LAYERS[RANK[target]]
    if RANK[source] < RANK[target]:
        return (
            f"{module} ({source_layer.name}) imports {imported} "
            f"from the higher layer {target_layer.name}"
        )
    if RANK[source] == RANK[target] and not source_layer.shared:
        return (
            f"{module} imports {imported}: {source} and {target} are independent "
            f"siblings in the layer {source_layer.name}"
        )
    return None


@dataclass(frozen=True)
class Import:
    module: str
    imported: str
    path: str
    line: int


DYNAMIC_IMPORTERS = {"import_module", "lazy"}


def imports_of(source: str, module: str, path: str = "<source>") -> list[Import]:
    """Every import of a module under ``app`` in ``source``, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "app":
                names = [f"app.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        elif isinstance(node, ast.Call) and _called_name(node.func) in DYNAMIC_IMPORTERS:
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names = [first.value]
        found.extend(
            Import(module, name, path, node.lineno)
            for name in names
            if name == "app" or name.startswith("app.")
        )
    return found


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def module_name(path: Path) -> str:
    parts = path.relative_to(APP_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_imports() -> list[Import]:
    found = []
    for path in sorted(APP_DIR.rglob("*.py")):
        relative = str(path.relative_to(APP_DIR.parent))
        found.extend(imports_of(path.read_text(encoding="utf-8"), module_name(path), relative))
    return found


def package_cycle(pairs) -> list[str] | None:
    """A circle between packages among (module, imported) pairs, or None."""
    graph: dict[str, set[str]] = {}
    for module, imported in pairs:
        source, target = package_of(module), package_of(imported)
        graph.setdefault(source, set())
        if source != target:
            graph[source].add(target)
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        return exc.args[1]
    return None


def top_level_packages() -> list[str]:
    return sorted({package_of(module_name(path)) for path in APP_DIR.rglob("*.py")})


def test_every_import_respects_the_layers():
    problems = [
        f"{found.path}:{found.line}: {problem}"
        for found in app_imports()
        if (problem := violation(found.module, found.imported))
    ]
    assert not problems, "imports against the layers:\n" + "\n".join(problems)


def test_every_package_has_a_layer_and_every_listed_package_exists():
    packages = set(top_level_packages())
    assert packages - RANK.keys() == set()
    assert RANK.keys() - packages == set()


def test_packages_import_each_other_without_a_circle():
    pairs = [(found.module, found.imported) for found in app_imports()]
    assert package_cycle(pairs) is None


# app.__main__ runs the command line when imported; app.cli is what it imports.
@pytest.mark.parametrize("package", [p for p in top_level_packages() if p != "app.__main__"])
def test_each_package_imports_on_its_own(package):
    """In a fresh interpreter, so that no earlier import hides a circle."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {package}"],
        cwd=APP_DIR.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("app.schema.view", "app.web.requests"),
        ("app.web.pages", "app.schema.context"),
        ("app.services.accounts", "app.schema.payloads"),
        ("app.services.accounts", "app.web.pages"),
        ("app.services.accounts", "app.http"),
        ("app.services.accounts", "app.search.outbox"),
        ("app.permissions.scopes", "app.services.accounts"),
        ("app.models.account", "app.services.accounts"),
        ("app.http", "app.web.requests"),
        ("app.search.outbox", "app.seed"),
        ("app.web.pages", "app.asgi"),
        ("app.schema.jobs", "app.jobs"),
        ("app.nowhere", "app.models"),
    ],
)
def test_the_checker_refuses_an_import_against_the_layers(module, imported):
    assert violation(module, imported) is not None


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("app.web.pages", "app.http"),
        ("app.schema.view", "app.http"),
        ("app.schema.view", "app.services.api_limits"),
        ("app.web.product_search", "app.search.products"),
        ("app.asgi", "app.web.routing"),
        ("app.asgi", "app.schema.view"),
        ("app.labels", "app.models.enums"),
        ("app.web.templating", "app"),
        ("app.web.pages", "app.web.forms"),
    ],
)
def test_the_checker_lets_an_import_down_the_layers_pass(module, imported):
    assert violation(module, imported) is None


def test_every_kind_of_import_is_read():
    source = (
        "import app.schema.view\n"
        "from app import web\n"
        "from app.services import accounts\n"
        "def handler():\n"
        "    from app.search.outbox import drain\n"
        "    return import_module('app.seed')\n"
        "Ref = strawberry.lazy('app.jobs')\n"
        "import os\n"
        "from pathlib import Path\n"
    )
    found = sorted((i.imported, i.line) for i in imports_of(source, "app.models.account"))
    assert found == [
        ("app.jobs", 7),
        ("app.schema.view", 1),
        ("app.search.outbox", 5),
        ("app.seed", 6),
        ("app.services", 3),
        ("app.web", 2),
    ]


def test_a_circle_between_packages_is_found():
    pairs = [
        ("app.services.a", "app.models"),
        ("app.models.b", "app.labels"),
        ("app.labels", "app.services.a"),
        ("app.web.c", "app.web.d"),
    ]
    cycle = package_cycle(pairs)
    assert cycle is not None
    assert set(cycle) == {"app.services", "app.models", "app.labels"}
    assert package_cycle([("app.web.c", "app.web.d"), ("app.web.d", "app.web.c")]) is None
