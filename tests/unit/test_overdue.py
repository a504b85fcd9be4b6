"""Lone-worker safety: which home visits are overdue, decided with a fixed clock (no sleeping)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from visits.overdue import HomeVisitWatch, MemberCheck, check, overdue_visits

GRACE = timedelta(minutes=30)
END = datetime(2026, 11, 23, 18, 45, tzinfo=timezone.utc)  # planned end of an evening home visit


def member(user_id=1, name="Rhys", checked_in=True, checked_out=False):
    return MemberCheck(user_id, name, "07700 900102",
                       END - timedelta(minutes=45) if checked_in else None,
                       END + timedelta(minutes=5) if checked_out else None)


def watch(*team, status="in_progress", acknowledged_at=None, visit_id=7, ends_at=END):
    return HomeVisitWatch(visit_id, status, ends_at, tuple(team or (member(),)), acknowledged_at)


def minutes_after_end(minutes):
    return END + timedelta(minutes=minutes)


def test_a_visit_is_not_overdue_within_the_grace_period():
    assert check(watch(), minutes_after_end(30), GRACE) is None


def test_a_visit_not_checked_out_after_end_plus_grace_is_overdue_naming_who_is_unaccounted_for():
    alert = check(watch(member(1, "Rhys"), member(2, "Ffion", checked_out=True)), minutes_after_end(42), GRACE)
    assert alert is not None
    assert alert.minutes_overdue == 12 and alert.due_by == END + GRACE
    assert [m.name for m in alert.not_checked_out] == ["Rhys"]
    assert not alert.acknowledged


def test_a_member_who_never_checked_in_is_as_unaccounted_for_as_one_who_did_not_check_out():
    alert = check(watch(member(checked_in=False)), minutes_after_end(31), GRACE)
    assert alert is not None and alert.not_checked_out[0].checked_in_at is None


def test_everyone_checked_out_means_nobody_is_overdue():
    assert check(watch(member(1, checked_out=True), member(2, checked_out=True)), minutes_after_end(120),
                 GRACE) is None


@pytest.mark.parametrize("status", ["cancelled", "rescheduled"])
def test_cancelled_and_rescheduled_visits_are_not_watched(status):
    assert check(watch(status=status), minutes_after_end(60), GRACE) is None


def test_a_visit_with_nobody_on_its_team_has_nobody_to_worry_about():
    assert check(HomeVisitWatch(7, "planned", END, ()), minutes_after_end(60), GRACE) is None


def test_an_acknowledgement_made_after_it_became_overdue_counts_and_an_older_one_does_not():
    later = check(watch(acknowledged_at=minutes_after_end(35)), minutes_after_end(40), GRACE)
    assert later.acknowledged
    # Acknowledged an earlier alarm, then the visit was moved later and ran over again: a fresh alert.
    earlier = check(watch(acknowledged_at=minutes_after_end(-60)), minutes_after_end(40), GRACE)
    assert not earlier.acknowledged


def test_the_grace_period_is_configurable():
    assert check(watch(), minutes_after_end(11), timedelta(minutes=10)) is not None
    assert check(watch(), minutes_after_end(11), timedelta(minutes=60)) is None


def test_overdue_visits_lists_unacknowledged_first_longest_overdue_first_and_drops_old_ones():
    now = minutes_after_end(120)
    watches = [
        watch(visit_id=1, ends_at=END),                                            # 90 min overdue
        watch(visit_id=2, ends_at=END + timedelta(minutes=60)),                    # 30 min overdue
        watch(visit_id=3, ends_at=END - timedelta(minutes=30), acknowledged_at=now),  # acknowledged
        watch(visit_id=4, ends_at=END - timedelta(days=2)),                        # two days ago: history
    ]
    alerts = overdue_visits(watches, now, GRACE, lookback=timedelta(hours=24))
    assert [alert.visit_id for alert in alerts] == [1, 2, 3]
    assert [alert.acknowledged for alert in alerts] == [False, False, True]


def test_naive_times_are_refused_rather_than_silently_an_hour_out_in_summer():
    with pytest.raises(ValueError):
        check(watch(), datetime(2026, 11, 23, 20, 0), GRACE)
