"""Matrix actions for trade services."""

from tests.authz.world import Action

ACTIONS: list[Action] = []
