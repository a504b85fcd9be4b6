"""A review set up for the link officer's console tests: every role, places, staff, a service user with a need,
a case, and a few visits. The service user's name and the note body are distinctive so a test can assert they
never appear where they must not."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from visits.extensions import db

from .. import factories as f
from ..conftest import Client, csrf_from

SERVICE_USER_NAME = "Mrs Gwenllian Secretname"
HOME_ADDRESS = "7 Hidden Row, Cwmtown CF9 9ZZ"
NOTE_BODY = "Private note body: the kitchen was cold and Mrs S. seemed worried."


@dataclass
class Console:
    review: object
    other_review: object
    lead: object
    reviewer: object
    reviewer2: object
    lay: object
    link: object
    coordinator: object
    link_b: object
    office: object
    day_centre: object
    home: object
    team_leader: object
    social_worker: object
    service_user: object
    need: object
    case: object
    interview: object
    home_visit: object
    setting_visit: object
    day: date

    def role(self, name: str):
        return getattr(self, name)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def build_console(day: date | None = None) -> Console:
    day = day or date.today() + timedelta(days=7)
    review = f.make_review("Cwm Taf Valleys Council", on_site_from=day)
    other = f.make_review("Glan-y-Môr County Council", on_site_from=day)
    lead = f.make_member(review, "lead_reviewer", name="Lowri Lead", phone="07700 900101")
    reviewer = f.make_member(review, "reviewer", name="Rhys Reviewer", phone="07700 900102")
    reviewer2 = f.make_member(review, "reviewer", name="Ffion Reviewer", phone="07700 900103")
    lay = f.make_member(review, "lay_assessor", name="Lena Lay", phone="07700 900104")
    link = f.make_member(review, "link_officer", name="Lyn Link", phone="07700 900105")
    coordinator = f.make_member(review, "coordinator", name="Cerys Coordinator")
    link_b = f.make_member(other, "link_officer", name="Bryn Link")

    office = f.make_location(review, "council_office", name="Civic Centre", address="Civic Centre, Cwmtown")
    day_centre = f.make_location(review, "day_facility", name="Maes Day Centre", address="Maes Road, Cwmtown")
    home = f.make_location(review, "home", name="Home (GS)", address=HOME_ADDRESS)
    team_leader = f.make_participant(review, "staff", name="Tomos Teamleader", job_title="Team leader",
                                     office_id=office.id)
    social_worker = f.make_participant(review, "staff", name="Sian Socialworker", job_title="Social worker",
                                       office_id=office.id)
    service_user = f.make_participant(review, "service_user", name=SERVICE_USER_NAME, phone="01632 960111")
    need = f.make_need(service_user, "interpreting", "Polish")
    case = f.make_case(review, service_user, reference="AD-014")
    case.team_leader = team_leader
    case.social_workers = [social_worker]

    interview = f.make_visit(review, [reviewer], [social_worker], "staff_interview", at(day, 10), 60, office,
                             title="Interview: social worker")
    home_visit = f.make_visit(review, [reviewer, reviewer2], [service_user], "home_visit", at(day, 18), 45, home,
                              case=case, title="Home visit AD-014")
    setting_visit = f.make_visit(review, [lay], [], "setting_visit", at(day, 14), 90, day_centre,
                                 title="Maes Day Centre visit")
    f.make_note(home_visit, reviewer, NOTE_BODY, kind="home_visit")
    db.session.commit()
    return Console(review, other, lead, reviewer, reviewer2, lay, link, coordinator, link_b, office, day_centre,
                   home, team_leader, social_worker, service_user, need, case, interview, home_visit,
                   setting_visit, day)


class ConsoleClient(Client):
    """The shared test client, able to post while signed in (its CSRF token comes from a page that signed-in
    people can open) and to sign in as someone else (a fresh cookie jar each time)."""

    def login(self, user, *args, **kwargs):
        self.http = self.app.test_client()
        return super().login(user, *args, **kwargs)

    def csrf(self) -> str:
        page = self.http.get("/glossary")
        return csrf_from(page if page.status_code == 200 else self.http.get("/login"))


@pytest.fixture
def client(app):
    return ConsoleClient(app)
