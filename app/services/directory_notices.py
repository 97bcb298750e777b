"""Who hears of the directory's actions (villages and their needs, enterprises, cooperatives):
nobody. The directory belongs to the pairing domain."""

from app.services.notice_rules import NOBODY, Notices

ACTIONS = {
    "village.create": NOBODY,
    "village.update": NOBODY,
    "need.add": NOBODY,
    "need.update": NOBODY,
    "need.status": NOBODY,
    "enterprise.register": NOBODY,
    "cooperative.register": NOBODY,
    "enterprise.import_update": NOBODY,
    "cooperative.import_update": NOBODY,
}

NOTICES = Notices(ACTIONS)
