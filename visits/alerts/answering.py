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
    audit.record(user, "alert.acknowledged", "alert_event", event.id, event.review_id, kind=event.kind.value,
                 visit_id=event.visit_id, via=via)
    return True


def open_events_of_visit(visit_id: int, kinds=(AlertKind.overdue,)) -> list[AlertEvent]:
    return list(db.session.scalars(db.select(AlertEvent).where(
        AlertEvent.visit_id == visit_id, AlertEvent.kind.in_(kinds), AlertEvent.acknowledged_at.is_(None),
        AlertEvent.ended_at.is_(None)).order_by(AlertEvent.id)))


def open_duress_events(review_id: int) -> list[AlertEvent]:
    return list(db.session.scalars(db.select(AlertEvent).where(
        AlertEvent.review_id == review_id, AlertEvent.kind == AlertKind.duress,
        AlertEvent.acknowledged_at.is_(None), AlertEvent.ended_at.is_(None)).order_by(AlertEvent.started_at)))
