"""The app under gunicorn, as `make serve` runs it: for tests that need real worker processes (several workers on
one database, a worker killed mid-request).

    with gunicorn_server({"DATABASE_URL": url, "SECRET_KEY": "t"}, workers=2) as server:
        requests.get(server.url + "/healthz")

The command line is the one the Makefile's `serve` target runs (SERVE_COMMAND), so a test of it tests the recipe.
The port is a free loopback port found at start (tests run in parallel under xdist). The database must already hold
its tables: `flask init-db` (what `make serve` runs first) or db.create_all() from the test.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


APP = "app:create_app()"


def serve_command(workers: int, bind: str, app: str = APP) -> list[str]:
    """The Makefile's serve command, as an argument list (`app`: another WSGI app under the same settings, for
    make bench's bare endpoint)."""
    return [str(GUNICORN), "--no-control-socket", "-w", str(workers), "-b", bind, app]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class GunicornServer:
    process: subprocess.Popen
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def worker_pids(self) -> list[int]:
        """The worker processes' ids (children of the arbiter), read from /proc."""
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            except OSError:
                continue
            if fields.get("PPid", "").strip() == str(self.process.pid):
                pids.append(int(status.parent.name))
        return sorted(pids)


def wait_for_health(url: str, process: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url}/healthz did not answer within {timeout:.0f} s")


@contextmanager
def gunicorn_server(env: dict[str, str], workers: int = 2, log_dir: Path | None = None, timeout: float = 30.0,
                    app: str = APP):
    """Start gunicorn on a free loopback port with `env` added to this process's environment; yield once /healthz
    answers 200; stop it (SIGTERM, then SIGKILL) however the test ends. gunicorn's output goes to a log file
    (server.log()) so a failing test can show it."""
    port = free_port()
    bind = f"127.0.0.1:{port}"
    log_dir = Path(log_dir) if log_dir is not None else Path(os.environ.get("TMPDIR", "/tmp"))
    log_path = log_dir / f"gunicorn-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(serve_command(workers, bind, app), cwd=ROOT, env={**os.environ, **env},
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = GunicornServer(process, f"http://{bind}", log_path)
    try:
        try:
            wait_for_health(server.url, process, timeout)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"{error}\n--- gunicorn log ---\n{server.log()}") from None
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
