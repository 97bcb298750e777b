"""The 劳务协作 domain's declarations (app/services/domains.py, decision 0038): the visibility of
its supply groups and postings and the notification decisions of its actions. It has no to-dos,
ledger sheets, dashboard panels or state machines yet (publishing and closing are not a
lifecycle with parties waiting on each other)."""

from app.permissions.labour import JOB_POSTINGS, LABOUR_SUPPLIES
from app.services.labour_notices import NOTICES as _NOTICES

VISIBILITY = (LABOUR_SUPPLIES, JOB_POSTINGS)
INBOX_KINDS = ()
LEDGER_SECTIONS = ()
DASHBOARD_PANELS = ()
STATE_MACHINES = ()
NOTICES = (_NOTICES,)
