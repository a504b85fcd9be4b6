"""The one world the API and browser tests share: the same two reviews and the same people, with the same names,
in every test; a scenario adds the places, participants and visits its tests look at.

Review A ("Cwm Taf Valleys Council") is on site from `day`; review B ("Glan-y-Môr County Council") is another
council's. The people of review A: Lowri Lead, Rhys Reviewer, Ffion Reviewer, Lena Lay, Lyn Link and Cerys
Coordinator; of review B: Bethan Lead and Bryn Link.

- `field_team_world()`: one home visit today that Rhys and Lena are on (recording in the field, sync).
- `two_reviews_world()`: a day of visits across both reviews, Rhys on both (permissions, itinerary, offline).
- `console_world()`: next week's programme of review A, with a case and a note (the link officer's console).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from visits.extensions import db
from visits.models import Case, Location, NeedFlag, Participant, Review, User, Visit

from . import factories as f

SERVICE_USER_NAME = "Mrs Gwenllian Secretname"
HOME_ADDRESS = "7 Hidden Row, Cwmtown CF9 9ZZ"
NOTE_BODY = "Private note body: the kitchen was cold and Mrs S. seemed worried."


@dataclass
class World:
    day: date
    review: Review
    other_review: Review
    lead: User
    reviewer: User       # Rhys
    reviewer2: User      # Ffion, a colleague on no visit of Rhys's unless a scenario says so
    lay: User
    link: User
    coordinator: User
    lead_b: User         # review B's: outside review A
    link_b: User
    # What a scenario adds; None where it adds none.
    home_visit: Visit | None = None
    interview: Visit | None = None
    setting_visit: Visit | None = None
    visit_b: Visit | None = None     # Rhys's interview in review B
    meeting_b: Visit | None = None   # a review-B meeting Rhys is not on
    service_user: Participant | None = None
    carer: Participant | None = None
    social_worker: Participant | None = None
    team_leader: Participant | None = None
    need: NeedFlag | None = None
    case: Case | None = None
    office: Location | None = None
    day_centre: Location | None = None
    home: Location | None = None

    def member(self, role: str) -> User:
        """The person a parametrized test names by role: review A's roles, plus "reviewer2", "lead_b", "link_b"."""
        return {"lead_reviewer": self.lead, "reviewer": self.reviewer, "reviewer2": self.reviewer2,
                "lay_assessor": self.lay, "link_officer": self.link, "coordinator": self.coordinator,
                "lead_b": self.lead_b, "link_b": self.link_b}[role]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def gen_world(day: date) -> World:
    """The two reviews and their people, nothing else."""
    a = f.gen_review("Cwm Taf Valleys Council", on_site_from=day)
    b = f.gen_review("Glan-y-Môr County Council", on_site_from=day)
    return World(
        day=day, review=a, other_review=b,
        lead=f.gen_member(a, "lead_reviewer", name="Lowri Lead", phone="07700 900101"),
        reviewer=f.gen_member(a, "reviewer", name="Rhys Reviewer", phone="07700 900102"),
        reviewer2=f.gen_member(a, "reviewer", name="Ffion Reviewer", phone="07700 900103"),
        lay=f.gen_member(a, "lay_assessor", name="Lena Lay", phone="07700 900104"),
        link=f.gen_member(a, "link_officer", name="Lyn Link", phone="07700 900555"),
        coordinator=f.gen_member(a, "coordinator", name="Cerys Coordinator"),
        lead_b=f.gen_member(b, "lead_reviewer", name="Bethan Lead"),
        link_b=f.gen_member(b, "link_officer", name="Bryn Link"),
    )


def field_team_world() -> World:
    """A home visit today at 10:00 that Rhys and Lena are on, with Mrs Eira Jones and her carer (committed).

    The service user and the carer are the first participants and the visit the first visit: tests that send
    operations by id rely on that."""
    world = gen_world(date.today())
    world.service_user = f.gen_participant(world.review, "service_user", name="Mrs Eira Jones",
                                           phone="01234 567890")
    world.carer = f.gen_participant(world.review, "carer", name="Mr Tom Jones")
    world.home = f.gen_location(world.review, "home", name="Service user's home")
    world.case = f.gen_case(world.review, world.service_user)
    world.home_visit = f.gen_visit(world.review, team=[world.reviewer, world.lay],
                                   participants=[world.service_user, world.carer], kind="home_visit",
                                   location=world.home, case=world.case)
    db.session.commit()
    return world


def two_reviews_world(day: date | None = None) -> World:
    """A day of review A's visits and two of review B's, with Rhys on both reviews (committed).

    Rhys's evening home visit is with Mrs A. Jones, who needs a Polish interpreter; Lena has a day-centre visit
    and Ffion a staff interview."""
    world = gen_world(day or date.today())
    a, b, day = world.review, world.other_review, world.day
    f.join(world.reviewer, b, "reviewer")

    world.office = f.gen_location(a, "council_office", name="Civic Centre", address="Civic Centre, Cwmtown CF1 1AA")
    world.day_centre = f.gen_location(a, "day_facility", name="Maes Day Centre",
                                      address="Maes Road, Cwmtown CF1 2BB")
    world.home = f.gen_location(a, "home", name="Home of Mrs A. Jones", address="4 Secret Lane, Cwmtown CF1 9ZZ")
    world.service_user = f.gen_participant(a, "service_user", name="Mrs A. Jones", phone="07700 900777")
    world.need = f.gen_need(world.service_user, "interpreting", "Polish")
    world.social_worker = f.gen_participant(a, "staff", name="Sam Social Worker", job_title="Social worker")
    world.case = f.gen_case(a, world.service_user, reference="CTV-001")

    world.home_visit = f.gen_visit(a, team=[world.reviewer], participants=[world.service_user], kind="home_visit",
                                   starts_at=at(day, 18), minutes=45, location=world.home, case=world.case,
                                   title="Home visit CTV-001")
    # Briefings are free text for the team, and name people: the coordinator must not read them.
    world.home_visit.briefing = "Mrs A. Jones lives alone; ring twice"
    world.setting_visit = f.gen_visit(a, team=[world.lay], kind="setting_visit", starts_at=at(day, 10),
                                      location=world.day_centre, title="Maes Day Centre")
    world.interview = f.gen_visit(a, team=[world.reviewer2], participants=[world.social_worker],
                                  kind="staff_interview", starts_at=at(day, 11), location=world.office,
                                  title="Interview: Sam Social Worker")

    office_b = f.gen_location(b, "council_office", name="County Hall B")
    world.visit_b = f.gen_visit(b, team=[world.reviewer], kind="staff_interview", starts_at=at(day, 9),
                                location=office_b, title="Interview in review B")
    world.meeting_b = f.gen_visit(b, team=[world.lead_b], kind="stakeholder_meeting",
                                  starts_at=at(day + timedelta(days=1), 14), location=office_b,
                                  title="Partners meeting B")
    db.session.commit()
    return world


def console_world(day: date | None = None) -> World:
    """Review A's programme a week from today (committed): an interview, an evening home visit that Rhys and Ffion
    are on, with a case, its team leader and social worker, and a note, and Lena's day-centre visit.

    The service user's name, her address and the note body are distinctive so a test can assert they never
    appear where they must not."""
    world = gen_world(day or date.today() + timedelta(days=7))
    review, day = world.review, world.day

    world.office = f.gen_location(review, "council_office", name="Civic Centre", address="Civic Centre, Cwmtown")
    world.day_centre = f.gen_location(review, "day_facility", name="Maes Day Centre", address="Maes Road, Cwmtown")
    world.home = f.gen_location(review, "home", name="Home (GS)", address=HOME_ADDRESS)
    world.team_leader = f.gen_participant(review, "staff", name="Tomos Teamleader", job_title="Team leader",
                                          office_id=world.office.id)
    world.social_worker = f.gen_participant(review, "staff", name="Sian Socialworker", job_title="Social worker",
                                            office_id=world.office.id)
    world.service_user = f.gen_participant(review, "service_user", name=SERVICE_USER_NAME, phone="01632 960111")
    world.need = f.gen_need(world.service_user, "interpreting", "Polish")
    world.case = f.gen_case(review, world.service_user, reference="AD-014")
    world.case.team_leader = world.team_leader
    world.case.social_workers = [world.social_worker]

    world.interview = f.gen_visit(review, [world.reviewer], [world.social_worker], "staff_interview", at(day, 10),
                                  60, world.office, title="Interview: social worker")
    world.home_visit = f.gen_visit(review, [world.reviewer, world.reviewer2], [world.service_user], "home_visit",
                                   at(day, 18), 45, world.home, case=world.case, title="Home visit AD-014")
    world.setting_visit = f.gen_visit(review, [world.lay], [], "setting_visit", at(day, 14), 90, world.day_centre,
                                      title="Maes Day Centre visit")
    f.gen_note(world.home_visit, world.reviewer, NOTE_BODY, kind="home_visit")
    db.session.commit()
    return world
