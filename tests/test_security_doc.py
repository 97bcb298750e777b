"""docs/security.md names, for every control, the test that proves it: those tests must exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
# `tests/x.py`, `tests/x.py::test_name`, and `::test_name` meaning the last file named before it.
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`|`::(\w+)`")


def _references() -> list[tuple[str, str | None]]:
    found, current = [], None
    for match in REFERENCE.finditer(DOC.read_text(encoding="utf-8")):
        path, name, bare = match.groups()
        if path:
            current = path
            found.append((path, name))
        else:
            assert current is not None, f"`::{bare}` names no file before it"
            found.append((current, bare))
    return found


def test_the_security_document_names_tests_that_exist():
    references = _references()
    assert len(references) > 60
    missing = []
    for path, name in references:
        target = ROOT / path
        if not target.exists():
            missing.append(path)
        elif name and not re.search(rf"^(async )?def {name}\(", target.read_text(), re.M):
            missing.append(f"{path}::{name}")
    assert missing == []
