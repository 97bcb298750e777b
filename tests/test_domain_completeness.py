"""Every lifecycle action is complete: an audit event, a notification decision, a matrix entry.

The actions are what the services record in the audit trail (``audited_actions``), the state
transitions of agreements (``lifecycle.TRANSITIONS``) and the actions notification rules react to
(``notifications.RULES``). For each:

- it is recorded as an audit event somewhere in app/services (a rule or a transition that no
  service records is a notification or a step that never happens);
- a notification decision is taken: a rule in ``notifications.RULES``, or listed below in
  ``NOTIFIES_NOBODY`` — deciding "nobody" is a decision, forgetting is not;
- the authorization matrix (tests/test_authorization_matrix.py) exercises it: some matrix action
  ``covers`` it, or the matrix cannot exercise it (``OUTSIDE_MATRIX``, with the reason).
"""

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

import app.services
from app.services import notifications
from app.services.pairing import lifecycle
from tests.test_authorization_matrix import ACTIONS as MATRIX

SERVICES = Path(app.services.__file__).parent

# Audit actions that notify nobody, by decision: the actor's own act, or news for no other party.
NOTIFIES_NOBODY = {
    "account.register": "the applicant's own act; officers see it in their to-dos",
    "account.create": "an administrator's own act; the new user is told the password in person",
    "account.change_password": "the user's own act",
    "api_token.create": "the user's own act",
    "api_token.revoke": "the user's own act",
    "session.revoke": "the user's own act",
    "session.revoke_all": "the user's own act",
    "village.create": "a bureau's own act (master data)",
    "village.update": "the village's or the bureau's own edit of public data",
    "need.add": "the village's own list",
    "need.update": "the village's own list",
    "need.status": "the village's own list",
    "enterprise.register": "the applicant's own act; officers see it in their to-dos",
    "cooperative.register": "the applicant's own act; officers see it in their to-dos",
    "enterprise.set_reserved_share": "the buyer's own figure",
    "product.create": "the cooperative's own catalogue",
    "product.update": "the cooperative's own catalogue",
    "product.update_price_stock": "the cooperative's own catalogue",
    "product.list": "the cooperative's own catalogue",
    "product.delist": "the cooperative's own catalogue",
    "product.add_image": "the cooperative's own catalogue",
    "product.remove_image": "the cooperative's own catalogue",
    "product.import": "a bureau's bulk import (master data)",
    "certification.apply": "officers see it in their to-dos",
    "objection.dismiss_in_bulk": "one event per objection; the cooperative is told once, by the"
    " batch's objection.dismiss_bulk",
    "demand.post": "cooperatives find open demands in the demand list",
    "demand.close": "the buyer's own demand",
    "contact.reveal": "recorded for the audit of personal information, not news to anyone",
    "ledger.export": "the officer's own export",
    "mail.subscribe": "the user's own address",
    "mail.unsubscribe": "the user's own address",
    "retention.purge": "a scheduled purge",
}

# Audit actions the matrix cannot exercise (every one of its forbidden actors must get "您没有权限
# 执行此操作"), each with where its rule is tested instead.
OUTSIDE_MATRIX = {
    "account.register": "takes no actor: self-registration is open to everyone",
    "certification.take_effect": "taken by no actor: the periodic job ends a notice period",
    "certification.refuse": "no action of its own: upholding an objection (objection.resolve)",
    "objection.dismiss_in_bulk": "written per objection inside objections.dismiss_objections",
    "api_token.revoke": "another user's token is not found, not forbidden"
    " (test_accounts_service.py::test_only_the_owner_may_revoke_a_token)",
}


def _literals(node: ast.expr) -> list[ast.expr]:
    """The expressions an argument can evaluate to (both branches of ``a if c else b``)."""
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return [node]


def _is_action(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[a-z_]+\.[a-z_]+", value) is not None


def audited_actions() -> dict[str, str]:
    """Every audit action the services record → where (``file:line``).

    Reads app/services: the action is the ``action`` argument of a function that takes one
    (``record_event``, the modules' ``_record`` helpers, ``Creation``) or of any call given
    ``action=`` (``Event(action=…)``), when it is a literal ``"noun.verb"`` (either branch of a
    conditional). ``f"noun.{verb}"`` takes every literal the enclosing function is called with
    for ``verb`` (``transition_agreement(action="sign")``); any other composed action fails
    here rather than go unchecked. This is the one function to re-point once the services
    declare their events.
    """
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in SERVICES.rglob("*.py")}
    takes_action: dict[str, int | None] = {"Creation": 0}  # callee → position of ``action``
    enclosing: dict[ast.AST, ast.FunctionDef] = {}
    for tree in trees.values():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for inner in ast.walk(function):
                enclosing[inner] = function  # walked outside in: the innermost one stays
            positional = [a.arg for a in function.args.posonlyargs + function.args.args]
            if "action" in positional:
                takes_action[function.name] = positional.index("action")
            elif any(a.arg == "action" for a in function.args.kwonlyargs):
                takes_action[function.name] = None

    calls: defaultdict[str, list[ast.Call]] = defaultdict(list)
    for tree in trees.values():
        for call in ast.walk(tree):
            if isinstance(call, ast.Call):
                name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
                calls[name].append(call)

    def argument(call: ast.Call, name: str, position: int | None) -> ast.expr | None:
        for keyword in call.keywords:
            if keyword.arg == name:
                return keyword.value
        if position is not None and position < len(call.args):
            return call.args[position]
        return None

    def values_of(function: ast.FunctionDef, parameter: str) -> set[str]:
        positional = [a.arg for a in function.args.posonlyargs + function.args.args]
        position = positional.index(parameter) if parameter in positional else None
        found = set()
        for call in calls[function.name]:
            for value in _literals(argument(call, parameter, position) or ast.Constant(None)):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.add(value.value)
        return found

    found: dict[str, str] = {}
    for path, tree in trees.items():
        where = path.relative_to(SERVICES.parent.parent)
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
            # Any call with ``action=`` (``Event(action=…)`` too), positionally only a recorder.
            given = argument(call, "action", takes_action.get(name))
            for value in _literals(given) if given is not None else []:
                if isinstance(value, ast.Constant) and _is_action(value.value):
                    found.setdefault(value.value, f"{where}:{call.lineno}")
                elif isinstance(value, ast.JoinedStr):
                    prefix, verb = [*value.values, None, None][:2]
                    assert (
                        len(value.values) == 2
                        and isinstance(prefix, ast.Constant)
                        and isinstance(getattr(verb, "value", None), ast.Name)
                    ), f'{where}:{call.lineno}: an action is a literal or f"noun.{{parameter}}"'
                    for step in values_of(enclosing[call], verb.value.id):
                        found.setdefault(f"{prefix.value}{step}", f"{where}:{call.lineno}")
    return found


AUDITED = audited_actions()
COVERED = {name: action.name for action in MATRIX for name in getattr(action, "covers", ())}


def test_the_audited_actions_are_found():
    """The reader finds literal, conditional and composed actions (or the checks below are idle)."""
    for action in ("order.place", "account.reject", "product.delist", "report.return"):
        assert action in AUDITED
    assert all(_is_action(action) for action in AUDITED)


@pytest.mark.parametrize("step", sorted(lifecycle.TRANSITIONS))
def test_every_agreement_transition_records_an_audit_event(step):
    assert f"agreement.{step}" in AUDITED, f"no service takes the agreement step {step!r}"


@pytest.mark.parametrize("action", sorted(set(notifications.RULES) | set(NOTIFIES_NOBODY)))
def test_every_notification_decision_is_about_an_audited_action(action):
    assert action in AUDITED, f"{action} is never recorded: its notification can never be sent"


@pytest.mark.parametrize("action", sorted(AUDITED))
def test_every_audited_action_has_one_notification_decision(action):
    decided = (action in notifications.RULES) + (action in NOTIFIES_NOBODY)
    assert decided == 1, (
        f"{action} ({AUDITED[action]}) needs exactly one notification decision: a rule in"
        " notifications.RULES or a reason in NOTIFIES_NOBODY"
    )


@pytest.mark.parametrize("action", sorted(AUDITED))
def test_every_audited_action_has_a_matrix_entry(action):
    assert (action in COVERED) + (action in OUTSIDE_MATRIX) == 1, (
        f"{action} ({AUDITED[action]}) needs a matrix action (tests/authz/actions_<domain>.py)"
        " whose covers= names it, or a reason in OUTSIDE_MATRIX"
    )


def test_matrix_entries_cover_only_audited_actions():
    assert set(COVERED) <= set(AUDITED), sorted(set(COVERED) - set(AUDITED))
    assert set(OUTSIDE_MATRIX) <= set(AUDITED), sorted(set(OUTSIDE_MATRIX) - set(AUDITED))
