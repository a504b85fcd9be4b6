"""Fieldwork's itinerary page against a bare Flask endpoint, both under the same gunicorn command line (make serve's,
WORKERS workers), loaded by the same client: requests per second and p50/p95 latency, and the ratio between them.

The client runs on the same machine (threads, one keep-alive-less connection per request, as gunicorn's sync
workers close each connection), so on two cores it competes with the server: the absolute figures are a floor for
what one host serves, the ratio is the page's own cost.
"""
from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.served import WORKERS, bare_server, demo_server, signed_in  # noqa: E402

CLIENTS = 8
SECONDS = 8.0


def load(url: str, sign_in=None, clients: int = CLIENTS, seconds: float = SECONDS) -> dict:
    """`clients` threads GET `url` as fast as answers come for `seconds` (after one warm-up request each). With
    `sign_in`, each client signs in with its own session first, as eight people's phones would."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = [0.0]

    sessions = [sign_in() if sign_in else requests.Session() for _ in range(clients)]

    def client(session):
        while time.perf_counter() < stop_at[0]:
            started = time.perf_counter()
            answer = session.get(url, timeout=30)
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                errors[0] += answer.status_code != 200

    for session in sessions:
        session.get(url, timeout=30)
    stop_at[0] = time.perf_counter() + seconds
    threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"rps": len(ordered) / elapsed, "p50": statistics.median(ordered) * 1000,
            "p95": ordered[int(0.95 * (len(ordered) - 1))] * 1000, "requests": len(ordered), "errors": errors[0]}


def _itinerary(workers: int, database_url: str | None) -> dict:
    from datetime import timedelta

    from visits.clock import today_in

    with demo_server(workers, database_url) as server:
        # The lay assessor's day tomorrow on the demo (which starts today): a day of visits naming service users,
        # so each view also writes its audit event, as in the field.
        day = (today_in() + timedelta(days=1)).isoformat()
        return load(f"{server.url}/itinerary?date={day}", sign_in=lambda: signed_in(server.url, "lay@demo.test"))


def figures(workers: int = WORKERS) -> dict:
    """The page on SQLite and, when a throwaway server can be started, PostgreSQL (what several workers are for)."""
    from tests.support.postgres import throwaway_postgres

    pages = {"SQLite": _itinerary(workers, None)}
    with throwaway_postgres() as url:
        if url is not None:
            pages["PostgreSQL"] = _itinerary(workers, url)
    with bare_server(workers) as server:
        bare = load(f"{server.url}/bare")
    return {"workers": workers, "clients": CLIENTS, "seconds": SECONDS, "pages": pages, "bare": bare}


def lines(measured: dict) -> list[str]:
    out = [f"gunicorn -w {measured['workers']}, {measured['clients']} concurrent clients for "
           f"{measured['seconds']:.0f} s each, client on the same machine", "",
           "| endpoint | requests/s | p50 ms | p95 ms | requests | errors |", "|---|---:|---:|---:|---:|---:|"]
    rows = [(f"itinerary page, {database} (lay assessor, signed in)", row) for database, row in
            measured["pages"].items()] + [("bare Flask endpoint", measured["bare"])]
    for label, row in rows:
        out.append(f"| {label} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p95']:.1f} | {row['requests']} | "
                   f"{row['errors']} |")
    bare = measured["bare"]
    for database, row in measured["pages"].items():
        out.append(f"| ratio, {database} page to bare | {bare['rps'] / row['rps']:.1f}x fewer | "
                   f"{row['p50'] / bare['p50']:.1f}x slower | {row['p95'] / bare['p95']:.1f}x slower | | |")
    return out


if __name__ == "__main__":
    print("\n".join(lines(figures())))
