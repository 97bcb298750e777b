"""What a new domain gets without editing a central module: its tables and its labels."""

import subprocess
import sys
from enum import StrEnum
from pathlib import Path

import pytest

from app import labels

ROOT = Path(__file__).resolve().parents[1]


def test_every_models_module_registers_its_tables_by_being_in_the_package(tmp_path):
    """A module dropped into app/models is imported by the package: its table is known."""
    package = tmp_path / "app"
    (package / "models").mkdir(parents=True)
    for path in (ROOT / "app").glob("*.py"):
        (package / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    for path in (ROOT / "app" / "models").glob("*.py"):
        (package / "models" / path.name).write_text(path.read_text(encoding="utf-8"))
    (package / "models" / "zz_new_domain.py").write_text(
        "from sqlmodel import Field, SQLModel\n\n\n"
        "class NewDomainRow(SQLModel, table=True):\n"
        '    __tablename__ = "new_domain_rows"\n'
        "    id: int | None = Field(default=None, primary_key=True)\n"
    )
    script = (
        "import app.models; from sqlmodel import SQLModel; "
        "print('new_domain_rows' in SQLModel.metadata.tables)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"


class Shift(StrEnum):
    day = "day_shift_for_test"
    night = "night_shift_for_test"


def test_a_domains_enumeration_is_labelled_once_and_completely():
    with pytest.raises(ValueError, match="night_shift_for_test"):
        labels.register(Shift, {Shift.day: "白班"})
    labels.register(Shift, {Shift.day: "白班", Shift.night: "夜班"}, tones={Shift.night: "muted"})
    assert labels.label(Shift.night) == "夜班"
    assert labels.status_tone(Shift.night) == "muted"
    labels.register(Shift, {Shift.day: "白班", Shift.night: "夜班"})  # the same again: no change
    with pytest.raises(ValueError, match="labelled twice"):
        labels.register(Shift, {Shift.day: "日班", Shift.night: "夜班"})
