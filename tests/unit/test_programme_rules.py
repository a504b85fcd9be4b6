"""The guide's programme rules (DESIGN section 4), one by one, on small hand-built programmes."""
from __future__ import annotations

import enum
from dataclasses import replace
from datetime import time
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..support.snapshots import (
    COUNTY_HALL, DAY_CENTRE, FRIDAY, LAY_ASSESSOR, LEAD, LINK_OFFICER, MONDAY, NORTHGATE, REVIEWER, REVIEWER_2, at,
    case, case_sample, need, programme, service_user, staff, visit,
)
from visits import programme_rules as rules
from visits.programme_rules import (
    RULES, Finding, PersonRef, PPerson, Programme, PVisit, Thresholds, check_programme, programme_from_models,
)

DEFAULTS = Thresholds()
SOCIAL_WORKER, SOCIAL_WORKER_2, TEAM_LEADER, MANAGER = 201, 202, 203, 204
PEOPLE = (
    staff(SOCIAL_WORKER, "Sam Social", office=NORTHGATE),
    staff(SOCIAL_WORKER_2, "Siân Social", office=NORTHGATE),
    staff(TEAM_LEADER, "Tom Leader", office=NORTHGATE),
    staff(MANAGER, "Mari Manager", office=COUNTY_HALL),
    service_user(301, "Nia Private"),
)


def findings_of(rule, the_programme: Programme, thresholds: Thresholds = DEFAULTS) -> list[Finding]:
    found = rule(the_programme, thresholds)
    for finding in found:
        assert finding.rule == rule.__name__
        assert finding.severity == rules.RULES_BY_ID[rule.__name__].severity
    return found


def names(finding: Finding) -> set[str]:
    return {person.name for person in finding.people}


# --- 1. double_booking ----------------------------------------------------------------------------------------
def test_reviewer_booked_into_two_overlapping_interviews_is_double_booked():
    first = visit(start="10:00", minutes=60)
    second = visit(start="10:30", minutes=60, place=DAY_CENTRE)

    [finding] = findings_of(rules.double_booking, programme(first, second))

    assert finding.visit_ids == (first.id, second.id)
    assert names(finding) == {"Rhys Reviewer"}
    assert "Rhys Reviewer" in finding.message and finding.suggestion


def test_interviews_back_to_back_are_not_a_double_booking():
    the_programme = programme(visit(start="10:00", minutes=60), visit(start="11:00", minutes=60))

    assert findings_of(rules.double_booking, the_programme) == []


def test_member_of_staff_booked_with_two_reviewers_at_once_is_double_booked():
    the_programme = programme(visit(team=(REVIEWER,), with_=(MANAGER,)),
                              visit(team=(REVIEWER_2,), with_=(MANAGER,), start="10:45"),
                              people=PEOPLE)

    [finding] = findings_of(rules.double_booking, the_programme)

    assert names(finding) == {"Mari Manager"}


def test_a_pair_of_reviewers_double_booked_together_get_one_finding():
    the_programme = programme(visit(team=(REVIEWER, REVIEWER_2)), visit(team=(REVIEWER, REVIEWER_2), start="10:15"))

    [finding] = findings_of(rules.double_booking, the_programme)

    assert names(finding) == {"Rhys Reviewer", "Ffion Reviewer"}


def test_a_double_booked_service_user_is_named_by_case_never_by_name():
    the_programme = programme(visit("home_visit", place=None, with_=(301,)),
                              visit("user_group_meeting", team=(LAY_ASSESSOR,), with_=(301,), start="10:30"),
                              people=PEOPLE, cases=[case(1, "C-01", service_user_id=301)])

    [finding] = findings_of(rules.double_booking, the_programme)

    assert "Nia Private" not in finding.message
    assert finding.message.startswith("The service user of case C-01")
    assert finding.people == (PersonRef(301, "Nia Private", "service_user"),)
    assert finding.as_dict(identity=False)["people"] == [{"id": 301, "name": None, "kind": "service_user"}]
    assert finding.as_dict()["people"][0]["name"] == "Nia Private"


@pytest.mark.parametrize("status", ["cancelled", "rescheduled"])
def test_a_cancelled_or_rescheduled_visit_frees_the_reviewer(status):
    the_programme = programme(visit(), visit(start="10:30", status=status))

    assert findings_of(rules.double_booking, the_programme) == []


@pytest.mark.parametrize("status", ["confirmed", "in_progress", "completed", "no_show"])
def test_visits_that_happened_or_were_missed_still_took_the_reviewers_time(status):
    the_programme = programme(visit(), visit(start="10:30", status=status))

    assert len(findings_of(rules.double_booking, the_programme)) == 1


# --- 2. interviews_per_day ------------------------------------------------------------------------------------
def five_interviews(day_of_fifth: int = 0, reviewer: int = REVIEWER) -> list[PVisit]:
    kinds = ["staff_interview", "group_interview", "staff_interview", "home_visit"]
    visits = [visit(kind, start=f"{9 + 2 * n}:00", team=(reviewer,)) for n, kind in enumerate(kinds)]
    return visits + [visit(day=day_of_fifth, start="18:00", team=(reviewer,))]


def test_reviewer_with_five_interviews_in_a_day_is_over_the_norm():
    visits = five_interviews()

    [finding] = findings_of(rules.interviews_per_day, programme(*visits))

    assert finding.visit_ids == tuple(v.id for v in visits)
    assert finding.message == ("Rhys Reviewer has 5 interviews on Monday 10 March, more than the norm of 4 a day.")


def test_four_interviews_a_day_is_the_norm():
    assert findings_of(rules.interviews_per_day, programme(*five_interviews()[:4])) == []


def test_interviews_spread_over_two_days_are_counted_per_day():
    assert findings_of(rules.interviews_per_day, programme(*five_interviews(day_of_fifth=1))) == []


def test_lay_assessor_visiting_five_settings_in_a_day_is_not_interviewing():
    settings_visits = [visit("setting_visit", start=f"{9 + 2 * n}:00", team=(LAY_ASSESSOR,)) for n in range(5)]
    lay_interviews = five_interviews(reviewer=LAY_ASSESSOR)

    assert findings_of(rules.interviews_per_day, programme(*settings_visits)) == []
    assert findings_of(rules.interviews_per_day, programme(*lay_interviews)) == []


def test_a_fifth_interview_agreed_with_the_reviewers_silences_the_warning():
    agreed = Thresholds.from_mapping({"PROGRAMME_MAX_INTERVIEWS_PER_DAY": 5})

    assert findings_of(rules.interviews_per_day, programme(*five_interviews()), agreed) == []


# --- 3. back_and_forth ----------------------------------------------------------------------------------------
def test_reviewer_who_leaves_county_hall_and_returns_the_same_day_goes_back_and_forth():
    morning = visit(start="09:30", place=COUNTY_HALL)
    midday = visit(start="11:30", place=DAY_CENTRE)
    afternoon = visit(start="14:00", place=COUNTY_HALL)

    [finding] = findings_of(rules.back_and_forth, programme(morning, midday, afternoon))

    assert finding.visit_ids == (morning.id, midday.id, afternoon.id)
    assert finding.message == "Rhys Reviewer leaves County Hall and comes back to it later on Monday 10 March."
    assert "County Hall" in finding.suggestion


def test_visits_grouped_by_location_are_not_back_and_forth():
    the_programme = programme(visit(start="09:30", place=COUNTY_HALL), visit(start="11:00", place=COUNTY_HALL),
                              visit(start="14:00", place=DAY_CENTRE), visit(start="16:00", place=None))

    assert findings_of(rules.back_and_forth, the_programme) == []


def test_returning_to_a_location_on_another_day_is_fine():
    the_programme = programme(visit(start="09:30", place=COUNTY_HALL), visit(start="11:30", place=DAY_CENTRE),
                              visit(day=1, start="09:30", place=COUNTY_HALL))

    assert findings_of(rules.back_and_forth, the_programme) == []


def test_reviewers_travelling_as_a_pair_share_one_back_and_forth_finding():
    pair = (LEAD, REVIEWER)
    the_programme = programme(visit(start="09:30", team=pair), visit(start="11:30", place=DAY_CENTRE, team=pair),
                              visit(start="14:00", team=pair))

    [finding] = findings_of(rules.back_and_forth, the_programme)

    assert names(finding) == {"Lowri Lead", "Rhys Reviewer"}
    assert finding.message.startswith("Lowri Lead and Rhys Reviewer leave County Hall")


def test_the_link_officer_moving_between_offices_is_not_a_reviewer_going_back_and_forth():
    the_programme = programme(visit("briefing", start="09:00", team=(LINK_OFFICER,)),
                              visit("briefing", start="11:00", place=DAY_CENTRE, team=(LINK_OFFICER,)),
                              visit("briefing", start="17:00", team=(LINK_OFFICER,)))

    assert findings_of(rules.back_and_forth, the_programme) == []


# --- 4. travel_time -------------------------------------------------------------------------------------------
def test_ten_minutes_to_cross_town_is_not_enough_travel_time():
    before = visit(start="10:00", place=COUNTY_HALL)
    after = visit(start="11:10", place=DAY_CENTRE)

    [finding] = findings_of(rules.travel_time, programme(before, after))

    assert finding.visit_ids == (before.id, after.id)
    assert "Only 10 min" in finding.message and "needs 20 min (20 travel, 0 parking)" in finding.message
    assert "11:20" in finding.suggestion and "10:50" in finding.suggestion


def test_a_journey_longer_than_the_first_visit_is_fixed_only_by_starting_later():
    the_programme = programme(visit(start="10:00", minutes=30), visit(start="10:40", place=DAY_CENTRE),
                              travel={(COUNTY_HALL, DAY_CENTRE): 45})

    [finding] = findings_of(rules.travel_time, the_programme)

    assert finding.suggestion == "Start ‘Staff interview’ at 11:15 or later."


def test_the_default_twenty_minutes_is_enough_where_the_matrix_is_silent():
    the_programme = programme(visit(start="10:00", place=COUNTY_HALL), visit(start="11:20", place=DAY_CENTRE))

    assert findings_of(rules.travel_time, the_programme) == []


def test_parking_at_an_office_without_a_car_park_needs_extra_minutes():
    to_northgate = programme(visit(start="10:00", place=COUNTY_HALL), visit(start="11:25", place=NORTHGATE))
    from_northgate = programme(visit(start="10:00", place=NORTHGATE), visit(start="11:25", place=COUNTY_HALL))

    [finding] = findings_of(rules.travel_time, to_northgate)
    assert "needs 30 min (20 travel, 10 parking)" in finding.message
    assert findings_of(rules.travel_time, from_northgate) == []


@pytest.mark.parametrize(("travel", "gap", "too_short"), [
    ({(COUNTY_HALL, DAY_CENTRE): 5}, 10, False),
    ({(DAY_CENTRE, COUNTY_HALL): 5}, 10, False),   # the matrix is read either way round
    ({(COUNTY_HALL, DAY_CENTRE): 45}, 30, True),
    ({(COUNTY_HALL, DAY_CENTRE): 0}, 0, False),    # next door: an explicit zero is not "missing"
])
def test_the_travel_matrix_replaces_the_default(travel, gap, too_short):
    the_programme = programme(visit(start="10:00", place=COUNTY_HALL), visit(start=f"11:{gap:02d}", place=DAY_CENTRE),
                              travel=travel)

    assert bool(findings_of(rules.travel_time, the_programme)) is too_short


def test_consecutive_visits_at_the_same_place_need_no_travel():
    the_programme = programme(visit(start="10:00"), visit(start="11:00"))

    assert findings_of(rules.travel_time, the_programme) == []


def test_overlapping_visits_are_left_to_the_double_booking_rule():
    the_programme = programme(visit(start="10:00"), visit(start="10:30", place=DAY_CENTRE))

    assert findings_of(rules.travel_time, the_programme) == []


def test_each_team_member_is_checked_on_their_own_route():
    # Rhys goes from County Hall to the day centre in 10 minutes; Ffion only starts her day there.
    the_programme = programme(visit(start="10:00", team=(REVIEWER,)),
                              visit(start="11:10", place=DAY_CENTRE, team=(REVIEWER, REVIEWER_2)))

    [finding] = findings_of(rules.travel_time, the_programme)

    assert names(finding) == {"Rhys Reviewer"}


# --- 5. repeat_staff_booking ----------------------------------------------------------------------------------
def test_team_leader_booked_into_two_interviews_is_a_repeat_booking():
    first = visit(with_=(TEAM_LEADER,))
    second = visit("group_interview", day=2, with_=(TEAM_LEADER, SOCIAL_WORKER))

    [finding] = findings_of(rules.repeat_staff_booking, programme(first, second, people=PEOPLE))

    assert finding.visit_ids == (first.id, second.id)
    assert names(finding) == {"Tom Leader"}
    assert finding.message.startswith("Tom Leader is booked into 2 interviews")


def test_one_interview_and_a_team_visit_is_not_a_repeat_booking():
    the_programme = programme(visit(with_=(TEAM_LEADER,)), visit("team_visit", day=1, with_=(TEAM_LEADER,)),
                              people=PEOPLE)

    assert findings_of(rules.repeat_staff_booking, the_programme) == []


def test_only_staff_can_be_repeat_booked():
    the_programme = programme(visit(with_=(301,)), visit(day=1, with_=(301,)), people=PEOPLE)

    assert findings_of(rules.repeat_staff_booking, the_programme) == []


# --- 6. team_leader_order -------------------------------------------------------------------------------------
CASE_ONE = case(1, "C-01", team_leader=TEAM_LEADER, social_workers=(SOCIAL_WORKER, SOCIAL_WORKER_2))


def test_team_leader_interviewed_before_the_social_workers_is_out_of_order():
    leader = visit(day=0, with_=(TEAM_LEADER,))
    worker = visit(day=1, with_=(SOCIAL_WORKER,))

    [finding] = findings_of(rules.team_leader_order,
                            programme(leader, worker, people=PEOPLE, cases=[CASE_ONE]))

    assert finding.visit_ids == (leader.id, worker.id)
    assert names(finding) == {"Tom Leader", "Sam Social"}
    assert "case C-01" in finding.message and "Tom Leader" in finding.suggestion


def test_team_leader_interviewed_after_all_the_social_workers_is_in_order():
    the_programme = programme(visit(day=0, with_=(SOCIAL_WORKER,)), visit(day=0, start="11:00",
                              with_=(SOCIAL_WORKER_2,)), visit(day=1, with_=(TEAM_LEADER,)),
                              people=PEOPLE, cases=[CASE_ONE])

    assert findings_of(rules.team_leader_order, the_programme) == []


def test_only_the_social_workers_still_to_come_are_named():
    the_programme = programme(visit(day=0, with_=(SOCIAL_WORKER,)), visit(day=1, with_=(TEAM_LEADER,)),
                              visit(day=2, with_=(SOCIAL_WORKER_2,)), people=PEOPLE, cases=[CASE_ONE])

    [finding] = findings_of(rules.team_leader_order, the_programme)

    assert names(finding) == {"Tom Leader", "Siân Social"}


def test_team_leader_and_social_worker_in_one_group_interview_is_out_of_order():
    the_programme = programme(visit("group_interview", with_=(SOCIAL_WORKER, TEAM_LEADER)),
                              people=PEOPLE, cases=[CASE_ONE])

    assert len(findings_of(rules.team_leader_order, the_programme)) == 1


def test_a_social_worker_not_interviewed_at_all_is_not_an_ordering_problem():
    the_programme = programme(visit(with_=(TEAM_LEADER,)), people=PEOPLE, cases=[CASE_ONE])

    assert findings_of(rules.team_leader_order, the_programme) == []


def test_a_cancelled_early_team_leader_interview_leaves_the_later_one_in_order():
    the_programme = programme(visit(day=0, with_=(TEAM_LEADER,), status="cancelled"),
                              visit(day=1, with_=(SOCIAL_WORKER,)), visit(day=2, with_=(TEAM_LEADER,)),
                              people=PEOPLE, cases=[CASE_ONE])

    assert findings_of(rules.team_leader_order, the_programme) == []


# --- 7. early_start -------------------------------------------------------------------------------------------
def test_a_visit_at_half_past_eight_starts_too_early():
    early = visit(start="08:30")

    [finding] = findings_of(rules.early_start, programme(early))

    assert finding.visit_ids == (early.id,)
    assert "08:30" in finding.message and "09:00" in finding.suggestion


@pytest.mark.parametrize("start", ["09:00", "13:00", "19:30"])
def test_visits_from_nine_and_in_the_evening_are_fine(start):
    assert findings_of(rules.early_start, programme(visit(start=start))) == []


def test_a_council_that_agreed_eight_oclock_starts_sees_no_early_start():
    agreed = Thresholds.from_mapping({"PROGRAMME_EARLIEST_START": "08:00"})

    assert agreed.earliest_start == time(8, 0)
    assert findings_of(rules.early_start, programme(visit(start="08:30")), agreed) == []


# --- 8. stakeholder_meeting_cap -------------------------------------------------------------------------------
def stakeholder_meetings(count: int, **overrides) -> list[PVisit]:
    return [visit("stakeholder_meeting", day=n % 5, start="14:00", team=(LEAD, REVIEWER), **overrides)
            for n in range(count)]


def test_six_stakeholder_meetings_in_the_on_site_week_are_too_many():
    meetings = stakeholder_meetings(6)

    [finding] = findings_of(rules.stakeholder_meeting_cap, programme(*meetings))

    assert set(finding.visit_ids) == {m.id for m in meetings}
    assert "6 stakeholder meetings" in finding.message


def test_five_stakeholder_meetings_fit_the_week():
    assert findings_of(rules.stakeholder_meeting_cap, programme(*stakeholder_meetings(5))) == []


def test_only_meetings_in_the_on_site_week_count_towards_the_cap():
    week_before = visit("stakeholder_meeting", day=-3, team=(LEAD, REVIEWER))
    cancelled = visit("stakeholder_meeting", day=2, team=(LEAD, REVIEWER), status="cancelled")
    the_programme = programme(*stakeholder_meetings(5), week_before, cancelled)

    assert findings_of(rules.stakeholder_meeting_cap, the_programme) == []


# --- 9. meeting_pairs -----------------------------------------------------------------------------------------
def test_stakeholder_meeting_with_a_lead_and_a_reviewer_has_its_pair():
    the_programme = programme(visit("stakeholder_meeting", team=(LEAD, REVIEWER)))

    assert findings_of(rules.meeting_pairs, the_programme) == []


@pytest.mark.parametrize(("team", "wording", "reviewers"), [
    ((REVIEWER, LAY_ASSESSOR), "has only one reviewer, Rhys Reviewer", {"Rhys Reviewer"}),
    ((LAY_ASSESSOR, LINK_OFFICER), "has no reviewer", set()),
])
def test_stakeholder_meeting_without_two_reviewers_needs_another(team, wording, reviewers):
    meeting = visit("stakeholder_meeting", team=team)

    [finding] = findings_of(rules.meeting_pairs, programme(meeting))

    assert finding.visit_ids == (meeting.id,)
    assert wording in finding.message
    assert names(finding) == reviewers


# --- 10. group_size -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("expected", "too_small_or_large"), [(7, True), (8, False), (12, False), (13, True)])
def test_group_meetings_work_best_with_eight_to_twelve(expected, too_small_or_large):
    meeting = visit("user_group_meeting", team=(LAY_ASSESSOR,), expected=expected)

    found = findings_of(rules.group_size, programme(meeting))

    assert bool(found) is too_small_or_large


def test_a_large_group_is_advised_to_split_and_a_small_one_to_invite_more():
    [large] = findings_of(rules.group_size, programme(visit("user_group_meeting", expected=15)))
    [small] = findings_of(rules.group_size, programme(visit("user_group_meeting", expected=3)))

    assert "is 15, outside the 8 to 12" in large.message and large.suggestion.startswith("Split")
    assert small.suggestion.startswith("Invite more")


def test_without_an_expected_count_the_service_users_and_carers_booked_in_are_counted():
    members = [service_user(600 + n, f"Member {n}") for n in range(7)]
    advocate = staff(700, "Ada Advocate")
    seven_and_an_advocate = visit("user_group_meeting", with_=[m.id for m in members] + [advocate.id])
    eight = visit("user_group_meeting", with_=[m.id for m in members] + [299])

    [finding] = findings_of(rules.group_size,
                            programme(seven_and_an_advocate, people=[*members, advocate]))
    assert "is 7" in finding.message
    assert findings_of(rules.group_size,
                       programme(eight, people=[*members, advocate, service_user(299, "Eighth")])) == []


# --- 11. case_sample ------------------------------------------------------------------------------------------
def test_fifteen_cases_with_twelve_home_visits_planned_is_a_full_sample():
    cases, people, home_visits = case_sample(15, 12)

    assert findings_of(rules.case_sample, programme(*home_visits, cases=cases, people=people)) == []


def test_fourteen_cases_identified_is_too_few_to_allow_for_drop_out():
    cases, people, home_visits = case_sample(14, 12)

    [finding] = findings_of(rules.case_sample, programme(*home_visits, cases=cases, people=people))

    assert finding.message == ("The guide asks for 15 identified cases to allow for drop-outs, but the sample "
                               "has 14.")


def test_eleven_home_visits_planned_is_too_few_and_the_cases_without_one_are_named():
    cases, people, home_visits = case_sample(15, 11)

    [finding] = findings_of(rules.case_sample, programme(*home_visits, cases=cases, people=people))

    assert "is 11" in finding.message
    assert finding.suggestion == "Plan home visits for the cases that have none yet: C-12, C-13, C-14, C-15."


def test_a_case_already_visited_counts_without_a_home_visit_in_the_programme():
    cases, people, home_visits = case_sample(15, 11)
    cases[14] = replace(cases[14], status="visited")

    assert findings_of(rules.case_sample, programme(*home_visits, cases=cases, people=people)) == []


@pytest.mark.parametrize("drop", ["case dropped out", "home visit cancelled"])
def test_dropped_out_cases_and_cancelled_home_visits_do_not_count_as_visited(drop):
    cases, people, home_visits = case_sample(15, 12)
    if drop == "case dropped out":
        cases[0] = replace(cases[0], status="dropped_out")
    else:
        home_visits[0] = replace(home_visits[0], status="cancelled")

    [finding] = findings_of(rules.case_sample, programme(*home_visits, cases=cases, people=people))

    assert "is 11" in finding.message


# --- 12. home_visit_length ------------------------------------------------------------------------------------
def test_a_half_hour_home_visit_is_too_short():
    short = visit("home_visit", minutes=30, place=None, with_=(301,))

    [finding] = findings_of(rules.home_visit_length, programme(short, people=PEOPLE))

    assert finding.visit_ids == (short.id,)
    assert "lasts 30 min" in finding.message and "45 min" in finding.suggestion


@pytest.mark.parametrize(("kind", "minutes"), [("home_visit", 45), ("home_visit", 90), ("staff_interview", 30)])
def test_home_visits_of_three_quarters_of_an_hour_or_more_are_long_enough(kind, minutes):
    assert findings_of(rules.home_visit_length, programme(visit(kind, minutes=minutes))) == []


# --- 13. unarranged_need --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("status", "state"), [("requested", "not yet arranged"),
                                               ("unavailable", "could not be arranged")])
def test_a_home_visit_whose_interpreter_is_not_arranged_is_an_error(status, state):
    home = visit("home_visit", place=None, with_=(301,))
    the_programme = programme(home, people=PEOPLE, needs=[need(301, "interpreting", status)],
                              cases=[case(1, "C-01", service_user_id=301)])

    [finding] = findings_of(rules.unarranged_need, the_programme)

    assert finding.visit_ids == (home.id,)
    assert finding.message.startswith("The service user of case C-01 at ‘Home visit’")
    assert f"still needs interpreting ({state})" in finding.message
    assert "Nia Private" not in finding.message + finding.suggestion


@pytest.mark.parametrize("status", ["arranged", "confirmed"])
def test_an_arranged_interpreter_clears_the_visit(status):
    the_programme = programme(visit("home_visit", with_=(301,)), people=PEOPLE, needs=[need(301, status=status)])

    assert findings_of(rules.unarranged_need, the_programme) == []


def test_every_open_need_of_a_participant_is_listed_in_one_finding():
    the_programme = programme(visit("home_visit", with_=(301,)), people=PEOPLE,
                              needs=[need(301, "interpreting"), need(301, "advocacy", "unavailable"),
                                     need(301, "access", "confirmed")])

    [finding] = findings_of(rules.unarranged_need, the_programme)

    assert "interpreting (not yet arranged) and advocacy (could not be arranged)" in finding.message
    assert "access" not in finding.message


def test_a_need_only_on_a_cancelled_visit_is_not_reported():
    the_programme = programme(visit("home_visit", with_=(301,), status="cancelled"), people=PEOPLE,
                              needs=[need(301)])

    assert findings_of(rules.unarranged_need, the_programme) == []


@pytest.mark.parametrize(("now", "reported"), [
    (at(0, "09:00"), True),   # the morning of the visit: still time to arrange it
    (at(0, "10:30"), True),   # under way: the interpreter is still missing in the room
    (at(0, "11:00"), False),  # it has just ended
    (at(3, "09:00"), False),  # days later: past arranging, no longer an error
])
def test_a_need_is_reported_only_on_a_visit_that_has_not_ended(now, reported):
    ten_to_eleven = visit("home_visit", start="10:00", minutes=60, with_=(301,))
    the_programme = replace(programme(ten_to_eleven, people=PEOPLE, needs=[need(301)]), now=now)

    assert bool(findings_of(rules.unarranged_need, the_programme)) is reported


def test_of_two_visits_with_the_same_open_need_only_the_one_to_come_is_reported():
    monday, thursday = visit("home_visit", day=0, with_=(301,)), visit("home_visit", day=3, with_=(301,))
    the_programme = replace(programme(monday, thursday, people=PEOPLE, needs=[need(301)]), now=at(1, "12:00"))

    [finding] = findings_of(rules.unarranged_need, the_programme)

    assert finding.visit_ids == (thursday.id,)


def test_without_a_clock_every_visit_counts_as_still_to_come():
    assert programme().now is None
    the_programme = programme(visit("home_visit", with_=(301,)), people=PEOPLE, needs=[need(301)])

    assert len(findings_of(rules.unarranged_need, the_programme)) == 1


# --- 14. staff_on_site_day ------------------------------------------------------------------------------------
def test_northgate_staff_seen_on_two_days_should_be_seen_on_one():
    monday = visit(day=0, with_=(SOCIAL_WORKER,))
    monday_too = visit(day=0, start="11:00", with_=(SOCIAL_WORKER_2,))
    wednesday = visit("team_visit", day=2, with_=(TEAM_LEADER,))

    [finding] = findings_of(rules.staff_on_site_day, programme(monday, monday_too, wednesday, people=PEOPLE))

    assert finding.visit_ids == (monday.id, monday_too.id, wednesday.id)
    assert names(finding) == {"Sam Social", "Siân Social", "Tom Leader"}
    assert finding.message.startswith("Staff of Northgate Office are seen on 2 days (Mon 10 Mar and Wed 12 Mar)")
    assert finding.suggestion == "Move their interviews to Monday 10 March, when most of them are already seen."


def test_all_northgate_staff_seen_on_one_day_is_what_the_guide_asks():
    the_programme = programme(visit(with_=(SOCIAL_WORKER,)), visit("group_interview", start="14:00",
                              with_=(SOCIAL_WORKER_2, TEAM_LEADER)), people=PEOPLE)

    assert findings_of(rules.staff_on_site_day, the_programme) == []


def test_staff_of_different_offices_may_be_seen_on_different_days():
    the_programme = programme(visit(day=0, with_=(SOCIAL_WORKER,)), visit(day=1, with_=(MANAGER,)), people=PEOPLE)

    assert findings_of(rules.staff_on_site_day, the_programme) == []


def test_staff_at_a_stakeholder_meeting_are_not_being_seen_at_their_office():
    the_programme = programme(visit(day=0, with_=(SOCIAL_WORKER,)),
                              visit("stakeholder_meeting", day=3, with_=(TEAM_LEADER,)), people=PEOPLE)

    assert findings_of(rules.staff_on_site_day, the_programme) == []


# --- 8 again: the reference group counts among the stakeholder meetings ------------------------------------
def reference_group(title: str = "Service user and carer reference group", **details) -> PVisit:
    return visit("user_group_meeting", day=3, start="14:00", team=(LEAD, LAY_ASSESSOR), title=title, **details)


def test_the_guides_maximum_of_five_group_meetings_with_stakeholders_includes_the_reference_group():
    """The guide: "a maximum of five group meetings with stakeholders. This is likely to include: ... the service
    user and carer reference group." Five stakeholder meetings and the reference group are six."""
    group = reference_group()
    meetings = stakeholder_meetings(5)

    [finding] = findings_of(rules.stakeholder_meeting_cap, programme(*meetings, group))

    assert finding.message == ("There are 6 group meetings with stakeholders in the on-site week (5 stakeholder "
                               "meetings and the service user and carer reference group), more than the guide's "
                               "maximum of 5.")
    assert group.id in finding.visit_ids and len(finding.visit_ids) == 6


def test_a_group_meeting_with_reference_group_members_booked_is_the_reference_group_whatever_its_title():
    """DESIGN section 3: a reference-group member is a `stakeholder` participant."""
    member = PPerson(401, "Rhian Reference", "stakeholder")
    group = reference_group(title="Tuesday afternoon group", with_=(member.id,))

    [finding] = findings_of(rules.stakeholder_meeting_cap,
                            programme(*stakeholder_meetings(5), group, people=[member]))

    assert group.id in finding.visit_ids


def test_other_service_user_and_carer_groups_are_consultation_not_stakeholder_meetings():
    """The guide's "Involving service users and carers" groups (older people, parents of children with
    disabilities...) are not among the five."""
    parents = reference_group(title="Parents of disabled children: carers' group", with_=(301,))

    assert findings_of(rules.stakeholder_meeting_cap,
                       programme(*stakeholder_meetings(5), parents, people=PEOPLE)) == []
    assert findings_of(rules.stakeholder_meeting_cap, programme(*stakeholder_meetings(4), reference_group())) == []


def test_once_the_week_has_started_the_cap_suggests_dropping_only_meetings_still_to_come():
    meetings = stakeholder_meetings(5)
    on_wednesday = replace(programme(*meetings, reference_group()), now=at(2, "12:00"))

    [finding] = findings_of(rules.stakeholder_meeting_cap, on_wednesday)

    # Monday's and Tuesday's have been held; Wednesday's is this afternoon.
    assert finding.suggestion == "2 have been held: combine or drop 1 of the 4 still to come."


# --- 15. long_day ---------------------------------------------------------------------------------------------
def six_sessions_from_half_past_eight_to_half_past_seven(team=(REVIEWER,)) -> list[PVisit]:
    """Only two interviews and a home visit: under the four interviews a day, yet a day nobody should be given."""
    return [
        visit("briefing", start="08:30", minutes=30, team=team),
        visit("team_visit", start="09:15", minutes=150, team=team),
        visit(start="12:30", team=team),
        visit("stakeholder_meeting", start="14:00", minutes=90, team=(*team, LEAD)),
        visit(start="16:00", team=team),
        visit("home_visit", start="18:30", place=None, team=team, with_=(301,)),
    ]


def test_a_reviewers_day_of_six_sessions_from_half_past_eight_to_half_past_seven_is_over_programming():
    """The guide: "Avoid over-programming. Four interviews per day per reviewer should be the norm ... very early
    starts may not be feasible." Every session counts, not only interviews."""
    day = six_sessions_from_half_past_eight_to_half_past_seven()

    [finding] = findings_of(rules.long_day, programme(*day, people=PEOPLE))

    assert finding.message == ("Rhys Reviewer: 6 sessions on Monday 10 March, from 08:30 to 19:30 (11 h), more "
                               "than 5 sessions and longer than 10 hours; the guide asks to avoid "
                               "over-programming.")
    assert finding.visit_ids == tuple(v.id for v in day)
    assert names(finding) == {"Rhys Reviewer"}
    assert findings_of(rules.interviews_per_day, programme(*day, people=PEOPLE)) == []


def test_five_sessions_within_ten_hours_is_a_full_day_but_not_a_finding():
    day = six_sessions_from_half_past_eight_to_half_past_seven()[1:]  # 09:15 to 19:30: ten and a quarter hours
    shorter = [*day[:-1], visit("home_visit", start="18:00", minutes=45, place=None, with_=(301,))]

    assert findings_of(rules.long_day, programme(*shorter, people=PEOPLE)) == []


def test_two_sessions_eleven_hours_apart_make_a_long_day_by_hours():
    """Evening appointments are allowed, but not on top of an early start."""
    early, evening = visit(start="08:45"), visit("home_visit", start="18:45", minutes=60, place=None, with_=(301,))

    [finding] = findings_of(rules.long_day, programme(early, evening, people=PEOPLE))

    assert "2 sessions" in finding.message and "(11 h), longer than 10 hours" in finding.message


def test_a_pair_of_reviewers_sharing_a_long_day_get_one_finding():
    day = six_sessions_from_half_past_eight_to_half_past_seven(team=(REVIEWER, REVIEWER_2))

    [finding] = findings_of(rules.long_day, programme(*day, people=PEOPLE))

    assert finding.message.startswith("Rhys Reviewer and Ffion Reviewer: 6 sessions")


def test_the_long_day_thresholds_are_ours_and_configurable():
    day = six_sessions_from_half_past_eight_to_half_past_seven()
    relaxed = Thresholds.from_mapping({"PROGRAMME_MAX_SESSIONS_PER_DAY": "6", "PROGRAMME_MAX_DAY_HOURS": 11})

    assert relaxed.max_sessions_per_day == 6 and relaxed.max_day_hours == 11
    assert findings_of(rules.long_day, programme(*day, people=PEOPLE), relaxed) == []


# --- 16. home_visit_nobody_booked -------------------------------------------------------------------------
def test_a_home_visit_with_no_service_user_or_carer_booked_has_nobody_to_visit():
    home_visit = visit("home_visit", place=None, case=1, with_=(SOCIAL_WORKER,))
    a_case = case(1, "C-01", service_user_id=301)

    [finding] = findings_of(rules.home_visit_nobody_booked,
                            programme(home_visit, people=PEOPLE, cases=[a_case]))

    assert finding.message == "‘Home visit’ (Mon 10 Mar 10:00–11:00) has no service user or carer booked: there " \
                              "is nobody to visit."
    assert finding.suggestion == "Book the service user of case C-01 (and their carer) on the visit."
    assert "Nia Private" not in finding.message + finding.suggestion


def test_a_home_visit_with_the_service_user_or_only_their_carer_booked_has_someone_to_visit():
    carer = PPerson(302, "Carys Carer", "carer")
    with_service_user = visit("home_visit", place=None, with_=(301,))
    with_carer = visit("home_visit", place=None, day=1, with_=(carer.id,))

    assert findings_of(rules.home_visit_nobody_booked,
                       programme(with_service_user, with_carer, people=[*PEOPLE, carer])) == []


# --- findings on days already worked --------------------------------------------------------------------------
def test_findings_on_days_already_worked_are_history_and_no_longer_say_move():
    monday_early = visit(day=0, start="08:00")
    thursday_early = visit(day=3, start="08:00")
    on_wednesday = replace(programme(monday_early, thursday_early), now=at(2, "12:00"))

    findings = [f for f in check_programme(on_wednesday) if f.rule == "early_start"]

    assert [(f.visit_ids, f.past) for f in findings] == [((thursday_early.id,), False), ((monday_early.id,), True)]
    history = findings[1]
    assert history.suggestion == "Nothing to change: the day has passed. Kept as a record of how the programme ran."
    assert history.as_dict()["past"] is True and findings[0].as_dict()["past"] is False
    assert findings[0].suggestion.startswith("Start it at 09:00")


def test_today_and_a_finding_reaching_a_day_to_come_are_still_to_act_on():
    today_early = visit(day=2, start="08:00")
    spread = [visit(day=0, with_=(SOCIAL_WORKER,)), visit(day=4, with_=(TEAM_LEADER,))]
    on_wednesday = replace(programme(today_early, *spread, people=PEOPLE), now=at(2, "12:00"))

    findings = {f.rule: f for f in check_programme(on_wednesday)}

    assert not findings["early_start"].past and not findings["staff_on_site_day"].past
    assert not [f for f in check_programme(replace(on_wednesday, now=None)) if f.past]


# --- what a change added and cleared --------------------------------------------------------------------------
def test_moving_a_visit_says_which_findings_it_added_and_which_it_cleared():
    early = visit(start="07:45", minutes=60)
    other = visit(start="09:30", minutes=60, place=DAY_CENTRE)
    moved = replace(early, starts_at=at(0, "09:00"), ends_at=at(0, "10:00"))

    change = rules.diff_findings(check_programme(programme(early, other)), check_programme(programme(moved, other)))

    assert [f.rule for f in change.added] == ["double_booking"]
    assert [f.rule for f in change.cleared] == ["early_start"]
    assert change


def test_a_finding_still_there_with_new_numbers_is_neither_added_nor_cleared():
    before = programme(visit(), visit(start="11:05", place=DAY_CENTRE))
    after = programme(*before.visits[:1], replace(before.visits[1], starts_at=at(0, "11:10"),
                                                    ends_at=at(0, "12:10")))

    change = rules.diff_findings(check_programme(before), check_programme(after))

    assert change.added == () and change.cleared == () and not change


# --- every rule, the same way ---------------------------------------------------------------------------------
# One programme breaking each rule, for the checks that must hold for all of them.
def _breaking_programmes() -> dict[str, Programme]:
    cases, people, home_visits = case_sample(14, 12)
    return {
        "double_booking": programme(visit(), visit(start="10:30")),
        "interviews_per_day": programme(*five_interviews()),
        "back_and_forth": programme(visit(start="09:00"), visit(start="11:00", place=DAY_CENTRE),
                                    visit(start="14:00")),
        "travel_time": programme(visit(), visit(start="11:05", place=DAY_CENTRE)),
        "repeat_staff_booking": programme(visit(with_=(MANAGER,)), visit(day=1, with_=(MANAGER,)), people=PEOPLE),
        "team_leader_order": programme(visit(with_=(TEAM_LEADER,)), visit(day=1, with_=(SOCIAL_WORKER,)),
                                       people=PEOPLE, cases=[CASE_ONE]),
        "early_start": programme(visit(start="07:45")),
        "stakeholder_meeting_cap": programme(*stakeholder_meetings(6)),
        "meeting_pairs": programme(visit("stakeholder_meeting")),
        "group_size": programme(visit("user_group_meeting", expected=20)),
        "case_sample": programme(*home_visits, cases=cases, people=people),
        "home_visit_length": programme(visit("home_visit", minutes=20)),
        "unarranged_need": programme(visit(with_=(301,)), people=PEOPLE, needs=[need(301)]),
        "staff_on_site_day": programme(visit(with_=(SOCIAL_WORKER,)), visit(day=4, with_=(TEAM_LEADER,)),
                                       people=PEOPLE),
        "long_day": programme(*six_sessions_from_half_past_eight_to_half_past_seven()),
        "home_visit_nobody_booked": programme(visit("home_visit", place=None, with_=(SOCIAL_WORKER,)),
                                              people=PEOPLE),
    }


BREAKING = _breaking_programmes()


def test_the_checker_has_the_fourteen_rules_of_the_design_in_order_then_the_two_of_the_second_pass():
    assert [rule.id for rule in RULES] == list(BREAKING)
    assert {rule.id: rule.severity for rule in RULES if rule.severity == "error"} == {
        "double_booking": "error", "travel_time": "error", "team_leader_order": "error",
        "stakeholder_meeting_cap": "error", "unarranged_need": "error", "home_visit_nobody_booked": "error"}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_each_rule_explains_itself_with_a_sentence_and_a_suggested_fix(rule):
    [finding, *_others] = findings_of(rule.check, BREAKING[rule.id])

    assert finding.message.endswith(".") and finding.message.lstrip("‘")[0].isupper()
    assert finding.suggestion.endswith(".") and finding.suggestion[0].isupper()
    assert finding.as_dict()["rule"] == rule.id


@pytest.mark.parametrize("rule", [rule for rule in RULES if rule.id != "case_sample"], ids=lambda rule: rule.id)
@pytest.mark.parametrize("status", ["cancelled", "rescheduled"])
def test_visits_taken_out_of_the_programme_break_no_rule(rule, status):
    broken = BREAKING[rule.id]
    withdrawn = replace(broken, visits=tuple(replace(v, status=status) for v in broken.visits))

    assert findings_of(rule.check, withdrawn) == []


# --- check_programme ------------------------------------------------------------------------------------------
def well_planned_week() -> Programme:
    cases, people, home_visits = case_sample(15, 12)
    return programme(
        *home_visits,
        visit(day=0, start="09:30", with_=(SOCIAL_WORKER,), place=NORTHGATE),
        visit(day=0, start="11:00", with_=(SOCIAL_WORKER_2,), place=NORTHGATE),
        visit(day=0, start="14:00", with_=(TEAM_LEADER,), place=NORTHGATE),
        visit(day=1, start="09:30", with_=(MANAGER,), team=(REVIEWER_2,)),
        visit("stakeholder_meeting", day=1, start="14:00", team=(LEAD, REVIEWER)),
        visit("setting_visit", day=2, start="10:00", team=(LAY_ASSESSOR,), place=DAY_CENTRE),
        visit("user_group_meeting", day=2, start="14:00", team=(LAY_ASSESSOR,), place=DAY_CENTRE, expected=10),
        people=[*PEOPLE, *people], cases=[*cases, CASE_ONE], needs=[need(301, status="arranged")],
    )


def test_a_well_planned_week_has_no_findings():
    assert check_programme(well_planned_week()) == []


def test_errors_come_first_then_findings_by_the_start_of_their_first_visit():
    # Early starts for the lay assessor: a reviewer's early start before their evening home visit is a long day.
    wednesday_early = visit(day=2, start="08:00", place=DAY_CENTRE, team=(LAY_ASSESSOR,))
    tuesday_clash = [visit(day=1, start="12:00", team=(REVIEWER_2,)), visit(day=1, start="12:30", team=(REVIEWER_2,))]
    monday_early = visit(day=0, start="08:30", team=(LAY_ASSESSOR,))
    thursday_need = visit("home_visit", day=3, start="18:00", place=None, team=(LAY_ASSESSOR,), with_=(301,))
    messy = replace(well_planned_week(), visits=well_planned_week().visits[1:] + (
        wednesday_early, *tuesday_clash, monday_early, thursday_need))
    messy = replace(messy, needs=(need(301),))

    findings = check_programme(messy)

    assert [(f.severity, f.rule) for f in findings] == [
        ("error", "double_booking"),       # Tuesday
        ("error", "unarranged_need"),      # Thursday
        ("warning", "early_start"),        # Monday
        ("warning", "early_start"),        # Wednesday
        ("warning", "case_sample"),        # about no visit: last
    ]


@given(st.permutations(range(8)))
@settings(max_examples=25, deadline=None)
def test_findings_do_not_depend_on_the_order_visits_were_entered(order):
    clash = [visit(day=1, team=(REVIEWER_2,)), visit(day=1, start="10:30", team=(REVIEWER_2,))]
    the_programme = replace(well_planned_week(), needs=(need(301),))
    the_programme = replace(the_programme, visits=the_programme.visits + (
        *clash, visit(day=2, start="08:00"), visit(day=3, with_=(301,)), *stakeholder_meetings(4)))
    first_eight = the_programme.visits[-8:]
    shuffled = replace(the_programme, visits=the_programme.visits[:-8] + tuple(first_eight[i] for i in order))

    assert check_programme(shuffled) == check_programme(the_programme)


def test_thresholds_from_the_app_config_override_the_guide_and_ignore_other_settings():
    config = {"SECRET_KEY": "x", "PROGRAMME_MAX_INTERVIEWS_PER_DAY": "5", "PROGRAMME_DEFAULT_TRAVEL_MINUTES": 30,
              "group_max": 14}

    thresholds = Thresholds.from_mapping(config)

    assert thresholds == Thresholds(max_interviews_per_day=5, default_travel_minutes=30, group_max=14)
    assert Thresholds.from_mapping({}) == Thresholds()


def test_check_programme_uses_the_thresholds_it_is_given():
    the_programme = programme(*five_interviews())

    assert "interviews_per_day" in {f.rule for f in check_programme(the_programme)}
    assert "interviews_per_day" not in {f.rule for f in check_programme(
        the_programme, Thresholds(max_interviews_per_day=5))}


def test_messages_go_through_the_translator_the_view_passes():
    welsh = {"The guide asks for %(target)s identified cases to allow for drop-outs, but the sample has "
             "%(count)s.": "Mae'r canllaw yn gofyn am %(target)s achos, ond mae gan y sampl %(count)s."}

    findings = check_programme(programme(), gettext=lambda text: welsh.get(text, text))

    assert findings[0].message == "Mae'r canllaw yn gofyn am 15 achos, ond mae gan y sampl 0."
    # Outside the check the English returns.
    assert check_programme(programme())[0].message.startswith("The guide asks")


# --- from the database models ---------------------------------------------------------------------------------
class Kind(str, enum.Enum):
    staff_interview = "staff_interview"


def test_a_snapshot_reads_the_models_attributes_and_enum_values():
    user = SimpleNamespace(id=REVIEWER, name="Rhys Reviewer")
    worker = SimpleNamespace(id=SOCIAL_WORKER, name="Sam Social", kind="staff", office_id=NORTHGATE,
                             needs=[SimpleNamespace(type="interpreting", status="requested")])
    review = SimpleNamespace(on_site_from=MONDAY, on_site_to=FRIDAY,
                             memberships=[SimpleNamespace(user_id=REVIEWER, user=user, role="reviewer")])
    interview = SimpleNamespace(id=1, kind=Kind.staff_interview, title="Interview", starts_at=at(0, "10:00"),
                                ends_at=at(0, "11:00"), location_id=NORTHGATE, team=[user],
                                attendances=[SimpleNamespace(participant_id=SOCIAL_WORKER)], case_id=None,
                                status="planned", expected_count=None)
    office = SimpleNamespace(id=NORTHGATE, name="Northgate Office", kind="council_office", parking_minutes=None)
    a_case = SimpleNamespace(id=1, reference="C-01", status="identified", service_user_id=None,
                             team_leader_id=TEAM_LEADER, social_workers=[worker])
    travel = [SimpleNamespace(from_location_id=COUNTY_HALL, to_location_id=NORTHGATE, minutes=15)]

    snapshot = programme_from_models(review, [interview], [office], [worker], [a_case], travel,
                                     now=at(0, "09:00"))

    assert snapshot.visits == (PVisit(1, "staff_interview", "Interview", at(0, "10:00"), at(0, "11:00"), NORTHGATE,
                                      (REVIEWER,), (SOCIAL_WORKER,), None, "planned", None),)
    assert snapshot.locations[0].parking_minutes == 0
    assert snapshot.members[0].role == "reviewer"
    assert snapshot.cases[0].social_worker_ids == (SOCIAL_WORKER,)
    assert snapshot.needs[0].participant_id == SOCIAL_WORKER
    assert snapshot.travel_minutes(NORTHGATE, COUNTY_HALL, default=20) == 15
    assert [f.rule for f in check_programme(snapshot) if f.is_error] == ["unarranged_need"]
    assert snapshot.now == at(0, "09:00")
    assert not [f for f in check_programme(replace(snapshot, now=at(0, "11:00"))) if f.is_error]  # it has ended


def test_the_snapshot_cannot_be_changed_by_a_rule():
    snapshot = programme(visit())

    with pytest.raises(AttributeError):
        snapshot.visits = ()  # type: ignore[misc]
    assert isinstance(programme(*[visit()]).visits, tuple)
