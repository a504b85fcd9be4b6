"""Answering the lone-worker ladder's events (DESIGN section 13): acknowledging one stops its ladder; and the open
ones the attendance board shows. Apart from the producer (overdue_alerts.py), which reads the board's query, so
the board may use these without importing the producer back."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..models import AlertEvent, AlertKind, User

LADDER_KINDS = (AlertKind.overdue, AlertKind.duress)


def acknowledge_event(event: AlertEvent, user: User, now: Optional[datetime] = None, via: str = "alert") -> bool:
    """Stop the event's ladder: someone is following it up. False when it was already answered or over."""
    if not event.is_open:
        return False
    event.acknowledged_at, event.acknowledged_by_id = now or utcnow(), user.id
    # A duress event's rows have no actor (who answered is in `by`): nothing in the log ties them to a person
    # whose own log could show them; the person under duress never sees them (audit_log/queries.py).
    actor = None if event.kind is AlertKind.duress else user
    audit.record(actor, "alert.acknowledged", "alert_event", event.id, event.review_id, kind=event.kind.value,
                 visit_id=event.visit_id, via=via, by=user.id)
    return True


def open_events_of_visit(visit_id: int, kinds=(AlertKind.overdue,)) -> list[AlertEvent]:
    return list(db.session.scalars(db.select(AlertEvent).where(
        AlertEvent.visit_id == visit_id, AlertEvent.kind.in_(kinds), AlertEvent.acknowledged_at.is_(None),
        AlertEvent.ended_at.is_(None)).order_by(AlertEvent.id)))


def open_duress_events(review_id: int) -> list[AlertEvent]:
    return list(db.session.scalars(db.select(AlertEvent).where(
        AlertEvent.review_id == review_id, AlertEvent.kind == AlertKind.duress,
        AlertEvent.acknowledged_at.is_(None), AlertEvent.ended_at.is_(None)).order_by(AlertEvent.started_at)))


def steps_sent(visit_ids: list[int]) -> dict[int, dict[int, datetime]]:
    """For each visit, when each step of its newest overdue event's ladder was first sent to someone (the board
    shows how far the alarm has climbed)."""
    from ..models import AlertDelivery

    if not visit_ids:
        return {}
    newest: dict[int, int] = {}
    for event_id, visit_id in db.session.execute(
            db.select(AlertEvent.id, AlertEvent.visit_id).where(
                AlertEvent.visit_id.in_(visit_ids), AlertEvent.kind == AlertKind.overdue).order_by(AlertEvent.id)):
        newest[visit_id] = event_id
    sent: dict[int, dict[int, datetime]] = {}
    by_event = {event_id: visit_id for visit_id, event_id in newest.items()}
    for event_id, step, moment in db.session.execute(
            db.select(AlertDelivery.event_id, AlertDelivery.step, db.func.min(AlertDelivery.sent_at))
            .where(AlertDelivery.event_id.in_(list(by_event)), AlertDelivery.sent_at.is_not(None))
            .group_by(AlertDelivery.event_id, AlertDelivery.step)):
        sent.setdefault(by_event[event_id], {})[step] = moment
    return sent
