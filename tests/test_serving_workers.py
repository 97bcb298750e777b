"""``cunqi serve --workers N`` (app/serving.py): every worker gets connections, even when the
clients open theirs all at once, as a load balancer's pool or a benchmark does."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.serving import reuse_port_available

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 16

pytestmark = pytest.mark.skipif(not reuse_port_available(), reason="needs SO_REUSEPORT")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pids_of_simultaneous_connections(port: int) -> set[str]:
    """Open ``CONNECTIONS`` connections at once, then ask each which process serves it."""
    connections = [
        socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(CONNECTIONS)
    ]
    try:
        for connection in connections:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        pids = set()
        for connection in connections:
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().split(b"\r\n")[-1].isdigit():
                chunk = connection.recv(4096)
                if not chunk:
                    break
                answer += chunk
            pids.add(answer.rstrip().split(b"\r\n")[-1].decode())
        return pids
    finally:
        for connection in connections:
            connection.close()


def test_connections_opened_together_reach_every_worker():
    port = _free_port()
    code = (
        "from app.serving import run\n"
        f"run('tests.serving_pid_app:app', host='127.0.0.1', port={port}, workers=2,"
        " log_level='warning')\n"
    )
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, start_new_session=True)
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + 60
        while len(seen) < 2 and time.monotonic() < deadline:  # both workers listening
            try:
                seen |= _pids_of_simultaneous_connections(port)
            except OSError:
                time.sleep(0.2)
        assert len(seen) == 2, seen
        # uvicorn's own supervisor shares one socket: the worker that wakes first takes every
        # waiting connection. Here each worker has its own socket; the kernel spreads them.
        for _ in range(5):
            assert _pids_of_simultaneous_connections(port) == seen
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0
