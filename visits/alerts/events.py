"""Finding or making an AlertEvent by its key, safely when several job runners find the same event at once: the
row is inserted in a savepoint, and the UNIQUE key decides which insert stands (the other reads that row)."""
from __future__ import annotations

from typing import Callable

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import AlertEvent


def event_for_key(key: str, make: Callable[[], AlertEvent]) -> tuple[AlertEvent, bool]:
    """(the event with this key, whether this call made it). `make` builds the row (not yet added)."""
    found = db.session.scalar(db.select(AlertEvent).where(AlertEvent.key == key))
    if found is not None:
        return found, False
    try:
        with db.session.begin_nested():
            event = make()
            db.session.add(event)
            db.session.flush()
    except IntegrityError:  # another runner made it first
        return db.session.scalar(db.select(AlertEvent).where(AlertEvent.key == key)), False
    return event, True
