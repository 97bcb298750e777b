"""The per-request context every resolver receives: actor, database access and DataLoaders.

Database access is synchronous SQLAlchemy, so an operation does not run on the server's event
loop: ``run_operation`` executes it in a worker thread of its own, on a private event loop that
serves this one request (its DataLoaders batch there). The request's read session is used only by
that thread, and the server's event loop is never blocked. One thread hop per operation, instead
of one per DataLoader batch, is what keeps GraphQL near a hand-written endpoint (bench/README.md).

Each mutation runs in its own unit of work (committed once); afterwards the read session and the
loaders start afresh, so the payload and later mutations see what was just written.
"""

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import strawberry
from anyio import CapacityLimiter, to_thread
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Actor
from app.config import get_settings
from app.db import Database
from app.http import client_address
from app.schema.loaders import DataLoaders

T = TypeVar("T")


@dataclass(eq=False)
class Context:
    actor: Actor
    database: Database
    request: Request | None = None
    response: Response | None = None
    loaders: DataLoaders = field(init=False)
    # Field selections worked out by app.schema.lookahead, per field of the document.
    lookahead: dict = field(init=False, default_factory=dict)
    # The organisations the actor deals with (app.services.contacts), read once per request.
    contact_related: frozenset | None = field(init=False, default=None)
    _reads: ExitStack | None = field(init=False, default=None)
    _session: Session | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.loaders = DataLoaders(self)

    @property
    def upload_dir(self) -> Path:
        """Where uploaded files are kept: the serving app's setting (the pages use the same)."""
        if self.request is not None:
            return Path(self.request.app.state.settings.upload_dir)
        return Path(get_settings().upload_dir)

    @property
    def address(self) -> str:
        """The client's address (the key of per-address limits); "unknown" outside a request."""
        return client_address(self.request) if self.request is not None else "unknown"

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` with the request's read session (opened on first use)."""
        if self._session is None:
            self._reads = ExitStack()
            self._session = self._reads.enter_context(self.database.read_only())
        return work(self._session)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in a unit of work of its own: committed once, or rolled back on error."""
        try:
            with self.database.unit_of_work() as session:
                return work(session)
        finally:
            # Later reads (this payload, the next mutation's) must see what was committed.
            self.close()
            self.loaders = DataLoaders(self)
            self.contact_related = None

    def close(self) -> None:
        """End the read session, if one was opened."""
        reads, self._reads, self._session = self._reads, None, None
        if reads is not None:
            reads.close()

    def release(self) -> None:
        """End the read session and let go of what the loaders hold (the operation is over)."""
        self.close()
        self.loaders.release()


async def run_operation(
    context: Context,
    operation: Callable[[], Awaitable[T]],
    limiter: CapacityLimiter | None = None,
) -> T:
    """Run ``operation()`` in a worker thread, on an event loop of its own, then end its reads;
    at most as many at once as ``limiter`` lends threads (anyio's default pool without one)."""
    return await to_thread.run_sync(run_in_own_loop, context, operation, limiter=limiter)


def run_in_own_loop(context: Context, operation: Callable[[], Awaitable[T]]) -> T:
    """Run ``operation()`` to the end on a new event loop in the calling thread."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(operation())
    finally:
        _finish(loop)
        context.release()


def _finish(loop: asyncio.AbstractEventLoop) -> None:
    """Close the request's loop like ``asyncio.run`` does, after letting scheduled callbacks
    start: a field that failed may leave a DataLoader batch scheduled but never awaited."""
    try:
        loop.run_until_complete(asyncio.sleep(0))
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


Info = strawberry.Info[Context, None]
