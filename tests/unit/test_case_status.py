"""A case's status follows its visits (DESIGN section 11): the rule on plain values, one situation at a time."""
from __future__ import annotations

from datetime import datetime

import pytest

from visits.case_status import CaseVisit, derive_case_status

MONDAY_EVENING = datetime(2025, 3, 10, 18, 0)
WEDNESDAY = datetime(2025, 3, 12, 14, 0)
THURSDAY = datetime(2025, 3, 13, 10, 0)


def home_visit(status: str = "completed", attendance: str | None = "attended",
               starts_at: datetime = MONDAY_EVENING) -> CaseVisit:
    return CaseVisit(kind="home_visit", status=status, starts_at=starts_at, service_user_attendance=attendance)


def test_a_case_with_no_visit_yet_is_identified():
    assert derive_case_status([]) == "identified"


@pytest.mark.parametrize("status", ["planned", "confirmed", "in_progress", "no_show", "cancelled"])
def test_a_home_visit_not_completed_leaves_the_case_identified(status):
    assert derive_case_status([home_visit(status=status, attendance="expected")]) == "identified"


@pytest.mark.parametrize("attendance", ["expected", "attended", "late"])
def test_a_completed_home_visit_with_the_service_user_there_makes_the_case_visited(attendance):
    """"A completed home visit with the case's service user makes it visited" (DESIGN section 11). Attendance
    nobody got round to recording still counts: the visit was completed with them booked."""
    assert derive_case_status([home_visit(attendance=attendance)]) == "visited"


@pytest.mark.parametrize("attendance", ["absent", "apologies"])
def test_a_completed_home_visit_the_service_user_missed_does_not_make_the_case_visited(attendance):
    assert derive_case_status([home_visit(attendance=attendance)]) == "identified"


def test_a_completed_home_visit_without_the_service_user_booked_does_not_count():
    """The carer alone was seen: the service user's view is what the case sample is for."""
    assert derive_case_status([home_visit(attendance=None)]) == "identified"


def test_other_visits_completed_with_the_service_user_do_not_make_the_case_visited():
    group = CaseVisit("user_group_meeting", "completed", WEDNESDAY, "attended")

    assert derive_case_status([group]) == "identified"


def test_a_dropped_out_attendance_makes_the_case_dropped_out_on_any_visit():
    group = CaseVisit("user_group_meeting", "completed", WEDNESDAY, "dropped_out")

    assert derive_case_status([group]) == "dropped_out"
    assert derive_case_status([home_visit(status="cancelled", attendance="dropped_out")]) == "dropped_out"


def test_when_both_happened_the_later_wins_dropping_out_after_the_home_visit():
    follow_up = CaseVisit("home_visit", "planned", THURSDAY, "dropped_out")

    assert derive_case_status([home_visit(), follow_up]) == "dropped_out"


def test_when_both_happened_the_later_wins_visited_after_dropping_out_of_an_earlier_meeting():
    earlier = CaseVisit("user_group_meeting", "completed", datetime(2025, 3, 10, 10, 0), "dropped_out")

    assert derive_case_status([home_visit(starts_at=WEDNESDAY), earlier]) == "visited"
