"""need.set: a team member raises a need (interpreter, advocate, ...); the link officer arranges it.

A new need_id raises a need, `requested` unless the sender may arrange needs. Changing an existing one: those
who arrange may change anything; a team member may correct the type or detail of a need not yet arranged.
Fields left out keep their value.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..models import Attendance, NeedFlag, NeedStatus, NeedType, Participant, User, Visit
from ..permissions import can_arrange_need, can_raise_need
from ..operations.contract import IncomingOperation, applied, forbidden, rejected
from ..operations.refusals import refused

NEEDS_ARRANGEMENT = (NeedStatus.arranged, NeedStatus.confirmed)


def set_need(user: User, op: IncomingOperation) -> dict:
    participant = db.session.get(Participant, op.data["participant_id"])
    if participant is None:
        raise forbidden()
    visits = list(db.session.scalars(select(Visit).join(Attendance).where(Attendance.participant_id == participant.id)))
    may_arrange = can_arrange_need(user, participant.review_id)
    if not (may_arrange or can_raise_need(user, participant.review_id, visits)):
        raise refused(user, participant.review_id)

    # Locked and read afresh: who may change it depends on its status, which an arranger may be changing now.
    need = db.session.get(NeedFlag, str(op.data["need_id"]), with_for_update=True, populate_existing=True)
    if need is not None and need.participant_id != participant.id:
        # Same answer as for a need one may not see: a need id says nothing about whose it is.
        raise forbidden()
    status = NeedStatus(op.data["status"]) if op.data["status"] else (need.status if need else NeedStatus.requested)
    arrangement = op.data["arrangement"] if op.data["arrangement"] is not None else (need.arrangement if need else "")
    detail = op.data["detail"] if op.data["detail"] is not None else (need.detail if need else "")
    if not may_arrange:
        arranging = status is not NeedStatus.requested or arrangement != (need.arrangement if need else "")
        if arranging or (need is not None and need.status is not NeedStatus.requested):
            raise forbidden()
    if participant.consent_withdrawn_at is not None:
        # Their details were erased at their request: nothing new about them is recorded.
        raise rejected("participant_id", _("This person withdrew their consent: nothing more is recorded about "
                                           "them."))
    if status in NEEDS_ARRANGEMENT and not arrangement.strip():
        raise rejected("arrangement", _("Say what has been arranged: who, and how to reach them."))

    if need is None:
        need = NeedFlag(id=str(op.data["need_id"]), participant=participant, raised_by_id=user.id)
        db.session.add(need)
    elif status is not need.status or arrangement != need.arrangement:
        need.arranged_by_id = user.id
    need.type, need.detail, need.status, need.arrangement = NeedType(op.data["type"]), detail, status, arrangement
    need.updated_at = utcnow()
    audit.record(user, "need.set", "need", need.id, participant.review_id, op_id=op.op_id,
                 participant_id=participant.id, type=need.type.value, status=status.value)
    return applied(need_id=need.id, need_status=status.value)
