"""Pure builders of programme snapshots (`Programme`, `PVisit`...), so a rule's test states only what the rule
looks at. They touch no database: the `gen_*` generators in factories.py write rows, these build values.

The on-site week is Monday 10 to Friday 14 March 2025; `day=0` is the Monday. Everything not given gets a
harmless default: an interview at County Hall from 10:00 to 11:00 with Rhys Reviewer. The team has the names of
the shared world's review A (world.py).
"""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Iterable, Optional

from visits.programme_rules import PCase, PLocation, PMember, PNeed, Programme, PPerson, PVisit

MONDAY = date(2025, 3, 10)
FRIDAY = MONDAY + timedelta(days=4)

LEAD, REVIEWER, REVIEWER_2, LAY_ASSESSOR, LINK_OFFICER = 1, 2, 3, 4, 5
MEMBERS = (
    PMember(LEAD, "Lowri Lead", "lead_reviewer"),
    PMember(REVIEWER, "Rhys Reviewer", "reviewer"),
    PMember(REVIEWER_2, "Ffion Reviewer", "reviewer"),
    PMember(LAY_ASSESSOR, "Lena Lay", "lay_assessor"),
    PMember(LINK_OFFICER, "Lyn Link", "link_officer"),
)

COUNTY_HALL, DAY_CENTRE, NORTHGATE = 10, 11, 12
LOCATIONS = (
    PLocation(COUNTY_HALL, "County Hall", "council_office"),
    PLocation(DAY_CENTRE, "Riverside Day Centre", "day_facility"),
    # No staff car park: the guide's "build in extra time".
    PLocation(NORTHGATE, "Northgate Office", "council_office", parking_minutes=10),
)

_visit_ids = itertools.count(1000)


def at(day: int, clock: str) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(MONDAY + timedelta(days=day), datetime.min.time()).replace(hour=hours, minute=minutes)


def visit(kind: str = "staff_interview", *, day: int = 0, start: str = "10:00", minutes: int = 60,
          place: Optional[int] = COUNTY_HALL, team: Iterable[int] = (REVIEWER,), with_: Iterable[int] = (),
          case: Optional[int] = None, status: str = "planned", expected: Optional[int] = None,
          title: Optional[str] = None) -> PVisit:
    starts_at = at(day, start)
    return PVisit(id=next(_visit_ids), kind=kind, title=title or kind.replace("_", " ").capitalize(),
                  starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), location_id=place,
                  team=tuple(team), participants=tuple(with_), case_id=case, status=status,
                  expected_count=expected)


def staff(person_id: int, name: str, office: Optional[int] = None) -> PPerson:
    return PPerson(person_id, name, "staff", office)


def service_user(person_id: int, name: str) -> PPerson:
    return PPerson(person_id, name, "service_user")


def case(case_id: int, reference: str, *, status: str = "identified", service_user_id: Optional[int] = None,
         team_leader: Optional[int] = None, social_workers: Iterable[int] = ()) -> PCase:
    return PCase(case_id, reference, status, service_user_id, team_leader, tuple(social_workers))


def need(participant_id: int, type: str = "interpreting", status: str = "requested") -> PNeed:
    return PNeed(participant_id, type, status)


def programme(*visits: PVisit, people: Iterable[PPerson] = (), cases: Iterable[PCase] = (),
              needs: Iterable[PNeed] = (), travel: Optional[dict] = None,
              locations: Iterable[PLocation] = LOCATIONS, members: Iterable[PMember] = MEMBERS) -> Programme:
    return Programme(visits=visits, locations=tuple(locations), people=tuple(people), members=tuple(members),
                     cases=tuple(cases), needs=tuple(needs), travel=travel or {}, on_site_from=MONDAY,
                     on_site_to=FRIDAY)


def case_sample(identified: int = 15, with_home_visit: int = 12) -> tuple[list[PCase], list[PPerson], list[PVisit]]:
    """A sample of `identified` cases, the first `with_home_visit` of them with an evening home visit planned.

    The home visits are spread one an evening per reviewer, each at its own address, so they break no other
    rule; a service user is person 500 + n for case n.
    """
    cases, people, home_visits = [], [], []
    slots = itertools.product(range(5), (LEAD, REVIEWER, REVIEWER_2))
    for number in range(1, identified + 1):
        person_id = 500 + number
        people.append(service_user(person_id, f"Service User {number}"))
        cases.append(case(number, f"C-{number:02d}", service_user_id=person_id))
        if number <= with_home_visit:
            day, reviewer = next(slots)
            home_visits.append(visit("home_visit", day=day, start="18:00", place=None, team=(reviewer,),
                                     with_=(person_id,), case=number, title=f"Home visit C-{number:02d}"))
    return cases, people, home_visits
