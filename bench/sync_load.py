"""50 phones syncing at once, against gunicorn with several workers on PostgreSQL (issue 12, item 12).

- Steady rush: each of 50 signed-in clients sends a batch of 20 note.save operations every 10 seconds for a minute,
  the clients spread evenly over those 10 seconds (100 operations a second offered).
- Burst: all 50 send a batch of 20 at the same moment (a room of reviewers finding signal together), three times.

Each client is a thread with its own requests.Session (its own cookie and CSRF token), posting to POST /api/sync as
the outbox does. Printed: p50, p95 and max latency of a batch, the operations applied per second, and whether every
operation was answered `applied` (each one once: the ledger is counted after). Targets: steady p95 < 300 ms, burst
p95 < 1 s. Loopback only, bounded in count and time.

    .venv/bin/python bench/sync_load.py            # the full minute (make bench)
    .venv/bin/python bench/sync_load.py --quick    # 20 seconds of rush and one burst, for development

bench/run.py calls `figures()` and `lines(figures)`.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import requests

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLIENTS = 50
OPS_PER_BATCH = 20
PERIOD_S = 10.0
RUSH_S = 60.0
BURSTS = 3
WORKERS = int(os.environ.get("WORKERS", "4"))
TARGETS = {"steady": 0.300, "burst": 1.0}  # p95, seconds


def _prepare(url: str, clients: int) -> list[tuple[str, int]]:
    """A review with `clients` reviewers, each on a home visit of their own: (email, visit id) for each."""
    from app import create_app
    from tests.support import factories as f
    from visits.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.drop_all()
        db.create_all()
        review = f.gen_review("Sync load council")
        people = []
        for n in range(clients):
            reviewer = f.gen_member(review, "reviewer", name=f"Reviewer {n}", email=f"reviewer{n}@load.test")
            visit = f.gen_visit(review, team=[reviewer], kind="home_visit", title=f"Home visit {n}")
            people.append((reviewer.email, visit.id))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return people


def _sign_in(base: str, email: str) -> tuple[requests.Session, str]:
    import re

    from tests.support.factories import PASSWORD

    session = requests.Session()
    page = session.get(f"{base}/login", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = session.post(f"{base}/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=30)
    assert answer.status_code in (302, 303), (email, answer.status_code)
    return session, session.get(f"{base}/api/csrf", timeout=30).json()["csrf_token"]


def _batch(visit_id: int, client: int, round_number: int) -> list[dict]:
    return [{"op_id": str(uuid.uuid4()), "type": "note.save", "base_version": None,
             "data": {"note_id": str(uuid.uuid4()), "visit_id": visit_id, "kind": "home_visit",
                      "body": f"Client {client}, round {round_number}, note {n}: met the service user at home; "
                              "she described the wait for her assessment and the help her carer gives."}}
            for n in range(OPS_PER_BATCH)]


class _Phone:
    def __init__(self, base: str, index: int, email: str, visit_id: int):
        self.base, self.index, self.visit_id = base, index, visit_id
        self.session, self.csrf = _sign_in(base, email)

    def sync(self, round_number: int) -> tuple[float, int, int]:
        """One batch: (seconds, operations applied, operations sent)."""
        ops = _batch(self.visit_id, self.index, round_number)
        started = time.perf_counter()
        response = self.session.post(f"{self.base}/api/sync", json={"ops": ops}, headers={"X-CSRFToken": self.csrf},
                                     timeout=120)
        took = time.perf_counter() - started
        applied = 0
        if response.status_code == 200:
            applied = sum(answer["status"] == "applied" for answer in response.json()["results"])
        return took, applied, len(ops)


def _summary(samples: list[tuple[float, int, int]], wall: float) -> dict:
    latencies = sorted(sample[0] for sample in samples)
    p95_index = max(0, int(round(0.95 * len(latencies))) - 1)
    return {"batches": len(samples), "p50_ms": statistics.median(latencies) * 1000,
            "p95_ms": latencies[p95_index] * 1000, "max_ms": latencies[-1] * 1000,
            "applied": sum(s[1] for s in samples), "sent": sum(s[2] for s in samples),
            "ops_per_s": sum(s[1] for s in samples) / wall, "wall_s": wall}


def _steady(phones: list[_Phone], rush_s: float) -> dict:
    """Each phone syncs every PERIOD_S, the phones' moments spread evenly over the period."""
    samples: list = []
    lock = threading.Lock()
    rounds = max(1, int(rush_s // PERIOD_S))
    start = time.perf_counter() + 0.5

    def phone_loop(phone: _Phone) -> None:
        offset = PERIOD_S * phone.index / len(phones)
        for round_number in range(rounds):
            delay = start + offset + round_number * PERIOD_S - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sample = phone.sync(round_number)
            with lock:
                samples.append(sample)

    threads = [threading.Thread(target=phone_loop, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=rush_s + 300)
    return _summary(samples, time.perf_counter() - start)


def _burst(phones: list[_Phone], bursts: int) -> dict:
    """All phones send at the same moment; the next burst once every answer of this one is in."""
    samples: list = []
    lock = threading.Lock()
    wall = 0.0
    for burst in range(bursts):
        gate = threading.Barrier(len(phones) + 1)

        def phone_once(phone: _Phone, burst: int = burst) -> None:
            gate.wait()
            sample = phone.sync(1000 + burst)
            with lock:
                samples.append(sample)

        threads = [threading.Thread(target=phone_once, args=(phone,)) for phone in phones]
        for thread in threads:
            thread.start()
        gate.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join(timeout=300)
        wall += time.perf_counter() - started
        time.sleep(1.0)
    return _summary(samples, wall)


def _ledger_count(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        counted = connection.execute(text("SELECT count(*) FROM operations")).scalar_one()
    engine.dispose()
    return counted


@contextmanager
def _postgres():
    from tests.support.postgres import throwaway_postgres

    with throwaway_postgres() as url:
        yield url


def figures(quick: bool = False, clients: int = CLIENTS, workers: int = WORKERS) -> dict:
    """{"steady": {...}, "burst": {...}, "workers", "clients", "quick", "ledger_ok"}; {"skipped": reason} when no
    PostgreSQL can be started here."""
    from tests.support.gunicorn import gunicorn_server

    with _postgres() as url:
        if url is None:
            return {"skipped": "no PostgreSQL server binaries on this machine"}
        people = _prepare(url, clients)
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench-sync-load", "FIELDWORK_ENV": "development",
               "LOGIN_RATE_LIMIT": "100000 per minute"}
        with tempfile.TemporaryDirectory() as folder:
            with gunicorn_server(env, workers=workers, log_dir=Path(folder), timeout=60) as server:
                phones = [_Phone(server.url, n, email, visit_id) for n, (email, visit_id) in enumerate(people)]
                steady = _steady(phones, 20.0 if quick else RUSH_S)
                burst = _burst(phones, 1 if quick else BURSTS)
        ledger = _ledger_count(url)
    return {"steady": steady, "burst": burst, "workers": workers, "clients": clients, "quick": quick,
            "ledger_ok": ledger == steady["applied"] + burst["applied"], "ledger": ledger}


def lines(measured: dict) -> list[str]:
    if "skipped" in measured:
        return [f"(50 syncing clients not measured: {measured['skipped']})"]
    out = [f"{measured['clients']} clients, {OPS_PER_BATCH} note.save operations a batch, gunicorn "
           f"{measured['workers']} workers on PostgreSQL{' (quick run)' if measured['quick'] else ''}", "",
           "| load | batches | p50 ms | p95 ms | max ms | operations/s | applied | target p95 |",
           "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, label in (("steady", "steady rush (a batch every 10 s each)"), ("burst", "burst (all at once)")):
        row = measured[name]
        target = TARGETS[name] * 1000
        met = "met" if row["p95_ms"] < target else "MISSED"
        out.append(f"| {label} | {row['batches']} | {row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['max_ms']:.0f} | "
                   f"{row['ops_per_s']:.0f} | {row['applied']}/{row['sent']} | < {target:.0f} ms: {met} |")
    out += ["", f"Ledger rows after the run: {measured['ledger']} "
                f"({'each applied operation stored once' if measured['ledger_ok'] else 'MISMATCH'})"]
    return out


def main(argv: Optional[list[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    print("\n".join(lines(figures(quick="--quick" in argv))))


if __name__ == "__main__":
    main()
