"""Lone-worker safety (DESIGN section 3): which home visits are overdue, as a pure function of the clock.

A home visit is **overdue** when its planned end plus a grace period (OVERDUE_GRACE_MINUTES, default 30) has
passed and a member of its team has not checked out. We count every team member without a check-out, whether
or not they checked in: someone who forgot to check in is just as unaccounted for, and a false alarm costs a
phone call while a missed one could cost much more. Cancelled and rescheduled visits are not watched (nobody
went); a visit with nobody on its team has nobody to worry about.

An acknowledgement silences the alarm for the moment it answers: it counts only if it was made after the visit
became overdue, so moving a visit later and letting it run over again raises a fresh alert.

Times here are aware datetimes in UTC; the caller converts the programme's wall-clock times (Visit.ends_at_utc)
and passes `now`, so tests use a fixed clock instead of sleeping.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Optional

from .vocabulary import NOT_LIVE_VISIT_STATUSES


@dataclass(frozen=True)
class MemberCheck:
    """One team member on the visit and what their phone reported."""

    user_id: int
    name: str
    phone: Optional[str] = None
    checked_in_at: Optional[datetime] = None
    checked_out_at: Optional[datetime] = None

    @property
    def is_out(self) -> bool:
        return self.checked_out_at is not None


@dataclass(frozen=True)
class HomeVisitWatch:
    visit_id: int
    status: str
    ends_at: datetime  # aware, UTC
    team: tuple[MemberCheck, ...] = ()
    last_acknowledged_at: Optional[datetime] = None


@dataclass(frozen=True)
class Overdue:
    watch: HomeVisitWatch
    due_by: datetime                    # planned end + grace: when the alarm started
    minutes_overdue: int
    not_checked_out: tuple[MemberCheck, ...]
    acknowledged: bool

    @property
    def visit_id(self) -> int:
        return self.watch.visit_id


def overdue_since(watch: HomeVisitWatch, grace: timedelta) -> datetime:
    return watch.ends_at + grace


def check(watch: HomeVisitWatch, now: datetime, grace: timedelta) -> Optional[Overdue]:
    """The overdue alert for one home visit at `now`, or None when it is not (or no longer) overdue."""
    _require_aware(now, watch.ends_at)
    if watch.status in NOT_LIVE_VISIT_STATUSES or not watch.team:
        return None
    due_by = overdue_since(watch, grace)
    if now <= due_by:
        return None
    missing = tuple(member for member in watch.team if not member.is_out)
    if not missing:
        return None
    acknowledged = watch.last_acknowledged_at is not None and watch.last_acknowledged_at >= due_by
    return Overdue(watch, due_by, int((now - due_by).total_seconds() // 60), missing, acknowledged)


def overdue_visits(watches: Iterable[HomeVisitWatch], now: datetime, grace: timedelta,
                   lookback: Optional[timedelta] = None) -> list[Overdue]:
    """Every overdue home visit, unacknowledged first, then the longest overdue first. Visits that became
    overdue more than `lookback` ago are left out: by then they are history for the audit log, not an alarm."""
    alerts = []
    for watch in watches:
        alert = check(watch, now, grace)
        if alert is None:
            continue
        if lookback is not None and now - alert.due_by > lookback:
            continue
        alerts.append(alert)
    return sorted(alerts, key=lambda alert: (alert.acknowledged, alert.due_by, alert.visit_id))


def _require_aware(*moments: datetime) -> None:
    # Mixing a naive wall-clock time with UTC would silently shift the alarm by an hour in summer.
    for moment in moments:
        if moment.tzinfo is None:
            raise ValueError("overdue checks need aware datetimes (UTC)")
