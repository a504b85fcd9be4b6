"""The demo review served by gunicorn on a throwaway SQLite file, signed in: what make bench's page figures and
make lighthouse measure against. The command line is `make serve`'s (tests/support/gunicorn.py)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.gunicorn import gunicorn_server  # noqa: E402

DEMO_PASSWORD = "bench-demo-password"
WORKERS = int(os.environ.get("WORKERS", "4"))


@contextmanager
def demo_server(workers: int = WORKERS, database_url: str | None = None):
    """Yields the server (its .url) once the demo is loaded (on `database_url`, else a new SQLite file; an existing
    database must be empty) and /healthz answers."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"DATABASE_URL": database_url or f"sqlite:///{folder}/demo.sqlite", "SECRET_KEY": "bench-secret",
               "DEMO_PASSWORD": DEMO_PASSWORD, "FLASK_APP": "app", "FIELDWORK_ENV": "development"}
        flask = str(Path(sys.executable).with_name("flask"))
        for command in (["init-db"], ["seed-demo"]):
            subprocess.run([flask, *command], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)
        with gunicorn_server(env, workers=workers, log_dir=Path(folder)) as server:
            yield server


@contextmanager
def bare_server(workers: int = WORKERS):
    with tempfile.TemporaryDirectory() as folder:
        with gunicorn_server({}, workers=workers, log_dir=Path(folder), app="bench.bare_app:create_app()") as server:
            yield server


def signed_in(base_url: str, email: str) -> requests.Session:
    """A session signed in as a demo account (the demo's accounts need no second factor)."""
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{base_url}/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.status_code
    return session


def first_visit_url(session: requests.Session, base_url: str) -> str:
    """The first visit page linked from the person's itinerary of the demo week."""
    for day in range(7):
        page = session.get(f"{base_url}/itinerary", params={"date": _demo_day(day)}, timeout=10).text
        found = re.search(r'href="(/visits/\d+)"', page)
        if found:
            return base_url + found.group(1)
    raise LookupError("no visit on the demo itinerary")


def _demo_day(offset: int) -> str:
    from datetime import timedelta

    from visits.clock import today_in

    return (today_in() + timedelta(days=offset)).isoformat()
