"""A person's visits as an iCalendar feed, for the calendar app on their phone.

The feed leaves the device's control (calendar apps sync it to their own servers), so it carries the minimum:
time, kind, a title, the team and a non-home place. A home visit is "Home visit (case REF)" with no name,
address or phone of the service user, and so is any visit about a service user or carer (its typed title may name
them) or whose title names one; the visit page (behind sign-in) has the rest. Only the person's own visits
(those whose team they are on) are in it.

Secret URL: a random token of which only the SHA-256 is stored (models.CalendarFeed). Revoking the feed or
making a new one stops the old URL at once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable, Optional

from icalendar import Calendar, Event

from ..identity import about_private_people, names_someone
from ..models import CalendarFeed, User, Visit, VisitStatus

# How far back the feed reaches: the current review week and a little history, not every review ever.
HISTORY_DAYS = 30

ICAL_STATUS = {
    VisitStatus.planned: "TENTATIVE",
    VisitStatus.confirmed: "CONFIRMED",
    VisitStatus.in_progress: "CONFIRMED",
    VisitStatus.completed: "CONFIRMED",
    VisitStatus.no_show: "CONFIRMED",
    VisitStatus.cancelled: "CANCELLED",
    VisitStatus.rescheduled: "CANCELLED",
}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def event_summary(visit: Visit, kind_label: Callable[[str], str]) -> str:
    """The event's title. A visit about a service user or carer (a home visit, one about a case or with one of
    them) is called by its kind and case reference: a title is typed freely and may name them. So is any visit
    whose title names a service user or carer of the review: the feed leaves the app, whoever it is for."""
    if about_private_people(visit) or names_someone(visit.review_id, visit.title):
        kind = kind_label(visit.kind.value)
        return f"{kind} ({visit.case.reference})" if visit.case else kind
    return visit.title or kind_label(visit.kind.value)


def build_calendar(user: User, visits: Iterable[Visit], *, kind_label: Callable[[str], str],
                   visit_url: Callable[[Visit], str], calendar_name: str, team_label: str, now: datetime) -> bytes:
    """The feed as bytes. Labels, URLs and the time come from the caller so this stays free of Flask and
    translations."""
    calendar = Calendar.new(name=calendar_name, prodid="-//Fieldwork//Joint review visits//EN",
                            refresh_interval=timedelta(hours=1))
    first: Optional[date] = None
    last: Optional[date] = None
    for visit in visits:
        tz = visit.review.tz
        lines = [f"{team_label} {', '.join(member.name for member in visit.team)}"]
        location = None
        if visit.location and not visit.is_home_visit:
            location = ", ".join(part for part in (visit.location.name, visit.location.address) if part)
        event = Event.new(
            uid=f"visit-{visit.id}@fieldwork",
            summary=event_summary(visit, kind_label),
            start=visit.starts_at.replace(tzinfo=tz),
            end=visit.ends_at.replace(tzinfo=tz),
            location=location,
            description="\n".join(lines),
            url=visit_url(visit),
            status=ICAL_STATUS[visit.status],
            stamp=now,
            last_modified=visit.updated_at,
            # Calendar apps replace an event only when its SEQUENCE goes up: minutes since 2020 always do.
            sequence=max(0, int((visit.updated_at - datetime(2020, 1, 1, tzinfo=timezone.utc)).total_seconds()
                                // 60)) if visit.updated_at else 0,
        )
        calendar.add_component(event)
        day = visit.starts_at.date()
        first = day if first is None or day < first else first
        last = day if last is None or day > last else last
    if first is not None:
        # VTIMEZONE for Europe/London covering the visits, so every calendar app reads the times alike.
        calendar.add_missing_timezones(first_date=first - timedelta(days=1), last_date=last + timedelta(days=366))
    return calendar.to_ical()


def active_feed(feeds: Iterable[CalendarFeed]) -> Optional[CalendarFeed]:
    return next((feed for feed in feeds if feed.revoked_at is None), None)
