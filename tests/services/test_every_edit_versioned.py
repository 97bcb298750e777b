"""Every service that edits an existing row refuses a stale version and writes nothing
(docs/decisions/0015-every-edit-versioned.md); the registry is tests/edit_paths.py."""

import importlib
import inspect
import pkgutil

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import app.services
from app.errors import ConflictError
from tests.edit_paths import edits, lifecycle_steps, unversioned

EDIT_PREFIXES = ("update_", "edit_", "set_", "change_", "save_")
EDITS = edits()
UNVERSIONED = unversioned()
LIFECYCLE_STEPS = lifecycle_steps()
IDS = [path.name for path in EDITS]


def _public_services() -> dict[str, object]:
    """Every public function defined in a module under app.services, by "module.function"."""
    found = {}
    for info in pkgutil.walk_packages(app.services.__path__, "app.services."):
        module = importlib.import_module(info.name)
        for name, function in vars(module).items():
            defined_here = inspect.isfunction(function) and function.__module__ == info.name
            if defined_here and not name.startswith("_"):
                found[f"{info.name.removeprefix('app.services.')}.{name}"] = function
    return found


def _snapshot(database, path, row_id) -> tuple[dict, dict[str, int]]:
    """The row's columns and every table's row count."""
    with database.read_only() as session:
        row = session.get(path.model, row_id)
        columns = {c.key: getattr(row, c.key) for c in sa.inspect(path.model).column_attrs}
        counts = {
            name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }
    return columns, counts


def _given(database, path):
    with database.unit_of_work() as session:
        given = path.given(session)
        version = session.get(path.model, given.row_id).version
    return given, version


def test_every_edit_path_is_registered():
    # Given the public services, when their names say they edit, they are in the registry.
    services = _public_services()
    editing = {name for name in services if name.rsplit(".", 1)[1].startswith(EDIT_PREFIXES)}
    registered = set(IDS) | set(UNVERSIONED)
    assert editing - registered == set(), "register the new edit path in tests/edit_paths.py"
    # ...and whatever takes a version is a registered edit or a lifecycle step.
    versioned = {
        name
        for name, function in services.items()
        if "expected_version" in inspect.signature(function).parameters
    }
    assert versioned == set(IDS) | LIFECYCLE_STEPS
    # Every registered edit requires the version: no default lets a caller leave it out.
    for name in IDS:
        parameter = inspect.signature(services[name]).parameters["expected_version"]
        assert (parameter.kind, parameter.default) == (
            inspect.Parameter.KEYWORD_ONLY,
            parameter.empty,
        )


@pytest.mark.parametrize("offset", [-1, 1], ids=["older", "newer"])
@pytest.mark.parametrize("path", EDITS, ids=IDS)
def test_a_stale_version_is_refused_and_nothing_is_written(fresh_db, path, offset):
    # Given someone else saved the row first
    given, opened_at = _given(fresh_db, path)
    with fresh_db.unit_of_work() as session:
        path.call(session, given, opened_at, 0)
    saved, counts = _snapshot(fresh_db, path, given.row_id)
    assert saved["version"] == opened_at + 1
    # When the user's form, opened before (or carrying a version never seen), is saved
    stale = opened_at if offset < 0 else opened_at + 2
    with pytest.raises(ConflictError) as caught, fresh_db.unit_of_work() as session:
        path.call(session, given, stale, 1)
    # Then it is a conflict in Chinese, and not a column, row or event was written
    assert (caught.value.code, caught.value.message) == ("stale_version", path.message)
    assert _snapshot(fresh_db, path, given.row_id) == (saved, counts)


@pytest.mark.parametrize("path", EDITS, ids=IDS)
def test_a_save_racing_another_is_refused_by_the_update(fresh_db, path):
    # Given the row was loaded at its version, and another transaction then saved it
    # (on PostgreSQL the two overlap; the ORM's UPDATE … WHERE version = :seen decides)
    given, opened_at = _given(fresh_db, path)
    before = _snapshot(fresh_db, path, given.row_id)
    table = path.model.__table__
    with pytest.raises(ConflictError) as caught, fresh_db.unit_of_work() as session:
        row = session.get(path.model, given.row_id)
        session.connection().execute(
            sa.update(table).where(table.c.id == given.row_id).values(version=table.c.version + 1)
        )
        assert row.version == opened_at  # what the service will compare first
        # When the user's save, based on the version it loaded, is flushed
        path.call(session, given, opened_at, 1)
    # Then the update matched no row: a conflict, and the transaction wrote nothing
    assert (caught.value.code, caught.value.message) == ("stale_version", path.message)
    assert _snapshot(fresh_db, path, given.row_id) == before
