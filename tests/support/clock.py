"""Times as a programme writes them (the review's wall clock, Europe/London) and the app's clock that tests set
(visits/clock.py: app.config["CLOCK"])."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london(day: date, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time on the programme as the aware UTC moment the server stores."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(timezone.utc)


def set_clock(app, moment: datetime) -> None:
    """Every request of `app` sees `moment` as now."""
    app.config["CLOCK"] = lambda: moment
