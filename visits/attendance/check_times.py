"""When a check-in or check-out is "far" from its visit, so the phone asks first and the server wants it confirmed
(issue 12, item 7): a tap at 03:04 for a 10:00 visit, or on tomorrow's visit, is more likely a slip than arrival.

A time is near when it is at most NEAR (2 hours) before the visit's start or after its end, *and* on a day the visit
covers in its review's time zone (an evening visit that runs past midnight covers both days). Both conditions are
intervals, so "near" is one interval of real time, `near_window`: the page hands its two ends to the phone as UTC
instants, and the phone compares its clock with them without knowing anything of time zones or clock changes.

Pure: the visit's wall-clock times (naive, as the programme stores them) and its zone in, aware UTC times out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Optional
from zoneinfo import ZoneInfo

NEAR = timedelta(hours=2)
# A check-out tapped by mistake can be taken back for this long (by the phone's clock: offline, it is still a slip).
UNDO_CHECK_OUT_FOR = timedelta(minutes=10)
# The ten minutes are on the phone's clock, so an undo made offline counts when it arrives; but a phone can claim
# any time, so the server also bounds how long after it recorded the check-out the undo may reach it: a working
# day without signal, not days.
UNDO_MAY_ARRIVE_WITHIN = timedelta(hours=12)


@dataclass(frozen=True)
class NearWindow:
    """From `earliest` to `latest` (aware, UTC, both included) a check-in or check-out needs no confirmation."""

    earliest: datetime
    latest: datetime

    def holds(self, moment: datetime) -> bool:
        return self.earliest <= moment.astimezone(timezone.utc) <= self.latest


def _utc(wall_clock: datetime, tz: ZoneInfo) -> datetime:
    return wall_clock.replace(tzinfo=tz).astimezone(timezone.utc)


def near_window(starts_at: datetime, ends_at: datetime, tz: ZoneInfo, near: timedelta = NEAR) -> NearWindow:
    """The times near a visit programmed from `starts_at` to `ends_at` (wall clock in `tz`)."""
    first_day = _utc(datetime.combine(starts_at.date(), time.min), tz)
    after_last_day = _utc(datetime.combine(ends_at.date() + timedelta(days=1), time.min), tz)
    return NearWindow(earliest=max(_utc(starts_at, tz) - near, first_day),
                      latest=min(_utc(ends_at, tz) + near, after_last_day - timedelta(microseconds=1)))


def is_far_from_visit(moment: datetime, starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> bool:
    """Whether a check-in or check-out at `moment` (aware) needs the person to say it is really meant."""
    if moment.tzinfo is None:
        raise ValueError("a device time must carry its UTC offset")
    return not near_window(starts_at, ends_at, tz).holds(moment)


def may_undo_check_out(checked_out_at: datetime, undo_at: datetime) -> bool:
    """Whether a check-out made at `checked_out_at` may still be taken back at `undo_at` (both aware). Either way
    round: the two times may come from different clocks (a phone's, then the server's for a form without script)."""
    return abs(undo_at - checked_out_at) <= UNDO_CHECK_OUT_FOR


def undo_arrives_in_time(checked_out_recorded_at: Optional[datetime], now: datetime) -> bool:
    """Whether an undo reaching the server at `now` is close enough to when the server recorded the check-out."""
    return checked_out_recorded_at is not None and now - checked_out_recorded_at <= UNDO_MAY_ARRIVE_WITHIN
