"""Who hears of the 劳务协作 domain's actions: publishing supply and postings is news to nobody
in particular (the lists and the matching show them)."""

from app.services.notice_rules import NOBODY, Notices

ACTIONS = {
    "labour_supply.publish": NOBODY,
    "labour_supply.update": NOBODY,
    "labour_supply.withdraw": NOBODY,
    "job_posting.publish": NOBODY,
    "job_posting.update": NOBODY,
    "job_posting.close": NOBODY,
}

NOTICES = Notices(ACTIONS)
