"""The personal-information domain's declarations (app/services/domains.py): it has no to-dos,
ledger sheets or dashboard panels; its purge rules are registered in app/services/retention.py."""

VISIBILITY = ()
TODO_KINDS = ()
LEDGER_SECTIONS = ()
DASHBOARD_PANELS = ()
STATE_MACHINES = ()
