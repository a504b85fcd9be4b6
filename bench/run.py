"""`make bench`: figures measured side by side in one run, printed, never asserted (shared machines are noisy).

- App shell weight: every file the service worker precaches, gzipped, against the 60 KB budget.
- Itinerary: the link officer's whole-programme day against the lay assessor's own day, on the demo review.
- Sync: applying a batch of fresh operations against replaying the same batch (all duplicates).
- Memory: peak Python allocation while rendering a link officer's week.
"""
from __future__ import annotations

import gzip
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from visits.demo import build_demo  # noqa: E402
from visits.extensions import db  # noqa: E402
from visits.i18n import today_in  # noqa: E402
from visits.models import User  # noqa: E402
from visits.offline.build import SHELL_FILES  # noqa: E402

SHELL_BUDGET = 60 * 1024


def timed(action, repeat: int = 15) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def shell_weight() -> int:
    return sum(len(gzip.compress((ROOT / "static" / name).read_bytes(), 9)) for name in SHELL_FILES)


def main() -> None:
    weight = shell_weight()
    print(f"app shell, gzipped: {weight / 1024:.1f} KB of {SHELL_BUDGET / 1024:.0f} KB "
          f"({weight / SHELL_BUDGET:.0%} of budget)")

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "SECRET_KEY": "bench",
                          "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            db.create_all()
            build_demo(db.session, today_in(), "bench-password")
            db.session.commit()
            users = {u.email: u for u in db.session.scalars(db.select(User))}

        clients = {}
        for email in ("link@demo.test", "lay@demo.test", "reviewer@demo.test"):
            client = app.test_client()
            response = client.post("/login", data={"email": email, "password": "bench-password"})
            assert response.status_code == 302, response.status_code
            clients[email] = client

        day = today_in().isoformat()
        link = timed(lambda: clients["link@demo.test"].get(f"/itinerary?date={day}"))
        lay = timed(lambda: clients["lay@demo.test"].get(f"/itinerary?date={day}"))
        print(f"itinerary page, median of 15: link officer {link * 1000:.1f} ms, lay assessor {lay * 1000:.1f} ms "
              f"(ratio {link / lay:.1f}x: the whole programme against one person's day)")

        week_end = (today_in() + timedelta(days=6)).isoformat()
        tracemalloc.start()
        clients["link@demo.test"].get(f"/api/itinerary?from={day}&to={week_end}")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"link officer's week as JSON: peak Python allocation {peak / 1024 / 1024:.1f} MiB")

        with app.app_context():
            from visits.models import Visit, visit_team

            reviewer = users["reviewer@demo.test"]
            visit_ids = db.session.scalars(db.select(visit_team.c.visit_id).where(
                visit_team.c.user_id == reviewer.id)).all()
            visits = db.session.scalars(db.select(Visit).where(Visit.id.in_(visit_ids))).all()
            targets = [(v.id, a.participant_id) for v in visits for a in v.attendances][:100]
        if not targets:
            print("sync: the demo gave the reviewer no participants to mark; skipped")
            return
        ops = [{"op_id": str(uuid.uuid4()), "type": "attendance.set", "base_version": None,
                "data": {"visit_id": visit_id, "participant_id": participant_id, "status": "attended",
                         "at": "2026-11-23T10:00:00+00:00"}} for visit_id, participant_id in targets]
        client = clients["reviewer@demo.test"]
        start = time.perf_counter()
        first = client.post("/api/sync", json={"ops": ops})
        fresh = time.perf_counter() - start
        start = time.perf_counter()
        again = client.post("/api/sync", json={"ops": ops})
        replay = time.perf_counter() - start
        statuses = {r["status"] for r in first.get_json()["results"]}
        replayed = {r["status"] for r in again.get_json()["results"]}
        print(f"sync of {len(ops)} operations: first {fresh * 1000:.0f} ms {sorted(statuses)}, "
              f"replay {replay * 1000:.0f} ms {sorted(replayed)} (ratio {fresh / replay:.1f}x)")


if __name__ == "__main__":
    main()
