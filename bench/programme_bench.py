"""The programme check (visits/programme_rules.check_programme, the pure rules the /programme page and the
findings API run) on generated programmes of 60, 300, 1,500 and 6,000 visits.

A real review week is about 60 visits for a team of six; the larger programmes grow the way a bigger review or a
whole inspectorate's week would: more team members, staff, places and cases, each person still with a few visits a
day (so the number of findings grows with the programme, not with its square). A check that grows linearly takes
about 5 times as long for 5 times the visits.
"""
from __future__ import annotations

import gc
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from visits.programme_rules import (PCase, PLocation, PMember, PNeed, PPerson, Programme,  # noqa: E402
                                    PVisit, check_programme)

SIZES = (60, 300, 1500, 6000)
MONDAY = date(2026, 11, 23)
ROLES = ("lead_reviewer", "reviewer", "reviewer", "lay_assessor", "reviewer", "reviewer")
KINDS = ("staff_interview", "staff_interview", "staff_interview", "setting_visit", "home_visit",
         "stakeholder_meeting", "team_visit", "staff_interview", "user_group_meeting", "staff_interview")


def generated(size: int) -> Programme:
    """`size` visits over Monday to Friday: one team member per ten visits (two visits a day each), one place per
    ten visits, one member of staff per two; one case per ten, each with its home visit."""
    members = [PMember(1 + n, f"Member {n}", ROLES[n % len(ROLES)]) for n in range(max(6, size // 10))]
    locations = [PLocation(1 + n, f"Place {n}", ("council_office", "day_facility", "home")[n % 3], n % 10)
                 for n in range(max(5, size // 10))]
    staff = [PPerson(1 + n, f"Staff {n}", "staff", locations[n % len(locations)].id) for n in range(size // 2)]
    service_users = [PPerson(100_000 + n, f"Service user {n}", "service_user") for n in range(max(1, size // 10))]
    cases = [PCase(1 + n, f"C{n:05d}", "identified", service_users[n].id, staff[n % len(staff)].id,
                   (staff[(n + 1) % len(staff)].id,)) for n in range(len(service_users))]
    needs = [PNeed(person.id, "interpreting", ("requested", "arranged")[n % 2])
             for n, person in enumerate(service_users[::5])]
    visits = []
    for n in range(size):
        member = members[n % len(members)]
        slot = n // len(members)  # this member's slot of the week: two a day
        day, half = slot % 5, (slot // 5) % 2
        start = datetime.combine(MONDAY + timedelta(days=day), datetime.min.time()).replace(
            hour=9 + 4 * half + (slot // 10) % 3, minute=15 * (n % 3))
        kind = KINDS[n % len(KINDS)]
        case = cases[(n // len(KINDS)) % len(cases)] if kind == "home_visit" else None
        participants = (case.service_user_id,) if case else (staff[n % len(staff)].id,)
        team = (member.user_id,) + ((members[(n + 1) % len(members)].user_id,) if n % 7 == 0 else ())
        visits.append(PVisit(id=1 + n, kind=kind, title=f"Visit {n}", starts_at=start,
                             ends_at=start + timedelta(minutes=60 if kind != "home_visit" else 45),
                             location_id=locations[n % len(locations)].id, team=team, participants=participants,
                             case_id=case.id if case else None,
                             expected_count=10 if kind == "user_group_meeting" else None))
    travel = {(a.id, b.id): 10 + (a.id * 7 + b.id) % 30 for a in locations[:50] for b in locations[:50] if a.id < b.id}
    return Programme(visits=visits, locations=locations, people=staff + service_users, members=members,
                     cases=cases, needs=needs, travel=travel, on_site_from=MONDAY,
                     on_site_to=MONDAY + timedelta(days=4))


def figures(sizes: tuple[int, ...] = SIZES, rounds: int = 3) -> dict[int, dict]:
    """{size: {"ms": median milliseconds of check_programme, "findings": how many}}."""
    measured = {}
    for size in sizes:
        programme = generated(size)
        samples, findings = [], []
        for _ in range(rounds):
            # A fresh snapshot each round: the check's cached lookups are part of what it costs.
            fresh = Programme(**{name: getattr(programme, name) for name in (
                "visits", "locations", "people", "members", "cases", "needs", "travel", "on_site_from",
                "on_site_to")})
            gc.collect()
            started = time.perf_counter()
            findings = check_programme(fresh)
            samples.append(time.perf_counter() - started)
        measured[size] = {"ms": statistics.median(samples) * 1000, "findings": len(findings)}
    return measured


def lines(measured: dict[int, dict]) -> list[str]:
    sizes = sorted(measured)
    out = ["| visits | check ms | findings | time against the previous size |", "|---:|---:|---:|---:|"]
    for before, size in zip([None] + sizes, sizes):
        growth = (f"{measured[size]['ms'] / measured[before]['ms']:.1f}x for {size / before:.0f}x the visits"
                  if before else "")
        out.append(f"| {size:,} | {measured[size]['ms']:.0f} | {measured[size]['findings']:,} | {growth} |")
    return out


if __name__ == "__main__":
    print("\n".join(lines(figures())))
