"""The audit trail (DESIGN section 2): every write, and every read of a note or a service user's record."""
from __future__ import annotations

from typing import Optional

from flask import has_request_context, request

from .extensions import db
from .models import AuditEvent, User


def record(user: Optional[User], action: str, subject_type: str, subject_id, review_id: Optional[int],
           **detail) -> None:
    """Adds the event to the current transaction, so it is committed (or rolled back) with what it describes."""
    db.session.add(AuditEvent(
        review_id=review_id,
        user_id=user.id if user is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        remote_addr=request.remote_addr if has_request_context() else None,
        detail=detail,
    ))
