"""Dependencies whose private internals the code relies on are pinned to an exact version, and
these tests fail loudly when the installed version (or the copied library code) changes, so an
upgrade forces a re-check of each use listed in docs/decisions/0021-dependency-internals.md."""

import hashlib
import inspect
import tomllib
from importlib import metadata
from pathlib import Path

import strawberry
from graphql import GraphQLSchema
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from whoosh import columns
from whoosh import index as whoosh_index
from whoosh.fields import COLUMN, ID, Schema

from app.schema.execution import FastLeafExecutionContext, core_schema
from app.search import bits

ROOT = Path(__file__).resolve().parents[1]
RECORD = "docs/decisions/0021-dependency-internals.md"

# What each pin guards (the record has the details).
PINNED = {
    "strawberry-graphql": "Schema._schema (app/schema/execution.py: core_schema)",
    "graphql-core": "execute_fields copied into app/schema/execution.py",
    "whoosh3": "bulk postings and columns (app/search/bits.py)",
}

# graphql-core's execute_fields as app/schema/execution.py copied it. When this changes, compare
# the new source with FastLeafExecutionContext.execute_fields, carry the change over, and only
# then record the new hash and move the pin.
EXECUTE_FIELDS = "graphql.execution.executor.Executor.execute_fields"
EXECUTE_FIELDS_SHA256 = "797f54fbd779b4e381b688bce8e249abffa2e057974676e5f5ef3cefc0ff654c"


def _exact_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = {}
    for requirement in project["dependencies"]:
        name, separator, version = requirement.partition("==")
        if separator:
            pins[name.split("[")[0].strip()] = version.strip()
    return pins


def test_the_dependencies_whose_internals_are_used_are_pinned_exactly():
    assert set(_exact_pins()) == set(PINNED), f"a pin was added or dropped: update {RECORD}"


def test_the_installed_versions_are_the_pinned_ones():
    for name, version in _exact_pins().items():
        installed = metadata.version(name)
        assert installed == version, (
            f"{name} {installed} is installed but {version} is pinned; it guards {PINNED[name]}. "
            f"Re-check that use ({RECORD}) before moving the pin."
        )


def _overridden(cls: type, name: str):
    """The library's method that ``cls.<name>`` replaces."""
    for base in cls.__mro__[1:]:
        if name in vars(base):
            return vars(base)[name]
    raise AssertionError(f"no base of {cls.__name__} defines {name}: the override does nothing")


def test_the_copied_execute_fields_is_still_graphql_cores():
    original = _overridden(FastLeafExecutionContext, "execute_fields")
    assert f"{original.__module__}.{original.__qualname__}" == EXECUTE_FIELDS
    digest = hashlib.sha256(inspect.getsource(original).encode()).hexdigest()
    assert digest == EXECUTE_FIELDS_SHA256, (
        f"graphql-core's execute_fields changed: carry the change into "
        f"app/schema/execution.py (FastLeafExecutionContext.execute_fields), then record the new "
        f"hash here ({RECORD})"
    )
    ours = inspect.signature(FastLeafExecutionContext.execute_fields)
    assert list(ours.parameters) == list(inspect.signature(original).parameters)


def test_core_schema_is_the_schema_strawberry_executes():
    seen: list[GraphQLSchema] = []

    class Recording(StrawberryGraphQLCoreExecutionContext):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            seen.append(self.schema)  # graphql-core's public attribute

    @strawberry.type
    class Query:
        @strawberry.field
        def hello(self) -> str:
            return "你好"

    schema = strawberry.Schema(query=Query, execution_context_class=Recording)
    assert schema.execute_sync("{ hello }").data == {"hello": "你好"}
    assert isinstance(core_schema(schema), GraphQLSchema)
    assert seen == [core_schema(schema)]


def _index(tmp_path, documents: int):
    schema = Schema(
        id=ID(unique=True), word=ID, price=COLUMN(columns.NumericColumn("q", default=0))
    )
    index = whoosh_index.create_in(tmp_path, schema)
    with index.writer() as writer:
        for n in range(documents):
            writer.add_document(id=str(n), word="偶" if n % 2 == 0 else "奇", price=n * 7 - 100)
    return index


def test_whoosh_bulk_reads_take_the_fast_path_and_agree_with_the_public_api(tmp_path):
    size = 1000  # several posting blocks
    with _index(tmp_path, size).reader() as reader:
        matcher = reader.postings("word", "偶")
        for name in ("_read_ids", "_atend", "_blocklength", "_ids", "_next_block"):
            assert hasattr(matcher, name), f"whoosh's matcher lost {name}: see {RECORD}"
        fast = list(bits.posting_ids(matcher))
        assert fast == list(reader.postings("word", "偶").all_ids()) == list(range(0, size, 2))

        column = reader.column_reader("price", translate=False)
        assert callable(column._dbfile.get) and column._fixedlen == 8, RECORD
        assert column._count == size and isinstance(column._basepos, int), RECORD
        values = bits.numeric_column(reader, "price", size + 5, 0)
        assert list(values) == [n * 7 - 100 for n in range(size)] + [0] * 5
