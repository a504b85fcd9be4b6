"""Is a check-in or check-out far from its visit (issue 12, item 7)? Near means within 2 hours of the visit and on a
day it covers, in Europe/London, counted in real time across the clocks changing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from visits.attendance.check_times import is_far_from_visit, may_undo_check_out, near_window

LONDON = ZoneInfo("Europe/London")


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def london(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def far(moment, start, end):
    return is_far_from_visit(moment, start, end, LONDON)


MORNING = (datetime(2026, 12, 5, 10, 0), datetime(2026, 12, 5, 11, 0))


def test_checking_in_at_three_in_the_morning_for_a_ten_o_clock_visit_is_far():
    assert far(london(2026, 12, 5, 3, 4), *MORNING)


def test_checking_in_on_the_doorstep_a_little_early_or_late_is_near():
    assert not far(london(2026, 12, 5, 9, 50), *MORNING)
    assert not far(london(2026, 12, 5, 8, 0), *MORNING)       # exactly 2 hours before: still near
    assert not far(london(2026, 12, 5, 13, 0), *MORNING)      # exactly 2 hours after the end
    assert far(london(2026, 12, 5, 7, 59), *MORNING)
    assert far(london(2026, 12, 5, 13, 1), *MORNING)


def test_checking_in_on_tomorrow_s_visit_is_far():
    assert far(london(2026, 12, 4, 10, 0), *MORNING)


def test_the_device_s_offset_is_respected():
    assert not far(datetime(2026, 12, 5, 11, 0, tzinfo=timezone(timedelta(hours=1))), *MORNING)  # 10:00 London


def test_an_evening_visit_running_past_midnight_is_near_on_both_days():
    start, end = datetime(2026, 11, 25, 21, 0), datetime(2026, 11, 26, 0, 30)
    assert not far(london(2026, 11, 25, 19, 30), start, end)
    assert not far(london(2026, 11, 26, 0, 20), start, end)   # checking out after midnight
    assert not far(london(2026, 11, 26, 2, 30), start, end)
    assert far(london(2026, 11, 26, 2, 31), start, end)


def test_a_late_visit_is_not_near_on_the_next_day_even_within_two_hours():
    start, end = datetime(2026, 11, 25, 22, 30), datetime(2026, 11, 25, 23, 30)
    assert not far(london(2026, 11, 25, 23, 59), start, end)
    assert far(london(2026, 11, 26, 0, 15), start, end)       # another day


def test_an_early_visit_is_not_near_on_the_day_before():
    start, end = datetime(2026, 11, 26, 0, 30), datetime(2026, 11, 26, 1, 30)
    assert far(london(2026, 11, 25, 23, 45), start, end)
    assert not far(london(2026, 11, 26, 0, 0), start, end)


def test_when_the_clocks_go_forward_two_real_hours_count_not_the_wall_clock():
    # 29 March 2026: 01:00 GMT becomes 02:00 BST. A 03:00 visit starts at 02:00 UTC.
    start, end = datetime(2026, 3, 29, 3, 0), datetime(2026, 3, 29, 4, 0)
    assert not far(utc(2026, 3, 29, 0, 30), start, end)       # 00:30 on the wall: 2.5 h by it, 1.5 h really
    assert far(utc(2026, 3, 28, 23, 59), start, end)           # the day before


def test_when_the_clocks_go_back_two_real_hours_count_not_the_wall_clock():
    # 25 October 2026: 02:00 BST becomes 01:00 GMT. A 02:00 visit starts at 02:00 UTC.
    start, end = datetime(2026, 10, 25, 2, 0), datetime(2026, 10, 25, 3, 0)
    assert far(utc(2026, 10, 24, 23, 45), start, end)          # 00:45 on the wall, but 2 h 15 min really
    assert not far(utc(2026, 10, 25, 0, 0), start, end)


def test_the_window_is_what_the_phone_compares_its_clock_with():
    window = near_window(*MORNING, LONDON)
    assert window.earliest == utc(2026, 12, 5, 8, 0) and window.latest == utc(2026, 12, 5, 13, 0)
    summer = near_window(datetime(2026, 7, 1, 23, 0), datetime(2026, 7, 1, 23, 30), LONDON)
    assert summer.earliest == utc(2026, 7, 1, 20, 0)
    assert summer.latest < utc(2026, 7, 1, 23, 0)               # midnight in London is 23:00 UTC in summer


def test_a_time_without_its_offset_is_refused():
    with pytest.raises(ValueError):
        far(datetime(2026, 12, 5, 10, 0), *MORNING)


def test_a_check_out_can_be_undone_for_ten_minutes():
    out = utc(2026, 12, 5, 19, 40)
    assert may_undo_check_out(out, out + timedelta(minutes=9))
    assert may_undo_check_out(out, out + timedelta(minutes=10))
    assert not may_undo_check_out(out, out + timedelta(minutes=11))
    assert not may_undo_check_out(out, out + timedelta(days=1))
