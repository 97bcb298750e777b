"""Who hears of the directory's actions (villages and their needs, enterprises, cooperatives,
contact look-ups) and of ledger exports: nobody."""

from app.services.notice_rules import NOBODY

ACTIONS = {
    "village.create": NOBODY,
    "village.update": NOBODY,
    "need.add": NOBODY,
    "need.update": NOBODY,
    "need.status": NOBODY,
    "enterprise.register": NOBODY,
    "cooperative.register": NOBODY,
    "contact.reveal": NOBODY,
    "ledger.export": NOBODY,
}
