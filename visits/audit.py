"""The audit trail (DESIGN section 2): every write, and every read of a note or a service user's record."""
from __future__ import annotations

from typing import Iterable, Optional

from flask import has_request_context, request

from .extensions import db
from .models import AuditEvent, User
from .vocabulary import PRIVATE_PARTICIPANT_KINDS

# The service worker marks the fetches with which it keeps a person's pages for offline use (service_worker/sw.js,
# keepPages): nobody read those pages then, a copy was put on their device.
PREFETCH_HEADER = "X-Fieldwork-Prefetch"


def is_prefetch() -> bool:
    return has_request_context() and request.headers.get(PREFETCH_HEADER) == "1"


def record(user: Optional[User], action: str, subject_type: str, subject_id, review_id: Optional[int],
           **detail) -> None:
    """Adds the event to the current transaction, so it is committed (or rolled back) with what it describes."""
    if action == "read" and is_prefetch():
        action = "offline_copy"
    db.session.add(AuditEvent(
        review_id=review_id,
        user_id=user.id if user is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        remote_addr=request.remote_addr if has_request_context() else None,
        detail=detail,
    ))


def shows_identity(visit) -> bool:
    """Whether a presented visit (itinerary.presenters.VisitView) names a service user or carer, or shows the
    address of their home: the presenter has already hidden both from those who may not know them."""
    if any(p.kind in PRIVATE_PARTICIPANT_KINDS and not p.identity_hidden for p in visit.participants or ()):
        return True
    return bool(visit.location and visit.location.kind == "home" and visit.location.address)


def record_itinerary_read(user: User, subject_id: str, visits: Iterable, **detail) -> None:
    """A list of visits (the itinerary page, its JSON twin) is one read, not one per visit: the event names the
    visits whose service users were shown. Nothing is recorded when none was. The log is kept per review (each
    review's lead reads their own), so a day spanning two reviews records one event in each."""
    shown: dict[int, list[int]] = {}
    for visit in visits:
        if shows_identity(visit):
            shown.setdefault(visit.review_id, []).append(visit.id)
    for review_id, visit_ids in shown.items():
        record(user, "read", "itinerary_day", subject_id, review_id, visit_ids=visit_ids, **detail)
