"""A throwaway PostgreSQL server for the tests that prove the code runs on PostgreSQL as well as SQLite.

Uses FIELDWORK_TEST_DATABASE_URL when set; otherwise starts a private cluster from Debian's PostgreSQL binaries
(installed by `make test`) in a temporary directory, as the `postgres` user, on a free port, and stops it after.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

def _server_binaries() -> Path:
    """Debian puts each major version under /usr/lib/postgresql/<version>/bin: take the newest."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else Path("/nonexistent")


BIN = _server_binaries()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    # No pipes: the server that pg_ctl starts would hold them open and this call would never return.
    subprocess.run(prefix + list(command), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=60)


@contextmanager
def throwaway_postgres():
    """Yields a SQLAlchemy URL, or None when no PostgreSQL can be had here (the caller skips, loudly)."""
    url = os.environ.get("FIELDWORK_TEST_DATABASE_URL")
    if url:
        yield url
        return
    if not (BIN / "initdb").exists():
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="fieldwork-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    try:
        _as_postgres(str(BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
                     "-o", f"-p {port} -k {folder} -c fsync=off", "-w", "start")
        _as_postgres(str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "fieldwork")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/fieldwork"
    finally:
        if (data / "postmaster.pid").exists():
            _as_postgres(str(BIN / "pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop")
        shutil.rmtree(folder, ignore_errors=True)
