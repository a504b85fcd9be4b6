"""feedback.record: what one service user or carer said through the easy-read questionnaire (DESIGN section 12).

Recorded once, with a UUID made on the device, by a team member of the visit (permissions.can_record_feedback).
Consent is asked first and the schema refuses a record without it. Answers are keyed by the review's question
codes; a code the review never asked is refused rather than kept where no summary would show it.
"""
from __future__ import annotations

from flask_babel import gettext as _

from .. import audit
from ..extensions import db
from ..models import Attendance, Feedback, SupportedBy, User, Visit
from ..operations.contract import IncomingOperation, applied, forbidden, rejected
from ..operations.refusals import refused
from ..permissions import can_record_feedback
from .questions import known_codes


def record_feedback(user: User, op: IncomingOperation) -> dict:
    visit = db.session.get(Visit, op.data["visit_id"])
    if visit is None or not can_record_feedback(user, visit):
        raise refused(user, visit.review_id if visit else None)
    feedback_id = str(op.data["feedback_id"])
    existing = db.session.get(Feedback, feedback_id)
    if existing is not None:
        if existing.recorded_by_id != user.id:
            raise forbidden()
        raise rejected("feedback_id", _("This feedback has already been recorded."))
    unknown = sorted(set(op.data["answers"]) - known_codes(visit.review_id))
    if unknown:
        raise rejected("answers", _("Not a question of this review: %(codes)s.", codes=", ".join(unknown[:5])))
    participant_id = op.data["participant_id"]
    if participant_id is not None and db.session.scalar(
            db.select(Attendance.id).where(Attendance.visit_id == visit.id,
                                           Attendance.participant_id == participant_id)) is None:
        raise rejected("participant_id", _("This person is not on the visit."))
    feedback = Feedback(id=feedback_id, visit_id=visit.id, participant_id=participant_id,
                        recorded_by_id=user.id, language=op.data["language"].strip() or "en",
                        supported_by=SupportedBy(op.data["supported_by"]), consent=True,
                        answers=dict(op.data["answers"]), comment=op.data["comment"].strip(),
                        recorded_at_device=op.data.get("at"), active_offer=op.data.get("active_offer"))
    db.session.add(feedback)
    # Never the answers or the comment: only that feedback was given, and how many questions were answered.
    audit.record(user, "feedback.record", "feedback", feedback_id, visit.review_id, op_id=op.op_id,
                 visit_id=visit.id, answered=len(feedback.answers), comment=bool(feedback.comment))
    return applied(feedback_id=feedback_id, visit_id=visit.id)
