"""`make bench`: figures measured side by side in one run, printed, never asserted (shared machines are noisy).

- App shell weight: every file the service worker precaches, gzipped, against the 60 KB budget.
- Itinerary: the link officer's whole-programme day against the lay assessor's own day, on the demo review.
- Sync: applying a batch of fresh operations against replaying the same batch (all duplicates).
- Memory: peak Python allocation while rendering a link officer's week.
- Evidence search: the lead's /evidence page searching a review of 500 notes against one of 5,000, on SQLite (FTS5)
  and, when tests/support/postgres.py can start one, PostgreSQL (full-text search with its GIN index).
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
from visits.clock import today_in  # noqa: E402
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


# --- evidence search -------------------------------------------------------------------------------------------

EVIDENCE_SIZES = (500, 5000)
NOTES_PER_VISIT = 5
EVIDENCE_QUERY = "assessment delays"
_WORDS = ("assessment delays carers respite waiting list social worker review plan family home visit team manager "
          "support package hospital discharge safeguarding referral advocacy interpreter welsh english morning "
          "evening transport daycentre staff training supervision caseload duty contact records consent choice "
          "involvement outcome goals independence equipment adaptation occupational therapy funding budget panel "
          "complaint praise kindness listened explained rushed cancelled late early phone letter email meeting "
          "the a and of to in was were is are had has with for on at by from they she he we it this that").split()


def _fill_evidence(sizes: tuple[int, ...]) -> dict[int, tuple[int, str]]:
    """One review per size, its lead, and that many notes of generated text on its visits (seeded: every run and
    both databases get the same words). Returns {size: (review id, lead's email)}."""
    import random
    from datetime import date, datetime, timezone

    from sqlalchemy import insert

    from visits.models import Membership, Note, NoteKind, Review, ReviewPhase, ReviewStatus, Role, Visit, VisitKind
    from visits.auth.passwords import hash_password

    rng = random.Random(11)
    password = hash_password("bench-password")
    made = {}
    now = datetime.now(timezone.utc)
    for size in sizes:
        review = Review(council_name=f"Bench council {size}", phase=ReviewPhase.fieldwork,
                        status=ReviewStatus.fieldwork, on_site_from=date(2026, 11, 23), on_site_to=date(2026, 11, 27))
        lead = User(name=f"Bench lead {size}", email=f"lead{size}@bench.test", phone="07700 900000",
                    password_hash=password, is_demo=True)
        db.session.add_all([review, lead])
        db.session.flush()
        db.session.add(Membership(review_id=review.id, user_id=lead.id, role=Role.lead_reviewer))
        visits = [{"review_id": review.id, "kind": VisitKind.staff_interview, "title": f"Interview {n}",
                   "starts_at": datetime(2026, 11, 23 + n % 5, 9 + n % 8), "ends_at": datetime(2026, 11, 23 + n % 5,
                                                                                             10 + n % 8)}
                  for n in range(size // NOTES_PER_VISIT)]
        visit_ids = db.session.scalars(insert(Visit).returning(Visit.id), visits).all()
        notes = [{"id": str(uuid.uuid4()), "visit_id": visit_ids[n // NOTES_PER_VISIT], "author_id": lead.id,
                  "kind": NoteKind.interview, "body": " ".join(rng.choices(_WORDS, k=rng.randint(60, 160))),
                  "prompts": {}, "version": 1, "created_at": now, "updated_at": now} for n in range(size)]
        db.session.execute(insert(Note), notes)
        made[size] = (review.id, lead.email)
    db.session.commit()
    return made


def _evidence_times(url: str) -> dict[int, tuple[float, int]]:
    """{size: (median seconds of the search page, notes found)}, the sizes measured in turn, round after round."""
    import re

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        made = _fill_evidence(EVIDENCE_SIZES)
        if db.engine.dialect.name == "postgresql":
            # Statistics, as autovacuum keeps them on a server in use: without them the planner guesses one visit
            # per review and works out every note's text instead of asking the full-text index (900 ms, not 10).
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
    clients, found = {}, {}
    for size, (_, email) in made.items():
        clients[size] = app.test_client()
        assert clients[size].post("/login", data={"email": email, "password": "bench-password"}).status_code == 302
    samples: dict[int, list[float]] = {size: [] for size in made}
    for _ in range(9):
        for size, (review_id, _) in made.items():
            start = time.perf_counter()
            response = clients[size].get("/evidence", query_string={"review": review_id, "q": EVIDENCE_QUERY})
            samples[size].append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
            count = re.search(r"([\d,]+) notes? found", response.get_data(as_text=True))
            found[size] = int(count.group(1).replace(",", "")) if count else -1
    with app.app_context():
        db.drop_all()
        db.engine.dispose()
    return {size: (statistics.median(samples[size]), found[size]) for size in made}


def _print_evidence(engine: str, times: dict[int, tuple[float, int]]) -> None:
    small, large = (times[size] for size in EVIDENCE_SIZES)
    print(f"evidence search '{EVIDENCE_QUERY}' ({engine}), page of 50, median of 9: "
          f"{EVIDENCE_SIZES[0]:,} notes {small[0] * 1000:.0f} ms ({small[1]:,} found), "
          f"{EVIDENCE_SIZES[1]:,} notes {large[0] * 1000:.0f} ms ({large[1]:,} found) "
          f"(ratio {large[0] / small[0]:.1f}x for {EVIDENCE_SIZES[1] // EVIDENCE_SIZES[0]}x the notes)")


def evidence_search() -> None:
    from tests.support.postgres import throwaway_postgres

    with tempfile.TemporaryDirectory() as folder:
        _print_evidence("SQLite FTS5", _evidence_times(f"sqlite:///{folder}/evidence.sqlite"))
    with throwaway_postgres() as url:
        if url is None:
            print("evidence search (PostgreSQL): no PostgreSQL server binaries here; skipped")
        else:
            _print_evidence("PostgreSQL full-text", _evidence_times(url))


if __name__ == "__main__":
    main()
    evidence_search()
