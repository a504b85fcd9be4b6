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


def load(url: str, cookies=None, clients: int = CLIENTS, seconds: float = SECONDS) -> dict:
    """`clients` threads GET `url` as fast as answers come for `seconds` (after one warm-up request each)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = [0.0]

    def client():
        session = requests.Session()
        if cookies is not None:
            session.cookies.update(cookies)
        session.get(url, timeout=30)
        while time.perf_counter() < stop_at[0]:
            started = time.perf_counter()
            answer = session.get(url, timeout=30)
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                errors[0] += answer.status_code != 200

    stop_at[0] = time.perf_counter() + seconds
    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"rps": len(ordered) / elapsed, "p50": statistics.median(ordered) * 1000,
            "p95": ordered[int(0.95 * (len(ordered) - 1))] * 1000, "requests": len(ordered), "errors": errors[0]}


def figures(workers: int = WORKERS) -> dict:
    from datetime import timedelta

    from visits.clock import today_in

    with demo_server(workers) as server:
        # The lay assessor's day on the demo's busiest day (Tuesday of the on-site week; the demo starts today).
        session = signed_in(server.url, "lay@demo.test")
        day = (today_in() + timedelta(days=1)).isoformat()
        page = load(f"{server.url}/itinerary?date={day}", cookies=session.cookies)
    with bare_server(workers) as server:
        bare = load(f"{server.url}/bare")
    return {"workers": workers, "clients": CLIENTS, "seconds": SECONDS, "itinerary": page, "bare": bare,
            "ratio_rps": bare["rps"] / page["rps"], "ratio_p50": page["p50"] / bare["p50"]}


def lines(measured: dict) -> list[str]:
    out = [f"gunicorn -w {measured['workers']}, {measured['clients']} concurrent clients for "
           f"{measured['seconds']:.0f} s each, client on the same machine",
           "| endpoint | requests/s | p50 ms | p95 ms | requests | errors |", "|---|---:|---:|---:|---:|---:|"]
    for name, label in (("itinerary", "itinerary page (lay assessor, signed in)"), ("bare", "bare Flask endpoint")):
        row = measured[name]
        out.append(f"| {label} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p95']:.1f} | {row['requests']} | "
                   f"{row['errors']} |")
    out.append(f"| ratio | {measured['ratio_rps']:.1f}x fewer | {measured['ratio_p50']:.1f}x slower | | | |")
    return out


if __name__ == "__main__":
    print("\n".join(lines(figures())))
