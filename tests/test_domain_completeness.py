"""Every lifecycle action is complete: an audit event, a notification decision, a matrix entry.

The actions are every transition of every state machine the domains declare
(``state_machine.all_transitions()``) and every action the services publish on the bus (read from
their source, ``published_actions``). Every published event is audited: the audit subscriber
writes the 操作记录 row of each (app/services/bus.py), so a transition "has an audit event" when
some service publishes its action. For each action:

- a transition's action is published by a service (a step declared but never taken, or taken
  without its event, fails here);
- a notification decision is declared by its domain (``NOTICES`` in
  ``app/services/<domain>_domain.py``: a ``Notice`` or ``NOBODY`` — deciding "nobody" is a
  decision, forgetting is not), and every declaration is about an action that is published;
- the authorization matrix (tests/test_authorization_matrix.py) exercises it: some matrix action
  ``covers`` it, or the matrix cannot exercise it (``OUTSIDE_MATRIX``, with the reason).
"""

import pytest

from app.services import notifying, state_machine
from tests.services.test_notice_declarations import published_actions
from tests.test_authorization_matrix import ACTIONS as MATRIX

# Audit actions the matrix cannot exercise (every one of its forbidden actors must get "您没有权限
# 执行此操作"), each with where its rule is tested instead.
OUTSIDE_MATRIX = {
    "account.register": "takes no actor: self-registration is open to everyone",
    "invitation.accept": "takes no actor: whoever holds the code sets up the account"
    " (tests/services/test_invitations_service.py)",
    "account.claim": "takes no actor: claiming an organisation is open to everyone"
    " (tests/services/test_claims_service.py)",
    "account.use_recovery_code": "taken in a sign-in's second step, before there is an actor"
    " (tests/services/test_two_factor_service.py)",
    "certification.take_effect": "taken by no actor: the periodic job ends a notice period",
    "order.expire": "taken by no actor: the periodic job expires unconfirmed orders"
    " (tests/services/test_order_stock.py)",
    "certification.refuse": "no action of its own: upholding an objection (objection.resolve)",
    "objection.dismiss_in_bulk": "written per objection inside objections.dismiss_objections",
    "ledger.retry": "another scope's export is not found, not forbidden"
    " (tests/web/test_web_exports.py)",
    "ledger.purge_files": "taken by no actor: the periodic job deletes old export files",
    "api_token.revoke": "another user's token is not found, not forbidden"
    " (test_accounts_service.py::test_only_the_owner_may_revoke_a_token)",
}

PUBLISHED = published_actions() | {"retention.purge"}  # the purge writes its one row itself
TRANSITIONS = {
    f"{machine.name}.{transition.name}": transition.event
    for machine, transition in state_machine.all_transitions()
}
DECLARED = notifying.declared_actions()
ACTIONS = PUBLISHED | set(TRANSITIONS.values())
COVERED = {name: action.name for action in MATRIX for name in getattr(action, "covers", ())}


def test_the_actions_are_found():
    """The readers find the actions (or the checks below are idle)."""
    for action in ("order.place", "account.reject", "product.delist", "report.return"):
        assert action in PUBLISHED
    assert {"agreement.sign", "order.ship", "certification.approve"} <= set(TRANSITIONS.values())
    assert len(COVERED) > 40


@pytest.mark.parametrize("transition", sorted(TRANSITIONS))
def test_every_transition_is_published_and_so_audited(transition):
    action = TRANSITIONS[transition]
    assert action in PUBLISHED, f"no service publishes {action} (the transition {transition})"


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_has_a_notification_decision(action):
    assert action in DECLARED, (
        f"{action} needs a notification decision in its domain's NOTICES"
        " (app/services/<domain>_domain.py), NOBODY if no one is told"
    )


@pytest.mark.parametrize("action", sorted(DECLARED))
def test_every_notification_decision_is_about_a_published_action(action):
    assert action in PUBLISHED, f"{action} is never published: its notification can never be sent"


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_has_a_matrix_entry(action):
    assert (action in COVERED) + (action in OUTSIDE_MATRIX) == 1, (
        f"{action} needs a matrix action (tests/authz/actions_<domain>.py) whose covers= names"
        " it, or a reason in OUTSIDE_MATRIX"
    )


def test_matrix_entries_cover_only_published_actions():
    assert set(COVERED) <= ACTIONS, sorted(set(COVERED) - ACTIONS)
    assert set(OUTSIDE_MATRIX) <= ACTIONS, sorted(set(OUTSIDE_MATRIX) - ACTIONS)
