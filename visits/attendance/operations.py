"""attendance.set, visit.check_in, visit.check_out, visit.undo_check_out.

A check-out may carry the person's duress code (`code`): it looks and answers exactly like any other check-out,
and starts the lone-worker alarm at its second step (the lead and link officers) at once.

Each keeps two times: `at`, the device's clock when the person tapped (what happened), and the server's clock
when it arrived (when we knew). An offline check-out that syncs an hour later still says when they left.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..case_status import refresh_cases_of_visit
from ..clock import utcnow
from ..extensions import db
from ..models import Attendance, AttendanceStatus, CheckIn, User, Visit, VisitStatus
from ..permissions import VisitAccess, visit_access
from ..operations.contract import IncomingOperation, applied, forbidden, rejected
from ..operations.refusals import refused
from .check_times import UNDO_CHECK_OUT_FOR, is_far_from_visit, may_undo_check_out, undo_arrives_in_time

# A check-in starts the visit; one on a visit already completed or called off leaves its status alone (it is
# still recorded: it says where a reviewer is).
STARTS_ON_CHECK_IN = (VisitStatus.planned, VisitStatus.confirmed)


def _visit(user: User, visit_id: int) -> tuple[Visit, VisitAccess]:
    visit = db.session.get(Visit, visit_id)
    access = visit_access(user, visit) if visit else None
    if access is None:
        raise forbidden()
    return visit, access


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() if moment else None


def set_attendance(user: User, op: IncomingOperation) -> dict:
    visit, access = _visit(user, op.data["visit_id"])
    if not access.record_attendance:
        raise refused(user, visit.review_id)
    attendance = db.session.scalar(select(Attendance).filter_by(visit_id=visit.id,
                                                                participant_id=op.data["participant_id"]))
    if attendance is None:
        raise rejected("participant_id", _("This person is not booked on this visit."))
    # Two phones may record the same person, and the one offline longer syncs last: the latest tap on a device
    # wins, not the latest to arrive. An earlier one changes nothing; its answer says what stands instead. An
    # operation without a device time cannot be placed among them, so it counts as the latest.
    recorded_at = attendance.recorded_at_device
    if op.data["at"] is not None and recorded_at is not None and op.data["at"] < recorded_at:
        audit.record(user, "attendance.set", "attendance", attendance.id, visit.review_id, op_id=op.op_id,
                     visit_id=visit.id, participant_id=attendance.participant_id, status=op.data["status"],
                     superseded=True)
        return applied(visit_id=visit.id, participant_id=attendance.participant_id,
                       attendance=attendance.status.value, superseded=True)
    attendance.status = AttendanceStatus(op.data["status"])
    attendance.recorded_by_id = user.id
    attendance.recorded_at_device = op.data["at"]
    attendance.recorded_at = utcnow()
    audit.record(user, "attendance.set", "attendance", attendance.id, visit.review_id, op_id=op.op_id,
                 visit_id=visit.id, participant_id=attendance.participant_id, status=attendance.status.value)
    refresh_cases_of_visit(visit, user, via="attendance")  # a service user dropped out, or was not seen
    return applied(visit_id=visit.id, participant_id=attendance.participant_id, attendance=attendance.status.value)


def _my_check(visit: Visit, user: User) -> Optional[CheckIn]:
    return db.session.scalar(select(CheckIn).filter_by(visit_id=visit.id, user_id=user.id))


def far_from_visit_question(starts_at: datetime, ends_at: datetime, check_type: str) -> str:
    """What the phone asks (and the server answers) when a check-in or check-out is far from the visit's time
    (the programme's wall-clock times)."""
    # Wall-clock times, shown as they are: the programme's own times, not converted again.
    times = {"day": format_date(starts_at.date(), "EEEE d MMMM"), "start": starts_at.strftime("%H:%M"),
             "end": ends_at.strftime("%H:%M")}
    if check_type == "visit.check_out":
        return _("This visit was on %(day)s, %(start)s to %(end)s, and this is far from that time. "
                 "Check out anyway?", **times)
    return _("This visit is on %(day)s, %(start)s to %(end)s, and this is far from that time. "
             "Check in anyway?", **times)


def _require_near_or_confirmed(visit: Visit, op: IncomingOperation) -> None:
    # A tap at 03:04 for a 10:00 visit, or on tomorrow's visit, is taken only when the person said they meant it
    # (the page asks first, check_times.js). A client that cannot ask (an old page) is answered with the question,
    # and nothing changes until it is confirmed: a wrong "completed" is worse than a check-in sent again.
    if op.data.get("confirmed") or not is_far_from_visit(op.data["at"], visit.starts_at, visit.ends_at,
                                                         visit.review.tz):
        return
    raise rejected("confirmed", far_from_visit_question(visit.starts_at, visit.ends_at, op.type))


def check_in(user: User, op: IncomingOperation) -> dict:
    visit, access = _visit(user, op.data["visit_id"])
    if not access.check_in:
        raise refused(user, visit.review_id)
    _require_near_or_confirmed(visit, op)
    check = _my_check(visit, user)
    if check is None:
        check = CheckIn(visit_id=visit.id, user_id=user.id)
        db.session.add(check)
    # Already in: the first arrival stands. Checked out and back in (a tap by mistake, or a return): in again,
    # so a lone worker is watched over once more.
    if check.checked_in_at is None or check.checked_out_at is not None:
        check.checked_in_at, check.checked_in_recorded_at = op.data["at"], utcnow()
        check.checked_out_at = check.checked_out_recorded_at = None
    if visit.status in STARTS_ON_CHECK_IN:
        visit.status = VisitStatus.in_progress
    audit.record(user, "visit.check_in", "visit", visit.id, visit.review_id, op_id=op.op_id,
                 at=_iso(op.data["at"]))
    return applied(visit_id=visit.id, checked_in_at=_iso(check.checked_in_at), checked_out_at=None)


def check_out(user: User, op: IncomingOperation) -> dict:
    visit, access = _visit(user, op.data["visit_id"])
    if not access.check_in:
        raise refused(user, visit.review_id)
    check = _my_check(visit, user)
    duress = _is_duress_code(user, op.data.get("code"))
    if duress:
        # Help is needed, and the phone may be in someone else's hands: no question may stand between the code and
        # the alarm (a refusal would undo the alarm with the rest of the change). Whatever the time, and checked
        # in or not, this is a check-out that looks like any other.
        check = _checked_in_for_duress(visit, user, check, op.data["at"])
    elif check is None or check.checked_in_at is None:
        raise rejected("at", _("Check in before you check out."))
    elif op.data["at"] < check.checked_in_at:
        raise rejected("at", _("The check-out time is before the check-in time."))
    elif check.checked_out_at is None:
        _require_near_or_confirmed(visit, op)
    if check.checked_out_at is None:  # out twice: the first departure stands
        check.checked_out_at, check.checked_out_recorded_at = op.data["at"], utcnow()
    db.session.flush()
    if visit.status is VisitStatus.in_progress and all(c.checked_out_at for c in visit.checks if c.checked_in_at):
        visit.status = VisitStatus.completed  # everyone who came has left
        refresh_cases_of_visit(visit, user, via="check_out")  # a completed home visit: the case is visited
    audit.record(user, "visit.check_out", "visit", visit.id, visit.review_id, op_id=op.op_id,
                 at=_iso(op.data["at"]))
    if duress:
        # Help is needed. Nothing in the answer, the ledger or this check-out's audit row says so: the phone may be
        # in someone else's hands. The ladder starts at its second step now (visits/alerts/overdue_alerts.py).
        from ..alerts.overdue_alerts import start_duress

        start_duress(visit, user, op.op_id or "")
    return applied(visit_id=visit.id, checked_in_at=_iso(check.checked_in_at),
                   checked_out_at=_iso(check.checked_out_at))


def _checked_in_for_duress(visit: Visit, user: User, check: Optional[CheckIn], at: datetime) -> CheckIn:
    """The person's check row for a duress check-out: made (in at the same moment) when they never checked in."""
    if check is None:
        check = CheckIn(visit_id=visit.id, user_id=user.id)
        db.session.add(check)
    if check.checked_in_at is None or at < check.checked_in_at:
        check.checked_in_at, check.checked_in_recorded_at = min(at, check.checked_in_at or at), utcnow()
    return check


def _is_duress_code(user: User, code: Optional[str]) -> bool:
    """Whether `code` is the person's duress code. Any other code (or none) is an ordinary check-out. The code is
    compared with its argon2 hash and goes nowhere else."""
    from ..auth.passwords import verify_password

    code = (code or "").strip()
    return bool(code and user.duress_code_hash and verify_password(user.duress_code_hash, code))


def undo_check_out(user: User, op: IncomingOperation) -> dict:
    """A check-out tapped by mistake, taken back within minutes: the person is on the visit again, so the visit is
    in progress again (and its case no longer visited) and the lone-worker alarm watches them once more."""
    visit, access = _visit(user, op.data["visit_id"])
    if not access.check_in:
        raise refused(user, visit.review_id)
    check = _my_check(visit, user)
    if check is None or check.checked_out_at is None:
        raise rejected("at", _("There is no check-out to undo."))
    if not (may_undo_check_out(check.checked_out_at, op.data["at"])
            and undo_arrives_in_time(check.checked_out_recorded_at, utcnow())):
        raise rejected("at", _("A check-out can only be undone within %(minutes)s minutes. Check in again instead.",
                               minutes=int(UNDO_CHECK_OUT_FOR.total_seconds() // 60)))
    undone = check.checked_out_at
    check.checked_out_at = check.checked_out_recorded_at = None
    if visit.status is VisitStatus.completed:
        visit.status = VisitStatus.in_progress  # someone is there after all
        db.session.flush()
        refresh_cases_of_visit(visit, user, via="undo_check_out")
    audit.record(user, "visit.undo_check_out", "visit", visit.id, visit.review_id, op_id=op.op_id,
                 at=_iso(op.data["at"]), undone=_iso(undone))
    return applied(visit_id=visit.id, checked_in_at=_iso(check.checked_in_at), checked_out_at=None)
