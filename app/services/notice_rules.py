"""The shape of a domain's notification decisions (who hears of which of its actions).

Each domain declares, in its own ``*_notices`` module, ``ACTIONS``: every action it publishes and
its decision — a ``Notice`` (title and the parties told) or ``NOBODY``. The notifications
subscriber (``app.services.notifying``) reads those declarations; an action published without one
is a programming error.
"""

from dataclasses import dataclass

from app.models.enums import RecipientKind


@dataclass(frozen=True, slots=True)
class Notice:
    """The title of the notification and the kinds of party it goes to (never to the party
    acting). No recipients: nobody is told."""

    title: str
    recipients: tuple[RecipientKind, ...]


NOBODY = Notice("", ())


def notice(title: str, *recipients: RecipientKind) -> Notice:
    return Notice(title, recipients)
