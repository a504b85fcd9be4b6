"""Programme changes to the people whose visits changed (DESIGN section 13), as a producer for the job runner's tick.

Each VisitChange (recorded by visits/alerts/changes.py where the programme changes) gets one AlertEvent, key
"programme:change:<change id>", with one step: each member of the visit's team before or after the change,
except whoever made it, is told once ("Thu 14:00 home visit moved to 15:30"), with a link to that day of their
itinerary. A change to a visit already over, or in a closed review, is told to nobody; so is one older than
NOTICE_WITHIN (a runner that was stopped for days does not wake everyone with old news).

Twelve changes to one person's day in one tick make one notification, not twelve: what is due for a person in a
tick is said in one message ("3 changes to your visits: ...") carried by the newest of those events; the others
note in their detail ("told_with") that the person hears of them there. That note holds only while the
carrier's delivery to the person is settled (sent, failed, or claimed less than delivery.STALE_CLAIM ago): a
carrier whose runner died before recording the send is due again, with the same summary, and an event is not
ended while a send that carries it is still under way. Two runners at once may then each send a
summary of what they saw (a person may get two summaries): never fewer notices than changes seen.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import partial

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import String, cast, exists, literal

from ..extensions import db
from ..models import (
    AlertEvent, AlertKind, Membership, ReviewStatus, User, Visit, VisitChange,
)
from .changes import notice_line
from .contract import DueStep, Message, user_recipient
from .delivery import settled_recipients
from .events import event_for_key

STEP = 1
KEY_PREFIX = "programme:change:"
NOTICE_WITHIN = timedelta(hours=48)
LINES_IN_SUMMARY = 3


def event_key(change_id: int) -> str:
    return f"{KEY_PREFIX}{change_id}"


def _new_changes(now: datetime) -> list[VisitChange]:
    has_event = exists().where(AlertEvent.key == literal(KEY_PREFIX) + cast(VisitChange.id, String))
    return list(db.session.scalars(
        db.select(VisitChange).where(VisitChange.changed_at >= now - NOTICE_WITHIN, ~has_event)
        .order_by(VisitChange.id)))


def _worth_telling(change: VisitChange, now: datetime) -> bool:
    visit: Visit = change.visit
    if visit is None or visit.review.status is ReviewStatus.closed:
        return False
    starts = [datetime.fromisoformat(value) for value in change.changes.get("starts_at", []) if value]
    # Over already, before and after the change: nobody needs to change their day for it.
    return visit.ends_at_utc() > now or any(
        start.replace(tzinfo=visit.review.tz) > now for start in starts)


def _open_events(now: datetime) -> None:
    for change in _new_changes(now):
        def make(change=change) -> AlertEvent:
            return AlertEvent(review_id=change.review_id, kind=AlertKind.programme, key=event_key(change.id),
                              visit_id=change.visit_id, started_at=change.changed_at,
                              detail={"change_id": change.id, "told_with": {}})

        event, made = event_for_key(event_key(change.id), make)
        if made and not _worth_telling(change, now):
            event.ended_at = now


def _members(review_id: int) -> set[int]:
    return set(db.session.scalars(
        db.select(Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.review_id == review_id, User.active.is_(True))))


class _Deliveries:
    """What the deliveries of each event's step say, read once a tick: which recipients are settled (sent, failed,
    or claimed by a runner that may still be sending: delivery.is_settled) and which of those are still in flight."""

    def __init__(self):
        self._seen: dict[int, tuple[set[str], set[str]]] = {}

    def of(self, event_id: int) -> tuple[set[str], set[str]]:
        if event_id not in self._seen:
            settled = settled_recipients(event_id, STEP)
            self._seen[event_id] = settled, settled - settled_recipients(event_id, STEP, outcome_only=True)
        return self._seen[event_id]


def _pending(event: AlertEvent, change: VisitChange, members: set[int],
             deliveries: _Deliveries) -> tuple[list[int], bool]:
    """Who is still to hear of this change, and whether a send about it may still be under way. A person told with
    another event ("told_with") has heard only once that carrier's delivery to them is settled: a carrier whose
    runner died is due again, and so is every change it carried."""
    settled, in_flight = deliveries.of(event.id)
    busy = bool(in_flight)
    told = set()
    for user_id, carrier_id in (event.detail or {}).get("told_with", {}).items():
        carrier_settled, carrier_in_flight = deliveries.of(int(carrier_id))
        recipient = user_recipient(int(user_id))
        if recipient in carrier_settled:
            told.add(int(user_id))
            busy = busy or recipient in carrier_in_flight
    pending = [user_id for user_id in change.team_ids or []
               if user_id != change.changed_by_id and user_id in members and user_id not in told
               and user_recipient(user_id) not in settled]
    return pending, busy


def _day_of(change: VisitChange) -> str:
    start = change.changes.get("starts_at", [None, None])
    return (start[1] or start[0])[:10]


def message_for(user_id: int, changes: list[VisitChange]) -> Message:
    """One change: its line. Several: "3 changes to your visits: ...", the first few lines, then how many more."""
    changes = sorted(changes, key=lambda change: (_day_of(change), change.id))
    lines = [notice_line(change, user_id) for change in changes]
    url = f"/itinerary?date={_day_of(changes[0])}"
    if len(lines) == 1:
        return Message(kind=AlertKind.programme.value, title=_("Programme change"), body=lines[0], url=url)
    shown = "; ".join(lines[:LINES_IN_SUMMARY])
    more = len(lines) - LINES_IN_SUMMARY
    if more > 0:
        shown += "; " + ngettext("and %(num)d more", "and %(num)d more", more)
    title = ngettext("%(num)d change to your visits", "%(num)d changes to your visits", len(lines))
    return Message(kind=AlertKind.programme.value, title=title, body=shown, url=url)


def due_steps(now: datetime) -> list[DueStep]:
    """Makes an event for each new change, then answers one step per person with something new: the newest of
    their events carries the message about all of them. Ends the events everyone has heard of. Commits."""
    _open_events(now)
    events = list(db.session.scalars(db.select(AlertEvent).where(
        AlertEvent.kind == AlertKind.programme, AlertEvent.ended_at.is_(None), AlertEvent.acknowledged_at.is_(None))
        .order_by(AlertEvent.id)))
    members_of: dict[int, set[int]] = {}
    deliveries = _Deliveries()
    by_person: dict[int, list[tuple[AlertEvent, VisitChange]]] = defaultdict(list)
    for event in events:
        change = db.session.get(VisitChange, (event.detail or {}).get("change_id"))
        if change is None:
            event.ended_at = now
            continue
        if event.review_id not in members_of:
            members_of[event.review_id] = _members(event.review_id)
        pending, busy = _pending(event, change, members_of[event.review_id], deliveries)
        if not pending and not busy:
            event.ended_at = now  # everyone has been told (or nobody is left to tell)
        for user_id in pending:
            by_person[user_id].append((event, change))
    due = []
    for user_id, items in sorted(by_person.items()):
        carrier = max(items, key=lambda item: item[0].id)[0]
        for event, _change in items:
            if event is not carrier:
                told = dict((event.detail or {}).get("told_with", {}))
                told[str(user_id)] = carrier.id
                event.detail = {**(event.detail or {}), "told_with": told}
        compose = partial(message_for, user_id, [change for _event, change in items])
        due.append(DueStep(carrier.id, STEP, (user_recipient(user_id),), compose(), compose))
    db.session.commit()
    return due
