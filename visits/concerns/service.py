"""Reading a review's concerns for the lead's page, and setting the numbers shown above the concern form."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from .. import audit
from ..extensions import db
from ..models import Concern, Review, User, Visit
from .presenters import ConcernView, present_concern
from .states import ACKNOWLEDGED, NOT_REFERRED, OUTCOME_RECORDED, RAISED, REFERRED

# The lead's page lists first what waits on someone: their own decision, then the council's acknowledgement.
PAGE_ORDER = (RAISED, REFERRED, ACKNOWLEDGED, NOT_REFERRED, OUTCOME_RECORDED)
MAX_ROWS = 2000  # a review raises tens of concerns; bound the page whatever happens


@dataclass(frozen=True)
class ConcernRow:
    visit_id: int
    visit_title: str
    concern: ConcernView


def concerns_of(review: Review, viewer: User) -> list[ConcernRow]:
    query = (db.select(Concern).join(Visit).where(Visit.review_id == review.id)
             .options(selectinload(Concern.visit), selectinload(Concern.raised_by))
             .order_by(Concern.raised_at).limit(MAX_ROWS))
    rows = []
    for concern in db.session.scalars(query):
        shown = present_concern(concern, viewer)
        if shown is not None:
            rows.append(ConcernRow(concern.visit_id, concern.visit.title, shown))
    rows.sort(key=lambda row: (PAGE_ORDER.index(row.concern.state), row.concern.since or row.concern.raised_at))
    return rows


def summary(rows: list[ConcernRow]) -> list[tuple[str, int]]:
    counts = Counter(row.concern.state for row in rows)
    return [(state, counts[state]) for state in PAGE_ORDER if counts[state]]


def log_concerns_read(review: Review, viewer: User) -> None:
    audit.record(viewer, "read", "concerns", review.id, review.id)


def set_numbers(review: Review, by: User, emergency: str, out_of_hours: str) -> None:
    review.emergency_number = emergency
    review.out_of_hours_number = out_of_hours
    audit.record(by, "review.emergency_numbers", "review", review.id, review.id)
