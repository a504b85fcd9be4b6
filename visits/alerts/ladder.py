"""The lone-worker ladder (DESIGN section 13) as a pure rule: which of its steps are due at `now`.

An overdue home visit climbs three steps, counted from the first:
1. at the planned end plus the grace period: the visitors still not checked out ("Are you safe? Check out");
2. `team` minutes later (default 10): the lead reviewer and the link officers;
3. `out_of_hours` minutes after the first step (default 20): the review's out-of-hours contact, by email.

A duress check-out starts the ladder at its second step, at once: its time zero is step 2's moment, and step 3
keeps the same distance behind step 2 as for an overdue visit.

An acknowledged or ended event has no due steps: someone answered, or everyone is out. Every time here is an aware
datetime in UTC (the producer converts the programme's wall-clock times), so clock changes and midnight are plain
arithmetic; the tests inject the clock rather than sleep.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

VISITORS, TEAM, OUT_OF_HOURS = 1, 2, 3
STEPS = (VISITORS, TEAM, OUT_OF_HOURS)

# What a review's settings may hold (the settings page bounds them; so does this rule, for a row set elsewhere).
MIN_MINUTES, MAX_MINUTES = 0, 240


@dataclass(frozen=True)
class LadderSettings:
    grace: timedelta               # the planned end to step 1
    team_after: timedelta          # step 1 to step 2
    out_of_hours_after: timedelta  # step 1 to step 3 (after step 2)
    out_of_hours_email: str = ""

    @classmethod
    def of(cls, review, default_grace_minutes: int) -> "LadderSettings":
        """A review's settings; its grace falls back to the app's OVERDUE_GRACE_MINUTES."""
        grace = review.alert_grace_minutes if review.alert_grace_minutes is not None else default_grace_minutes
        team = review.alert_team_minutes if review.alert_team_minutes is not None else 10
        out_of_hours = review.alert_out_of_hours_minutes if review.alert_out_of_hours_minutes is not None else 20
        return cls(timedelta(minutes=_bounded(grace)), timedelta(minutes=_bounded(team)),
                   timedelta(minutes=_bounded(out_of_hours)), (review.out_of_hours_email or "").strip())

    @property
    def has_out_of_hours_contact(self) -> bool:
        return bool(self.out_of_hours_email)


def _bounded(minutes: int) -> int:
    return max(MIN_MINUTES, min(MAX_MINUTES, int(minutes)))


def first_step_at(planned_end_utc: datetime, settings: LadderSettings) -> datetime:
    """An overdue visit's time zero: its planned end plus the grace period."""
    _require_aware(planned_end_utc)
    return planned_end_utc + settings.grace


def step_times(time_zero: datetime, settings: LadderSettings, first_step: int = VISITORS) -> dict[int, datetime]:
    """When each step of the ladder falls, for a ladder starting at `first_step` at `time_zero`."""
    _require_aware(time_zero)
    if first_step not in STEPS:
        raise ValueError(f"no such step: {first_step}")
    # Step 3 never comes before step 2, even from settings saved elsewhere than the settings page.
    third = max(settings.out_of_hours_after, settings.team_after)
    offsets = {VISITORS: timedelta(0), TEAM: settings.team_after, OUT_OF_HOURS: third}
    base = offsets[first_step]
    return {step: time_zero + offsets[step] - base for step in STEPS if step >= first_step}


def due_steps(time_zero: datetime, now: datetime, settings: LadderSettings, *, first_step: int = VISITORS,
              acknowledged: bool = False, ended: bool = False) -> tuple[int, ...]:
    """The steps whose time has come at `now` (every one reached, not just the newest: the database sends each
    once, so a runner that was down sends what it missed). None for an acknowledged or ended event."""
    _require_aware(now)
    if acknowledged or ended:
        return ()
    return tuple(step for step, moment in step_times(time_zero, settings, first_step).items() if moment <= now)


def reached_at(step: int, time_zero: datetime, settings: LadderSettings, *, first_step: int = VISITORS,
               stopped_at: Optional[datetime] = None, now: datetime) -> Optional[datetime]:
    """When `step` was reached, or None: not yet at `now`, or the ladder stopped (acknowledged, ended) first."""
    moment = step_times(time_zero, settings, first_step).get(step)
    if moment is None or moment > now or (stopped_at is not None and stopped_at < moment):
        return None
    return moment


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None:
            raise ValueError("the ladder needs aware datetimes (UTC)")
