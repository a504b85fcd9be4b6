"""One page of a review's audit log, newest first, with the people, actions and visits the page needs.

Only the events' own columns are read, plus the ids of the visits that notes, concerns and attendance records
belong to: never a note's body or a concern's text, and the events' `detail` is not shown at all."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import func, select

from ..extensions import db
from ..models import AlertEvent, AlertKind, Attendance, AuditEvent, Concern, Note, User, Visit

PER_PAGE = 100

# Subjects whose id is a visit's id, and subjects that belong to a visit through a column of their own.
SUBJECT_IS_VISIT = ("visit", "service_user_record")
SUBJECT_ON_VISIT = {"note": Note, "concern": Concern, "attendance": Attendance}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    who: Optional[str]          # None: no one signed in (a command run on the server)
    action: str
    subject_type: str
    subject_id: str
    visit_id: Optional[int]     # the visit the subject is, or belongs to, when it is one of this review's
    remote_addr: Optional[str]


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    number: int
    count: int                  # pages in all (at least 1)
    total: int                  # events matching the filters

    @property
    def has_newer(self) -> bool:
        return self.number > 1

    @property
    def has_older(self) -> bool:
        return self.number < self.count


def hidden_alert_events(review_id: int, viewer: Optional[User]) -> list[str]:
    """The ids (as the log keeps them) of the review's alert events the viewer may not see: the duress events
    about them (permissions.sees_duress_event). Every row about such an event is left out of their page."""
    from ..permissions import sees_duress_event

    if viewer is None:
        return []
    events = db.session.scalars(select(AlertEvent).where(AlertEvent.review_id == review_id,
                                                         AlertEvent.kind == AlertKind.duress,
                                                         AlertEvent.user_id == viewer.id))
    return [str(event.id) for event in events if not sees_duress_event(viewer, event)]


def _visible(query, review_id: int, viewer: Optional[User]):
    hidden = hidden_alert_events(review_id, viewer)
    if hidden:
        query = query.where(~((AuditEvent.subject_type == "alert_event") & AuditEvent.subject_id.in_(hidden)))
    return query


def _events(review_id: int, person: Optional[int], action: Optional[str], viewer: Optional[User] = None):
    query = _visible(select(AuditEvent).where(AuditEvent.review_id == review_id), review_id, viewer)
    if person is not None:
        query = query.where(AuditEvent.user_id == person)
    if action:
        query = query.where(AuditEvent.action == action)
    return query


def audit_page(review_id: int, number: int, person: Optional[int] = None, action: Optional[str] = None,
               per_page: int = PER_PAGE, viewer: Optional[User] = None) -> Optional[AuditPage]:
    """The page asked for, or None when there is no such page (past the last one). `viewer`: the person reading,
    from whom the rows of a duress event about them are left out."""
    query = _events(review_id, person, action, viewer)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    count = max(1, -(-total // per_page))
    if number > count:
        return None
    events = list(db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                     .limit(per_page).offset((number - 1) * per_page)))
    names = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_({e.user_id for e in events if e.user_id is not None}))).all())
    visits = _visit_of(events, review_id)
    rows = [AuditRow(e.id, e.at, names.get(e.user_id), e.action, e.subject_type, e.subject_id, visits.get(e.id),
                     e.remote_addr) for e in events]
    return AuditPage(rows, number, count, total)


def _visit_of(events: list[AuditEvent], review_id: int) -> dict[int, int]:
    """Event id → the id of the visit its subject is or belongs to (only this review's visits)."""
    candidates: dict[int, int] = {}
    for event in events:
        if event.subject_type in SUBJECT_IS_VISIT and event.subject_id.isdigit():
            candidates[event.id] = int(event.subject_id)
    for subject_type, model in SUBJECT_ON_VISIT.items():
        ids = {e.subject_id for e in events if e.subject_type == subject_type}
        if model is Attendance:  # integer ids; the others are UUIDs made on the device
            ids = {int(i) for i in ids if i.isdigit()}
        if not ids:
            continue
        visit_of_subject = {str(subject): visit for subject, visit in db.session.execute(
            select(model.id, model.visit_id).where(model.id.in_(ids))).all()}
        for event in events:
            if event.subject_type == subject_type and event.subject_id in visit_of_subject:
                candidates[event.id] = visit_of_subject[event.subject_id]
    ours = set(db.session.scalars(select(Visit.id).where(Visit.id.in_(set(candidates.values())),
                                                         Visit.review_id == review_id)))
    return {event_id: visit_id for event_id, visit_id in candidates.items() if visit_id in ours}


def people_in(review_id: int, viewer: Optional[User] = None) -> list[tuple[int, str]]:
    """Whoever appears in the review's log, for the filter (people who have left the review included)."""
    return list(db.session.execute(
        select(User.id, User.name).where(User.id.in_(
            _visible(select(AuditEvent.user_id).where(AuditEvent.review_id == review_id), review_id, viewer)))
        .order_by(User.name, User.id)).all())


def actions_in(review_id: int, viewer: Optional[User] = None) -> list[str]:
    return list(db.session.scalars(
        _visible(select(AuditEvent.action).where(AuditEvent.review_id == review_id), review_id, viewer)
        .distinct().order_by(AuditEvent.action)))
