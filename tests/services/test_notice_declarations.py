"""Every action a service publishes has a declared notification decision (even "nobody")."""

import ast
import re
from pathlib import Path

import pytest

from app.actors import SYSTEM
from app.models import Village
from app.models.enums import RecipientKind
from app.services import notifying, villages
from app.services.notice_rules import NOBODY, Notice
from app.services.pairing.lifecycle import TRANSITIONS
from app.services.pairing.reports import _SUMMARIES
from tests.factories import make_township

SERVICES = Path(__file__).parents[2] / "app" / "services"
ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")
# Functions that take the action as a positional argument.
TAKES_ACTION = {"_record", "_set_status", "Creation"}
# Actions built from a lifecycle's table: the f-string's prefix and the table's names.
BUILT = {
    "agreement.": TRANSITIONS,
    "report.": {*_SUMMARIES, "submit", "resubmit"},
}


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _actions_in(node: ast.AST) -> set[str]:
    found = set()
    for part in ast.walk(node):
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            if ACTION.match(part.value):
                found.add(part.value)
        elif isinstance(part, ast.JoinedStr) and isinstance(part.values[0], ast.Constant):
            prefix = part.values[0].value
            if re.match(r"^[a-z_]+\.$", prefix):  # an action built from a table
                assert prefix in BUILT, ast.unparse(part)
                found.update(prefix + name for name in BUILT[prefix])
    return found


def published_actions() -> set[str]:
    """The actions the services' code publishes, read from its source."""
    actions: set[str] = set()
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "action":
                    actions |= _actions_in(keyword.value)
            if _name(node) in TAKES_ACTION:
                for argument in node.args:
                    actions |= _actions_in(argument)
    return actions


def test_every_published_action_has_a_notification_decision():
    published = published_actions()
    assert {"agreement.sign", "report.verify", "order.receive", "product.import"} <= published
    assert published - set(notifying.declared_actions()) == set()


def test_the_domains_declare_decisions_and_every_lifecycle_action():
    declared = notifying.declared_actions()
    assert all(isinstance(decision, Notice) for decision in declared.values())
    for prefix, names in BUILT.items():
        assert {prefix + name for name in names} <= set(declared)
    assert declared["agreement.sign"].recipients == (RecipientKind.enterprise,)
    assert declared["contact.reveal"] is NOBODY
    # Each action is declared by one domain only.
    by_domain = notifying.actions_by_domain()
    assert sum(len(actions) for actions in by_domain.values()) == len(declared)
    assert by_domain["pairing"]["report.verify"] == declared["report.verify"]


def test_a_bulk_creation_refuses_an_action_that_would_notify(session, monkeypatch):
    told = Notice("新增行政村", (RecipientKind.village,))
    monkeypatch.setitem(notifying.declared_actions(), "village.create", told)
    township = make_township(session)
    row = Village(
        code=f"{township.code}201",
        name="批量村",
        county_code=township.county_code,
        township_code=township.code,
    )
    with pytest.raises(notifying.NoticeInBulk, match=r"village\.create"):
        villages.add_villages(session=session, actor=SYSTEM, villages=[row])


def test_rows_created_in_bulk_tell_nobody():
    created = set()
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node) == "Creation":
                created |= _actions_in(node.args[0])
    assert created == {
        "village.create",
        "enterprise.register",
        "cooperative.register",
        "product.import",
        "invitation.create",
    }
    declared = notifying.declared_actions()
    assert all(declared[action] is NOBODY for action in created)
