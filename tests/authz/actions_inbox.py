"""Matrix actions for the inbox, notifications and mail addresses (bureau-wide)."""

from app.services import inbox, notifications
from tests.authz.world import ACTORS, SIGNED_IN, Action

EVERYONE = frozenset(ACTORS)


ACTIONS = [
    Action(
        "inbox.inbox",
        lambda s, w, a: inbox.inbox(session=s, actor=a),
        EVERYONE,
        writes=False,
    ),
    Action(
        "notifications.list_notifications",
        lambda s, w, a: notifications.list_notifications(session=s, actor=a),
        SIGNED_IN,
        writes=False,
    ),
    Action(
        "notifications.mark_read",
        lambda s, w, a: notifications.mark_read(session=s, actor=a),
        SIGNED_IN,
        writes=False,
    ),
    Action(
        "notifications.set_mail_address",
        lambda s, w, a: notifications.set_mail_address(
            session=s, actor=a, address="staff@example.cn"
        ),
        SIGNED_IN,
        covers=("mail.subscribe", "mail.unsubscribe"),
    ),
]
