"""Running uvicorn with several worker processes that share the load.

uvicorn's supervisor binds one listening socket and hands it to every worker. Whichever worker
wakes first accepts every connection waiting (asyncio accepts up to the backlog per wake-up), so
when clients open their keep-alive connections together, one worker gets them all and the
others stay idle: measured with 8 clients and 2 workers, one worker used 99 % of a core and the
other 2 % (bench/README.md).

Here each worker binds a socket of its own to the same address with ``SO_REUSEPORT``: the kernel
hands each new connection to one of the listening sockets by a hash of its addresses, so
connections spread over the workers however they arrive. uvicorn's supervisor does the rest
as before (health checks, restarting a worker that died, signals); the parent keeps a bound but
not listening socket, which reserves the port and is never handed a connection.
"""

import logging
import socket
from contextlib import contextmanager
from unittest import mock

import uvicorn
from uvicorn.supervisors import Multiprocess, multiprocess


def reuse_port_available() -> bool:
    """Whether the kernel spreads connections over sockets sharing a port (Linux, BSD)."""
    return hasattr(socket, "SO_REUSEPORT")


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``(host, port)`` that other such sockets may share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class ReusePortProcess(multiprocess.Process):
    """A uvicorn worker that listens on a socket of its own, sharing the port with the others."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:  # pragma: no cover
        bound = sockets[0].getsockname() if sockets else (self.config.host, self.config.port)
        for inherited in sockets or []:
            inherited.close()
        super().target([reuse_port_socket(bound[0], bound[1])])


@contextmanager
def _reuse_port_workers():
    # The supervisor creates its workers through the module's ``Process`` name.
    with mock.patch.object(multiprocess, "Process", ReusePortProcess):
        yield


def run(app: str, *, host: str, port: int, workers: int = 1, **options) -> None:
    """``uvicorn.run(app, …)``; with several workers, each on its own ``SO_REUSEPORT`` socket."""
    if workers <= 1 or options.get("reload") or not reuse_port_available():
        uvicorn.run(app, host=host, port=port, workers=workers, **options)
        return
    config = uvicorn.Config(app, host=host, port=port, workers=workers, **options)
    parent = reuse_port_socket(host, port)  # reserves the port; never listens
    logging.getLogger("uvicorn.error").info(
        "Uvicorn running on http://%s:%d with %d workers, one SO_REUSEPORT socket each",
        host, parent.getsockname()[1], workers,
    )  # fmt: skip
    try:
        with _reuse_port_workers():
            Multiprocess(config, sockets=[parent]).run()
    finally:
        parent.close()
