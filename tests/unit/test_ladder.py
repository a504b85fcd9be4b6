"""The lone-worker ladder as a pure rule: which steps are due at `now`, with an injected clock (no sleeping)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from visits.alerts.ladder import (
    OUT_OF_HOURS, TEAM, VISITORS, LadderSettings, due_steps, first_step_at, reached_at, step_times,
)

LONDON = ZoneInfo("Europe/London")
SETTINGS = LadderSettings(timedelta(minutes=30), timedelta(minutes=10), timedelta(minutes=20), "edt@council.example")
END = datetime(2026, 11, 23, 18, 45, tzinfo=timezone.utc)
ZERO = END + timedelta(minutes=30)


def at(minutes: float) -> datetime:
    return ZERO + timedelta(minutes=minutes)


@pytest.mark.parametrize("minutes, due", [
    (-0.1, ()), (0, (VISITORS,)), (9.9, (VISITORS,)), (10, (VISITORS, TEAM)), (19.9, (VISITORS, TEAM)),
    (20, (VISITORS, TEAM, OUT_OF_HOURS)), (600, (VISITORS, TEAM, OUT_OF_HOURS)),
])
def test_each_step_falls_due_at_its_minute_counted_from_the_first(minutes, due):
    assert due_steps(ZERO, at(minutes), SETTINGS) == due


def test_step_one_is_the_planned_end_plus_the_grace():
    assert first_step_at(END, SETTINGS) == datetime(2026, 11, 23, 19, 15, tzinfo=timezone.utc)


def test_an_acknowledged_or_ended_event_has_no_due_steps():
    assert due_steps(ZERO, at(60), SETTINGS, acknowledged=True) == ()
    assert due_steps(ZERO, at(60), SETTINGS, ended=True) == ()


def test_duress_starts_at_the_second_step_at_once_and_keeps_the_gap_to_the_third():
    assert due_steps(ZERO, ZERO, SETTINGS, first_step=TEAM) == (TEAM,)
    assert due_steps(ZERO, at(9.9), SETTINGS, first_step=TEAM) == (TEAM,)
    assert due_steps(ZERO, at(10), SETTINGS, first_step=TEAM) == (TEAM, OUT_OF_HOURS)
    assert VISITORS not in step_times(ZERO, SETTINGS, first_step=TEAM)


def test_step_three_never_comes_before_step_two_whatever_a_row_says():
    odd = LadderSettings(timedelta(0), timedelta(minutes=15), timedelta(minutes=5))
    times = step_times(ZERO, odd)
    assert times[OUT_OF_HOURS] >= times[TEAM]


def test_the_ladder_across_the_autumn_clock_change_counts_real_minutes():
    # 25 October 2026: clocks go back at 02:00 BST to 01:00 GMT. A visit ending 00:50 BST, grace 30: step 1 at
    # 01:20 BST (00:20 UTC); step 2 ten real minutes later, though the wall clock may repeat an hour.
    end = datetime(2026, 10, 25, 0, 50, tzinfo=LONDON).astimezone(timezone.utc)
    zero = first_step_at(end, SETTINGS)
    assert zero == datetime(2026, 10, 25, 0, 20, tzinfo=timezone.utc)
    times = step_times(zero, SETTINGS)
    assert times[TEAM] - times[VISITORS] == timedelta(minutes=10)
    # The wall clock shows 01:30 twice: the first time (BST) ten minutes after step 1, the second (GMT) an hour on.
    first, second = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON), datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)
    assert due_steps(zero, first.astimezone(timezone.utc), SETTINGS) == (VISITORS, TEAM)
    assert due_steps(zero, second.astimezone(timezone.utc), SETTINGS) == (VISITORS, TEAM, OUT_OF_HOURS)
    # Spring forward (29 March 2026, 01:00 GMT -> 02:00 BST): a visit ending 00:50 GMT, step 1 at 01:20 GMT,
    # which the wall clock shows as 02:20 BST.
    end = datetime(2026, 3, 29, 0, 50, tzinfo=LONDON).astimezone(timezone.utc)
    zero = first_step_at(end, SETTINGS)
    assert zero.astimezone(LONDON).strftime("%H:%M") == "02:20"
    assert due_steps(zero, datetime(2026, 3, 29, 2, 29, tzinfo=LONDON), SETTINGS) == (VISITORS,)


def test_the_ladder_climbs_past_midnight():
    end = datetime(2026, 11, 23, 23, 50, tzinfo=LONDON).astimezone(timezone.utc)
    zero = first_step_at(end, SETTINGS)  # 00:20 on the 24th
    assert due_steps(zero, datetime(2026, 11, 24, 0, 19, tzinfo=LONDON), SETTINGS) == ()
    assert due_steps(zero, datetime(2026, 11, 24, 0, 30, tzinfo=LONDON), SETTINGS) == (VISITORS, TEAM)
    assert due_steps(zero, datetime(2026, 11, 24, 0, 40, tzinfo=LONDON), SETTINGS) == (VISITORS, TEAM, OUT_OF_HOURS)


def test_a_naive_time_is_refused_rather_than_shifted_an_hour():
    with pytest.raises(ValueError):
        due_steps(ZERO.replace(tzinfo=None), at(1), SETTINGS)
    with pytest.raises(ValueError):
        due_steps(ZERO, at(1).replace(tzinfo=None), SETTINGS)


def test_when_a_step_was_reached_stops_with_the_ladder():
    assert reached_at(TEAM, ZERO, SETTINGS, now=at(15)) == at(10)
    assert reached_at(TEAM, ZERO, SETTINGS, now=at(5)) is None
    assert reached_at(TEAM, ZERO, SETTINGS, now=at(15), stopped_at=at(8)) is None  # acknowledged before it
    assert reached_at(TEAM, ZERO, SETTINGS, now=at(15), stopped_at=at(12)) == at(10)


def test_a_reviews_settings_fall_back_to_the_apps_grace_and_are_bounded():
    review = SimpleNamespace(alert_grace_minutes=None, alert_team_minutes=10, alert_out_of_hours_minutes=20,
                             out_of_hours_email=" ")
    settings = LadderSettings.of(review, 30)
    assert settings.grace == timedelta(minutes=30) and not settings.has_out_of_hours_contact
    review.alert_grace_minutes, review.alert_team_minutes = 0, 9999
    settings = LadderSettings.of(review, 30)
    assert settings.grace == timedelta(0) and settings.team_after == timedelta(minutes=240)
