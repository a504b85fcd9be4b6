"""A throwaway Redis server for the tests of the job runner's queue on Redis (several hosts).

Uses FIELDWORK_TEST_REDIS_URL when set; otherwise starts Debian's redis-server (installed by `make test`) on a free
loopback port with nothing kept on disk, and stops it after.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def throwaway_redis():
    """Yields a redis:// URL, or None when no redis-server can be had here (the caller skips, loudly)."""
    url = os.environ.get("FIELDWORK_TEST_REDIS_URL")
    if url:
        yield url
        return
    if not os.path.exists(REDIS_SERVER):
        yield None
        return
    folder = tempfile.mkdtemp(prefix="fieldwork-redis-")
    port = _free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", folder, "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _answers(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(folder, ignore_errors=True)
