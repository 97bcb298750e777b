"""Running uvicorn with several worker processes that share the connections evenly.

uvicorn's supervisor binds one listening socket and hands it to every worker. Whichever worker
wakes first accepts every connection waiting (asyncio accepts up to the backlog per wake-up), so
when clients open their keep-alive connections together — a load balancer's pool, an
integration's connection pool, a benchmark — one worker gets them all and the others stay idle:
measured with 8 clients and 2 workers, one worker used 99 % of a core and the other 2 %
(bench/README.md). Giving each worker a ``SO_REUSEPORT`` socket of its own spreads connections by
a hash of their addresses, which still leaves 6 of 8 on one worker about a fifth of the time.

So, as Node's cluster module does, the parent process accepts and hands each connection to the
next worker in turn: it sends the socket's descriptor over a Unix socket pair (``SCM_RIGHTS``),
and the worker serves it with uvicorn's own protocol (``loop.connect_accepted_socket``).
uvicorn's supervisor does the rest as before: health checks, restarting a worker that died,
signals, graceful shutdown.
"""

import asyncio
import logging
import socket
import threading
import time
from contextlib import contextmanager, suppress
from unittest import mock

import uvicorn
from uvicorn.supervisors import Multiprocess, multiprocess

logger = logging.getLogger("uvicorn.error")
HANDOFF_TIMEOUT = 5.0  # seconds a connection may wait for a worker to take it


def handoff_available() -> bool:
    """Whether descriptors can be passed between processes (POSIX)."""
    return hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")


class HandoffServer(uvicorn.Server):
    """A uvicorn server that serves the connections its parent hands it over ``channel``."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        (self._channel,) = sockets or ()
        await super().startup(sockets=[])  # the lifespan, the server state; nothing to listen on
        if self.should_exit:
            return
        loop = asyncio.get_running_loop()
        self._handshakes: set[asyncio.Task] = set()
        self._channel.setblocking(False)
        loop.add_reader(self._channel.fileno(), self._receive, loop)

    def _protocol(self) -> asyncio.Protocol:
        return self.config.http_protocol_class(
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )

    def _receive(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            try:
                message, fds, _flags, _address = socket.recv_fds(self._channel, 16, 16)
            except BlockingIOError:
                return
            except OSError:
                message, fds = b"", []
            if not message and not fds:  # the parent is gone: finish what is open and stop
                loop.remove_reader(self._channel.fileno())
                self.should_exit = True
                return
            for fd in fds:
                connection = socket.socket(fileno=fd)
                connection.setblocking(False)
                task = loop.create_task(
                    loop.connect_accepted_socket(self._protocol, connection, ssl=self.config.ssl)
                )
                self._handshakes.add(task)
                task.add_done_callback(self._handshakes.discard)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        channel = getattr(self, "_channel", None)
        if channel is not None and channel.fileno() >= 0:
            asyncio.get_running_loop().remove_reader(channel.fileno())
            channel.close()
        await super().shutdown(sockets=[])


class HandoffProcess(multiprocess.Process):
    """A worker process, with the parent's end of the socket pair its connections come by."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        self.channel, self._child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.channel.settimeout(1.0)  # a worker that stops reading is skipped, not waited for
        self.retiring = False
        super().__init__(config, [self._child_end])  # the worker gets only its end of the pair

    def __getstate__(self) -> dict:
        # The worker is started from a pickled copy of this object: not the parent's end.
        return {k: v for k, v in vars(self).items() if k not in ("channel", "_child_end")}

    def start(self) -> None:
        super().start()
        self._child_end.close()  # the worker holds its own copy now

    def terminate(self) -> None:
        self.retiring = True  # no new connections while it finishes what it has
        super().terminate()

    def join(self) -> None:
        super().join()
        self.channel.close()

    def hand(self, connection: socket.socket) -> bool:
        """Pass ``connection`` to the worker; False if it cannot take it now."""
        if self.retiring or not self.process.is_alive():
            return False
        try:
            socket.send_fds(self.channel, [b"c"], [connection.fileno()])
            return True
        except OSError:
            return False

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = HandoffServer(config=self.config)
        return self._server


class Dispatcher(threading.Thread):
    """Accepts on the listening socket and hands connections to the workers in turn."""

    def __init__(self, listener: socket.socket, supervisor: Multiprocess):
        super().__init__(name="connection-dispatcher", daemon=True)
        self.listener = listener
        self.supervisor = supervisor
        self.turn = 0

    def run(self) -> None:
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return  # the listener was closed: the server is stopping
            with connection:
                self.dispatch(connection)

    def dispatch(self, connection: socket.socket) -> None:
        deadline = time.monotonic() + HANDOFF_TIMEOUT
        while not self.supervisor.should_exit.is_set():
            workers = list(self.supervisor.processes)
            for offset in range(len(workers)):
                worker = workers[(self.turn + offset) % len(workers)]
                if worker.hand(connection):
                    self.turn = (self.turn + offset + 1) % len(workers)
                    return
            if time.monotonic() > deadline:
                logger.warning("no worker took a connection within %.0f s", HANDOFF_TIMEOUT)
                return
            time.sleep(0.05)  # every worker is restarting


@contextmanager
def _handoff_workers():
    # The supervisor creates its workers through the module's ``Process`` name.
    with mock.patch.object(multiprocess, "Process", HandoffProcess):
        yield


def run(app: str, *, host: str, port: int, workers: int = 1, **options) -> None:
    """``uvicorn.run(app, …)``; with several workers, the parent hands out the connections."""
    if workers <= 1 or options.get("reload") or not handoff_available():
        uvicorn.run(app, host=host, port=port, workers=workers, **options)
        return
    config = uvicorn.Config(app, host=host, port=port, workers=workers, **options)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=config.backlog)
    logger.info(
        "Uvicorn running on http://%s:%d with %d workers, connections handed out in turn",
        host, listener.getsockname()[1], workers,
    )  # fmt: skip
    with _handoff_workers():
        supervisor = Multiprocess(config, sockets=[])
        dispatcher = Dispatcher(listener, supervisor)
        dispatcher.start()
        try:
            supervisor.run()
        finally:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the dispatcher's accept()
            listener.close()
