"""A person's own feedback, for the export of everything held about them (visits/rights/service.py)."""
from __future__ import annotations

from ..extensions import db
from ..models import Feedback


def feedback_about(participant_id: int) -> list[dict]:
    """Every questionnaire recorded as this person's answers, as JSON-ready values."""
    rows = db.session.scalars(db.select(Feedback).where(Feedback.participant_id == participant_id)
                              .order_by(Feedback.recorded_at, Feedback.id))
    return [{"id": row.id, "visit_id": row.visit_id, "language": row.language,
             "supported_by": row.supported_by.value, "consent": row.consent, "answers": dict(row.answers or {}),
             "comment": row.comment, "recorded_at": row.recorded_at.isoformat() if row.recorded_at else None}
            for row in rows]
