"""Two reviews with one person of every role, used by the permission and itinerary tests.

Review A is on site this week; review B is another council's, sharing one reviewer (Rhys) with A.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from visits.extensions import db

from .. import factories as f


@dataclass
class World:
    review_a: object
    review_b: object
    people: dict          # role name -> user (review A), plus "lead_b", "link_b"
    home_visit: object    # Rhys's home visit in A, with a service user who needs an interpreter
    setting_visit: object  # the lay assessor's day-centre visit in A
    interview: object     # reviewer2's staff interview in A
    visit_b: object       # Rhys's interview in review B
    meeting_b: object     # a review-B stakeholder meeting Rhys is not on
    service_user: object


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def build_world(day: date | None = None) -> World:
    day = day or date.today()
    a = f.make_review("Cwm Taf Valleys Council", on_site_from=day)
    b = f.make_review("Glan-y-Môr County Council", on_site_from=day)
    people = {
        "lead_reviewer": f.make_member(a, "lead_reviewer", name="Lowri Lead"),
        "reviewer": f.make_member(a, "reviewer", name="Rhys Reviewer"),
        "reviewer2": f.make_member(a, "reviewer", name="Ffion Reviewer"),
        "lay_assessor": f.make_member(a, "lay_assessor", name="Lena Lay"),
        "link_officer": f.make_member(a, "link_officer", name="Lyn Link", phone="07700 900555"),
        "coordinator": f.make_member(a, "coordinator", name="Cerys Coordinator"),
        "lead_b": f.make_member(b, "lead_reviewer", name="Bethan Lead"),
        "link_b": f.make_member(b, "link_officer", name="Bryn Link"),
    }
    f.join(people["reviewer"], b, "reviewer")

    office = f.make_location(a, "council_office", name="Civic Centre", address="Civic Centre, Cwmtown CF1 1AA")
    day_centre = f.make_location(a, "day_facility", name="Maes Day Centre", address="Maes Road, Cwmtown CF1 2BB")
    home = f.make_location(a, "home", name="Home of Mrs A. Jones", address="4 Secret Lane, Cwmtown CF1 9ZZ")
    service_user = f.make_participant(a, "service_user", name="Mrs A. Jones", phone="07700 900777")
    f.make_need(service_user, "interpreting", "Polish")
    social_worker = f.make_participant(a, "staff", name="Sam Social Worker", job_title="Social worker")
    case = f.make_case(a, service_user, reference="CTV-001")

    home_visit = f.make_visit(a, team=[people["reviewer"]], participants=[service_user], kind="home_visit",
                              starts_at=at(day, 18), minutes=45, location=home, case=case,
                              title="Home visit CTV-001")
    # Briefings are free text for the team, and name people: the coordinator must not read them.
    home_visit.briefing = "Mrs A. Jones lives alone; ring twice"
    setting_visit = f.make_visit(a, team=[people["lay_assessor"]], kind="setting_visit", starts_at=at(day, 10),
                                 location=day_centre, title="Maes Day Centre")
    interview = f.make_visit(a, team=[people["reviewer2"]], participants=[social_worker], kind="staff_interview",
                             starts_at=at(day, 11), location=office, title="Interview: Sam Social Worker")

    office_b = f.make_location(b, "council_office", name="County Hall B")
    visit_b = f.make_visit(b, team=[people["reviewer"]], kind="staff_interview", starts_at=at(day, 9),
                           location=office_b, title="Interview in review B")
    meeting_b = f.make_visit(b, team=[people["lead_b"]], kind="stakeholder_meeting",
                             starts_at=at(day + timedelta(days=1), 14), location=office_b,
                             title="Partners meeting B")
    db.session.commit()
    return World(a, b, people, home_visit, setting_visit, interview, visit_b, meeting_b, service_user)
