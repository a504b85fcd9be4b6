"""The app's clock: what "now" and "today" are for every decision the app makes (what is overdue, which needs are
past arranging, which day "today" is on a phone).

A test sets app.config["CLOCK"] to a function returning a fixed aware datetime, and every request sees that
moment as now. Two things keep the machine's time whatever CLOCK says: when a row was written (the column
defaults in models.py) and how old a sign-in is (visits/sessions.py), so a clock set for the programme's day
never makes a session expire or a record claim another time than it was written.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Callable, Optional
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

# Where reviews take place: the zone a day is counted in when no review names its own.
LONDON = ZoneInfo("Europe/London")


def system_utcnow() -> datetime:
    """The machine's time, aware and in UTC."""
    return datetime.now(timezone.utc)


def utcnow() -> datetime:
    """Now as the app sees it: the CLOCK setting's moment when there is one, else the machine's time."""
    clock: Optional[Callable[[], datetime]] = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else system_utcnow()


def today_in(tz: ZoneInfo = LONDON) -> date:
    """Today's date where the visits happen (on CI the machine's own date is UTC's)."""
    return utcnow().astimezone(tz).date()
