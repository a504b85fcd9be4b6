"""The demo review (DESIGN section 8) loads into a bare database and shows what the demo promises, whatever
day of the week it is loaded on. No Flask app: build_demo only needs a session."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import visits.models  # noqa: F401  (registers the tables on db.metadata)
from visits.auth.passwords import verify_password
from visits.demo import INTENDED_FINDINGS, build_demo
from visits.extensions import db
from visits.models import (
    Case,
    CaseStatus,
    Location,
    NeedStatus,
    NeedType,
    Participant,
    Review,
    ReviewPhase,
    TravelTime,
    User,
    Visit,
    VisitStatus,
)
from visits.programme_rules import RULES_BY_ID, check_programme, programme_from_models

MONDAY = date(2026, 3, 9)
WEDNESDAY, FRIDAY = MONDAY + timedelta(days=2), MONDAY + timedelta(days=4)
SATURDAY, SUNDAY = MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)
EVERY_DAY = [MONDAY + timedelta(days=offset) for offset in range(7)]
FIELD_TEAM = ("lead@demo.test", "reviewer@demo.test", "reviewer2@demo.test", "lay@demo.test")


class Demo:
    """The demo as loaded on one day, with the questions the tests ask of it."""

    def __init__(self, session: Session, today: date, summary: dict):
        self.session, self.today, self.summary = session, today, summary
        self.review = session.scalar(select(Review).where(Review.phase == ReviewPhase.fieldwork))
        self.other_review = session.scalar(select(Review).where(Review.phase == ReviewPhase.broad_review))

    def user(self, email: str) -> User:
        return self.session.scalar(select(User).where(User.email == email))

    def visits(self, review: Review | None = None) -> list[Visit]:
        review = review or self.review
        return list(self.session.scalars(select(Visit).where(Visit.review_id == review.id)
                                         .order_by(Visit.starts_at)))

    def visits_of(self, email: str, day: date) -> list[Visit]:
        return [visit for visit in self.visits() if visit.starts_at.date() == day
                and email in {member.email for member in visit.team}]

    def on_site_days(self) -> list[date]:
        length = (self.review.on_site_to - self.review.on_site_from).days + 1
        return [self.review.on_site_from + timedelta(days=offset) for offset in range(length)]

    def rows(self, model, review: Review | None = None) -> list:
        review = review or self.review
        return list(self.session.scalars(select(model).where(model.review_id == review.id)))

    def findings(self):
        programme = programme_from_models(self.review, self.visits(), self.rows(Location), self.rows(Participant),
                                          self.rows(Case), self.session.scalars(select(TravelTime)).all())
        return check_programme(programme)


def load_demo(today: date):
    engine = create_engine("sqlite://")
    db.metadata.create_all(engine)
    session = Session(engine)
    summary = build_demo(session, today, "demo-password")
    session.commit()  # as the seed-demo command does: every constraint is checked here
    return session, summary


@pytest.fixture(params=EVERY_DAY, ids=lambda day: day.strftime("%a"))
def demo(request):
    session, summary = load_demo(request.param)
    yield Demo(session, request.param, summary)
    session.close()


@pytest.fixture
def demo_on(request):
    """A demo loaded on a given day: demo_on(SATURDAY)."""
    sessions = []

    def load(today: date) -> Demo:
        session, summary = load_demo(today)
        sessions.append(session)
        return Demo(session, today, summary)

    yield load
    for session in sessions:
        session.close()


def test_demo_has_the_programme_design_section_8_describes(demo_on):
    demo = demo_on(WEDNESDAY)
    kinds = Counter(visit.kind.value for visit in demo.visits())

    assert kinds["stakeholder_meeting"] == 5
    assert kinds["setting_visit"] == 6
    assert 3 <= kinds["team_visit"] <= 4
    assert 28 <= kinds["staff_interview"] <= 32
    assert kinds["home_visit"] == 15
    assert kinds["user_group_meeting"] == 2
    assert kinds["briefing"] >= 1
    assert len(demo.rows(Case)) == 15
    assert {key: demo.summary[key] for key in kinds} == dict(kinds)
    assert demo.summary["cases"] == 15


def test_lay_assessor_is_on_every_setting_visit_and_the_reference_group(demo_on):
    demo = demo_on(WEDNESDAY)
    lay = demo.user("lay@demo.test")
    settings = [visit for visit in demo.visits() if visit.kind.value == "setting_visit"]

    assert all(lay in visit.team for visit in settings)
    assert {visit.location.kind.value for visit in settings} >= {"contact_centre", "day_facility",
                                                                  "residential_setting"}
    assert any(lay in visit.team and "reference group" in visit.title for visit in demo.visits())


def test_team_and_setting_visits_follow_the_guides_15_45_45_45_plan(demo_on):
    demo = demo_on(WEDNESDAY)
    for visit in demo.visits():
        if visit.kind.value in ("team_visit", "setting_visit"):
            assert [segment.minutes for segment in visit.agenda] == [15, 45, 45, 45]
            assert visit.duration_minutes == 150


def test_every_field_team_member_has_visits_on_every_on_site_day_including_today(demo):
    assert demo.today in demo.on_site_days()
    for day in demo.on_site_days():
        for email in FIELD_TEAM:
            assert demo.visits_of(email, day), f"{email} has nothing on {day:%a %d %b}"


@pytest.mark.parametrize("today", [SATURDAY, SUNDAY], ids=["Sat", "Sun"])
def test_at_a_weekend_the_on_site_week_starts_the_day_before_yesterday(demo_on, today):
    demo = demo_on(today)

    assert demo.review.on_site_from == today - timedelta(days=2)
    assert demo.review.on_site_to == today + timedelta(days=2)
    for email in FIELD_TEAM:
        assert demo.visits_of(email, today)


def test_on_a_weekday_the_on_site_week_is_monday_to_friday(demo_on):
    demo = demo_on(WEDNESDAY)

    assert (demo.review.on_site_from, demo.review.on_site_to) == (MONDAY, FRIDAY)
    assert demo.review.time_zone == "Europe/London"
    assert demo.review.status.value == "fieldwork"


def test_visits_already_held_are_done_and_the_rest_still_to_come(demo_on):
    demo = demo_on(FRIDAY)
    live = [visit for visit in demo.visits() if visit.status is not VisitStatus.cancelled]
    past = [visit for visit in live if visit.starts_at.date() < FRIDAY]
    coming = [visit for visit in live if visit.starts_at.date() >= FRIDAY]

    assert Counter(visit.status for visit in past) == Counter(
        {VisitStatus.completed: len(past) - 1, VisitStatus.no_show: 1})
    assert {visit.status for visit in coming} == {VisitStatus.confirmed}
    assert {attendance.status.value for visit in coming for attendance in visit.attendances} == {"expected"}
    # dropped_out: nobody was in at the no-show, and the service user then dropped out of the sample.
    assert {attendance.status.value for visit in past for attendance in visit.attendances} == {
        "attended", "absent", "apologies", "late", "dropped_out"}
    assert sum(1 for visit in demo.visits() if visit.status is VisitStatus.cancelled) == 1


def test_cases_with_a_home_visit_made_are_visited_and_one_or_two_dropped_out(demo):
    statuses = Counter(case.status for case in demo.rows(Case))

    assert 1 <= statuses[CaseStatus.dropped_out] <= 2
    assert statuses[CaseStatus.identified] > statuses[CaseStatus.dropped_out]
    for case in demo.rows(Case):
        home_visits = [visit for visit in demo.visits() if visit.case_id == case.id]
        assert len(home_visits) == 1 and case.service_user and case.team_leader and 1 <= len(case.social_workers) <= 2
        assert (case.status is CaseStatus.visited) == (home_visits[0].status is VisitStatus.completed)


def test_some_home_visits_are_in_the_evening_and_most_in_pairs(demo_on):
    home_visits = [visit for visit in demo_on(WEDNESDAY).visits() if visit.kind.value == "home_visit"]

    assert sum(1 for visit in home_visits if visit.starts_at.hour >= 18) >= 3
    assert sum(1 for visit in home_visits if len(visit.team) >= 2) > len(home_visits) / 2


def test_every_home_visit_already_made_has_its_team_checked_out(demo_on):
    """Else the lone-working watch would show old visits as overdue."""
    demo = demo_on(FRIDAY)
    for visit in demo.visits():
        if visit.kind.value == "home_visit" and visit.starts_at.date() < FRIDAY and \
                visit.status is not VisitStatus.cancelled:
            assert {check.user_id for check in visit.checks if check.checked_out_at} == {m.id for m in visit.team}


def test_two_service_users_need_an_interpreter_and_one_an_advocate(demo_on):
    demo = demo_on(WEDNESDAY)
    needs = [(person.kind.value, need) for person in demo.rows(Participant) for need in person.needs]
    interpreting = [need for kind, need in needs if kind == "service_user" and need.type is NeedType.interpreting]
    advocacy = [need for kind, need in needs if kind == "service_user" and need.type is NeedType.advocacy]

    assert sorted(need.detail.split()[0] for need in interpreting) == ["Polish", "Welsh"]
    assert len(advocacy) == 1


def test_one_need_is_still_only_requested_on_a_visit_within_48_hours(demo):
    requested = [need for person in demo.rows(Participant) for need in person.needs
                 if need.status is NeedStatus.requested]

    assert len(requested) == 1
    visit_days = [visit.starts_at.date() for visit in demo.visits()
                  if requested[0].participant in visit.participants]
    assert any(demo.today <= day <= demo.today + timedelta(days=1) for day in visit_days)


def test_reviewer_is_on_two_reviews_and_nobody_else_from_the_first_team_is_on_the_second(demo_on):
    demo = demo_on(WEDNESDAY)
    first_team = {membership.user.email for membership in demo.review.memberships}
    second_team = {membership.user.email for membership in demo.other_review.memberships}

    assert first_team & second_team == {"reviewer@demo.test"}
    assert {"lead2@demo.test", "link2@demo.test"} <= second_team
    assert demo.other_review.on_site_from > demo.review.on_site_to
    assert any(demo.user("reviewer@demo.test") in visit.team for visit in demo.visits(demo.other_review))


def test_every_visit_stays_within_its_own_review(demo_on):
    demo = demo_on(WEDNESDAY)
    for review in (demo.review, demo.other_review):
        for visit in demo.visits(review):
            assert visit.location.review_id == review.id
            assert all(person.review_id == review.id for person in visit.participants)
            assert all(member.role_in(review.id) is not None for member in visit.team)


def test_demo_accounts_share_one_password_hash_that_signs_in(demo_on):
    users = demo_on(WEDNESDAY).session.scalars(select(User)).all()

    assert {user.email for user in users} >= {"lead@demo.test", "reviewer@demo.test", "reviewer2@demo.test",
                                              "lay@demo.test", "link@demo.test", "link-admin@demo.test",
                                              "coordinator@demo.test"}
    assert len({user.password_hash for user in users}) == 1
    assert verify_password(users[0].password_hash, "demo-password")
    assert all(user.phone.startswith("07700 900") for user in users)


def test_demo_accounts_are_marked_as_such_and_one_is_a_site_administrator(demo_on):
    users = demo_on(WEDNESDAY).session.scalars(select(User)).all()

    assert all(user.is_demo for user in users)
    assert [user.email for user in users if user.is_admin] == ["admin@demo.test"]


def test_the_checker_finds_exactly_the_intended_problems(demo):
    assert set(INTENDED_FINDINGS) <= set(RULES_BY_ID)
    assert Counter(finding.rule for finding in demo.findings()) == Counter(INTENDED_FINDINGS)


# --- the programme check's second pass, case status and travel times (issue 10) ---------------------------------
def test_the_demo_check_counts_the_reference_group_among_the_stakeholder_meetings(demo_on):
    [cap] = [f for f in demo_on(WEDNESDAY).findings() if f.rule == "stakeholder_meeting_cap"]

    assert cap.message.startswith("There are 6 group meetings with stakeholders in the on-site week (5 stakeholder "
                                  "meetings and the service user and carer reference group)")


def test_the_demo_check_shows_a_reviewers_long_day_of_six_sessions(demo_on):
    demo = demo_on(WEDNESDAY)
    [long_day] = [f for f in demo.findings() if f.rule == "long_day"]

    assert long_day.message.startswith(f"Tom Ashworth: 6 sessions on {FRIDAY:%A} {FRIDAY.day} {FRIDAY:%B}, from "
                                       "08:30 to 19:30 (11 h)")


def test_a_case_with_a_carer_books_them_with_the_service_user_on_its_home_visit(demo_on):
    demo = demo_on(WEDNESDAY)
    with_carer = [case for case in demo.rows(Case) if case.carer is not None]

    assert with_carer
    for case in with_carer:
        [home_visit] = [visit for visit in demo.visits() if visit.case_id == case.id]
        assert {case.service_user, case.carer} <= set(home_visit.participants)


def test_some_homes_have_travel_times_to_the_other_places(demo_on):
    demo = demo_on(WEDNESDAY)
    homes = {location.id for location in demo.rows(Location) if location.is_home}
    rows = demo.session.scalars(select(TravelTime).where(TravelTime.from_location_id.in_(homes))).all()

    assert 0 < len({row.from_location_id for row in rows}) < len(homes)


def test_the_cancelled_home_visit_says_why_and_its_case_follows_the_visits(demo_on):
    demo = demo_on(FRIDAY)
    [cancelled] = [visit for visit in demo.visits() if visit.status is VisitStatus.cancelled]

    assert cancelled.cancel_reason == "The family withdrew its consent."
    assert cancelled.case.status is CaseStatus.dropped_out
    assert not any(case.status_by_hand for case in demo.rows(Case))


def test_demo_has_service_users_feedback_to_show(demo_on):
    from visits.feedback.questions import DEFAULT_QUESTIONS
    from visits.models import Feedback, FeedbackAction

    demo = demo_on(WEDNESDAY)
    feedback = demo.session.scalars(select(Feedback)).all()
    places = {row.visit.location_id for row in feedback}
    assert len(feedback) >= 5 and len(places) >= 3
    assert {row.visit.review_id for row in feedback} == {demo.review.id}
    assert any("declined" in row.answers.values() for row in feedback)
    assert sum(bool(row.comment) for row in feedback) == 2
    codes = {code for code, _text in DEFAULT_QUESTIONS}
    assert all(set(row.answers) <= codes and row.consent for row in feedback)
    (action,) = demo.session.scalars(select(FeedbackAction)).all()
    assert action.location_id in places


@pytest.mark.parametrize("day", ["MONDAY", "WEDNESDAY"])
def test_demo_notes_carry_the_review_s_themes_under_their_own_headings(demo_on, day):
    from visits.models import Note, Theme
    from visits.notes.prompts import prompts_for
    from visits.themes import DEFAULT_THEMES

    demo = demo_on(globals()[day])
    for review in demo.session.scalars(select(Review)).all():
        names = [t.name for t in demo.session.scalars(select(Theme).where(Theme.review_id == review.id)
                                                      .order_by(Theme.position))]
        assert names == [str(name) for name in DEFAULT_THEMES]
    notes = demo.session.scalars(select(Note)).all()
    assert len(notes) >= 8
    themed = [note for note in notes if 1 <= len(note.themes) <= 2]
    assert len(themed) > len(notes) * 2 / 3
    assert all(t.review_id == note.visit.review_id for note in notes for t in note.themes)
    assert all(set(note.prompts) <= set(prompts_for(note.kind)) for note in notes)
    assert all(note.visit.starts_at.date() <= demo.today or day == "MONDAY" for note in notes)


def test_demo_has_a_concern_at_each_step_raised_by_the_visits_team_and_the_reviews_numbers(demo_on):
    from visits.concerns.states import STATES, state_of
    from visits.models import Concern

    demo = demo_on(MONDAY)
    concerns = demo.session.scalars(select(Concern)).all()
    assert sorted(state_of(c) for c in concerns) == sorted(STATES)
    assert all(c.visit.review_id == demo.review.id and c.raised_by in c.visit.team for c in concerns)
    referred = [c for c in concerns if c.referred_at]
    assert all(c.referred_to and c.referral_text for c in referred)
    assert all(c.not_referred_reason for c in concerns if c.not_referred_at)
    assert demo.review.emergency_number == "999" and demo.review.out_of_hours_number
