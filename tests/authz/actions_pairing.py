"""Matrix actions for pairing services."""

from tests.authz.world import Action

ACTIONS: list[Action] = []
