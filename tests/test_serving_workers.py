"""``cunqi serve --workers N`` runs uvicorn's own supervisor (``uvicorn.run(..., workers=N)``):
every worker serves, and a worker that dies is replaced (uvicorn does so since 0.30). How evenly
the connections spread is uvicorn's affair; the production layout that spreads them evenly is one
process per port behind the reverse proxy (docs/decisions/0021-dependency-internals.md)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import uvicorn

from app import cli
from app.config import get_settings
from app.observability.logs import JsonFormatter

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 16


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pids_of_simultaneous_connections(port: int) -> list[str]:
    """Open ``CONNECTIONS`` connections at once, then ask each which process serves it."""
    connections = [
        socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(CONNECTIONS)
    ]
    try:
        for connection in connections:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        pids = []
        for connection in connections:
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().split(b"\r\n")[-1].isdigit():
                chunk = connection.recv(4096)
                if not chunk:
                    break
                answer += chunk
            pids.append(answer.rstrip().split(b"\r\n")[-1].decode())
        return pids
    finally:
        for connection in connections:
            connection.close()


@pytest.fixture
def two_workers():
    """``uvicorn.run`` with 2 workers on a free port, as ``cunqi serve --workers 2`` calls it;
    the port and the workers' pids."""
    port = _free_port()
    code = (
        "import uvicorn\n"
        f"uvicorn.run('tests.serving_pid_app:app', host='127.0.0.1', port={port}, workers=2,"
        " log_level='warning')\n"
    )
    server = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, start_new_session=True)
    try:
        yield port, _both_workers(port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0


def _both_workers(port: int, timeout: float = 60) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < 2 and time.monotonic() < deadline:  # both workers serving
        try:
            seen |= set(_pids_of_simultaneous_connections(port))
        except OSError:
            time.sleep(0.2)
    assert len(seen) == 2, seen
    return seen


def _wait_until_gone(pid: int) -> None:
    """Until every thread of ``pid`` has exited (its descriptors close with the last one; the
    main thread shows as a zombie while the others are still on their way out)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            threads = len(list(Path(f"/proc/{pid}/task").iterdir()))
        except FileNotFoundError:
            return
        if state in ("Z", "X") and threads <= 1:
            return
        time.sleep(0.01)
    raise AssertionError(f"worker {pid} still running")


def test_serve_runs_uvicorns_own_workers(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    # `serve` sets the metrics folder for its workers: setenv first, so that the test's end
    # restores the variable as it was (unset), whatever `serve` wrote.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "before"))
    monkeypatch.setenv("CUNQI_METRICS_DIR", str(tmp_path / "metrics"))
    get_settings.cache_clear()
    stale = tmp_path / "metrics" / "8123" / "counter_1.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by an earlier run")
    try:
        cli.main(["serve", "--workers", "3", "--port", "8123"], standalone_mode=False)
    finally:
        get_settings.cache_clear()
    [(app, options)] = calls
    assert app.endswith(":create_served_app") and options["factory"] is True
    assert options["workers"] == 3 and options["port"] == 8123
    # The application reads the proxy's headers itself, from trusted proxies only (decision 0027).
    assert options["proxy_headers"] is False
    # One JSON line per request comes from the application; uvicorn's access log is off.
    assert options["access_log"] is False
    assert options["log_config"]["formatters"]["default"]["()"] is JsonFormatter
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(stale.parent.resolve())
    assert not stale.exists()


def test_every_worker_serves(two_workers):
    _port, workers = two_workers
    assert len(workers) == 2


def test_a_killed_worker_is_replaced_and_no_connection_goes_to_it(two_workers):
    port, workers = two_workers
    dead = sorted(workers)[0]
    os.kill(int(dead), signal.SIGKILL)
    _wait_until_gone(int(dead))  # what it held when it died is lost, as with any server
    answered = [_pids_of_simultaneous_connections(port) for _ in range(20)]  # none may fail
    assert all(dead not in pids for pids in answered[1:])
    replaced = _both_workers(port)
    assert dead not in replaced and len(replaced & workers) == 1
