"""The personal-information domain's declarations (app/services/domains.py): it has no to-dos,
ledger sheets or dashboard panels; its purge rules are registered in app/services/retention.py."""

from app.services.notice_rules import NOBODY, Notices

VISIBILITY = ()
INBOX_KINDS = ()
LEDGER_SECTIONS = ()
DASHBOARD_PANELS = ()
STATE_MACHINES = ()
# Revealing a contact is recorded for the audit of personal information, not news to anyone.
NOTICES = (Notices({"contact.reveal": NOBODY}),)
