"""Operations in progress per client, so that one client cannot take a process's query threads.

Queries share ``graphql_query_threads`` threads per process (app/schema/view.py); without a bound,
one client firing slow queries in parallel would queue ahead of everyone else. A client is the
signed-in user (session or API token alike), else the client address (uvicorn's proxy headers
make it the real one behind the reverse proxy). Counting is per process, like the threads.
"""

import threading
from collections.abc import Hashable

from starlette.requests import Request

from app.actors import Actor


def client_key(request: Request, actor: Actor) -> Hashable:
    if actor.user_id is not None:
        return ("user", actor.user_id)
    return ("address", request.client.host if request.client else "")


class ClientSlots:
    """At most ``limit`` operations in progress per client."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: dict[Hashable, int] = {}
        # The server's event loop is the only caller in production; tests drive several loops.
        self._lock = threading.Lock()

    def take(self, key: Hashable) -> bool:
        """Take a slot for ``key``; False, taking nothing, when it holds ``limit`` already."""
        with self._lock:
            held = self._held.get(key, 0)
            if held >= self.limit:
                return False
            self._held[key] = held + 1
            return True

    def give_back(self, key: Hashable) -> None:
        with self._lock:
            held = self._held[key] - 1
            if held:
                self._held[key] = held
            else:
                del self._held[key]

    def held(self, key: Hashable) -> int:
        return self._held.get(key, 0)
