"""One-time messages shown at the top of the next full page (needs SessionMiddleware)."""

from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request

FLASH_KEY = "_flashes"
Level = Literal["info", "success", "error"]


@dataclass(frozen=True, slots=True)
class Flash:
    message: str
    level: Level = "info"


def flash(request: Request, message: str, *, level: Level = "info") -> None:
    """Queue ``message`` for the next full page this browser renders."""
    queued = request.session.get(FLASH_KEY, [])
    request.session[FLASH_KEY] = [*queued, {"message": message, "level": level}]


def pop_flashes(request: Request) -> list[Flash]:
    """Take the queued messages; without a session there are none."""
    if "session" not in request.scope:
        return []
    return [Flash(**item) for item in request.session.pop(FLASH_KEY, [])]
