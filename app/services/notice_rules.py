"""The shape of a domain's notification decisions (who hears of which of its actions).

Each domain declares, in its own ``*_notices`` module, ``NOTICES``: ``Notices(actions, parties)``
— every action it publishes with its decision (a ``Notice``: title and the parties told, or
``NOBODY``), and for each of its kinds of object, who the parties are and which page shows it.
The domain lists them in ``NOTICES`` of its ``app.services.<domain>_domain`` module; the
notifications subscriber (``app.services.notifying``) reads them there. An action published
without a decision is a programming error.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session

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


@dataclass(frozen=True)
class Parties:
    """The organisations (or user) an object concerns, and the page that shows it."""

    ids: dict[RecipientKind, int]
    link: str


# How to find the parties of one kind of object (the model class is the key).
PartiesOf = Callable[[Session, object], Parties]


@dataclass(frozen=True)
class Notices:
    """A domain's notification declarations: each action's decision, each object's parties."""

    actions: Mapping[str, Notice]
    parties: Mapping[type, PartiesOf] = field(default_factory=dict)
