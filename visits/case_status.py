"""A case's status follows its visits (DESIGN section 11), unless the link officer set it by hand.

The rule is `derive_case_status`, pure over plain values; `refresh_case_status` reads one case's visits from the
database, applies the rule and audit-logs a change. Every write that can change the rule's inputs calls it (or
`refresh_cases_of_visit`) in the same transaction: recording attendance, a check-out completing a visit, the
programme's visit form (move, status, case, who it is with, cancel) and the import.

- a completed home visit with the case's service user booked, and not recorded absent, dropped out or sending
  apologies, makes the case `visited`;
- a `dropped_out` attendance of the service user (on any visit of the case or any visit they are booked on)
  makes it `dropped_out`;
- otherwise it is `identified`.
When both have happened, the later one wins, by when the visits were programmed: someone who dropped out of a
group meeting on Monday and was visited at home on Wednesday was visited; someone visited on Monday who dropped
out of a follow-up on Thursday has dropped out. On the same visit (which cannot be both: a dropped-out service
user does not make the visit count) nothing is ambiguous.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Optional

from . import audit
from .extensions import db
from .models import Attendance, Case, CaseStatus, User, Visit

IDENTIFIED, VISITED, DROPPED_OUT = "identified", "visited", "dropped_out"
# A service user recorded so was not seen: the visit does not make the case visited.
NOT_SEEN = frozenset({"absent", "dropped_out", "apologies"})


@dataclass(frozen=True)
class CaseVisit:
    """One visit as the rule needs it: what it was, whether it happened, and the service user's attendance there
    (None when they were not booked)."""

    kind: str
    status: str
    starts_at: datetime
    service_user_attendance: Optional[str] = None


def derive_case_status(visits: Iterable[CaseVisit]) -> str:
    """identified | visited | dropped_out, from the visits of one case (see the module's docstring)."""
    last_visited: Optional[datetime] = None
    last_dropped: Optional[datetime] = None
    for visit in visits:
        attendance = visit.service_user_attendance
        if attendance is None:
            continue
        if attendance == "dropped_out":
            last_dropped = max(filter(None, (last_dropped, visit.starts_at)))
        elif (visit.kind == "home_visit" and visit.status == "completed" and attendance not in NOT_SEEN):
            last_visited = max(filter(None, (last_visited, visit.starts_at)))
    if last_dropped is None and last_visited is None:
        return IDENTIFIED
    if last_dropped is None:
        return VISITED
    if last_visited is None:
        return DROPPED_OUT
    return VISITED if last_visited > last_dropped else DROPPED_OUT


def _value(member) -> str:
    return getattr(member, "value", member)


def case_visits(case: Case) -> list[CaseVisit]:
    """The case's visits and the visits its service user is booked on, as the rule reads them."""
    if case.service_user_id is None:
        return []
    booked = db.select(Attendance.visit_id).where(Attendance.participant_id == case.service_user_id)
    visits = db.session.scalars(
        db.select(Visit).where(Visit.review_id == case.review_id)
        .where((Visit.case_id == case.id) | Visit.id.in_(booked))).all()
    attendances = {row.visit_id: _value(row.status) for row in db.session.execute(
        db.select(Attendance.visit_id, Attendance.status)
        .where(Attendance.participant_id == case.service_user_id))}
    return [CaseVisit(kind=_value(visit.kind), status=_value(visit.status), starts_at=visit.starts_at,
                      service_user_attendance=attendances.get(visit.id)) for visit in visits]


def refresh_case_status(case: Case, user: Optional[User] = None, via: str = "visits") -> bool:
    """Apply the derived status to the case unless the link officer set it by hand. Returns whether it changed;
    a change is audit-logged (who made the change that moved it, and from what to what)."""
    if case.status_by_hand:
        return False
    derived = CaseStatus(derive_case_status(case_visits(case)))
    if case.status is derived:
        return False
    before = _value(case.status)
    case.status = derived
    db.session.flush()
    audit.record(user, "status_follows_visits", "case", case.id, case.review_id,
                 status_before=before, status=derived.value, via=via)
    return True


def cases_of_visit(visit: Visit, also: Iterable[Optional[int]] = ()) -> list[Case]:
    """The cases a change to this visit can move: its own case, the cases of the service users booked on it, and
    any case ids in `also` (e.g. the case a visit was moved away from)."""
    participant_ids = [attendance.participant_id for attendance in visit.attendances]
    case_ids = {visit.case_id, *also} - {None}
    query = db.select(Case).where(Case.review_id == visit.review_id)
    if participant_ids:
        query = query.where(Case.id.in_(case_ids) | Case.service_user_id.in_(participant_ids))
    elif case_ids:
        query = query.where(Case.id.in_(case_ids))
    else:
        return []
    return list(db.session.scalars(query.order_by(Case.id)))


def refresh_cases_of_visit(visit: Visit, user: Optional[User] = None, also: Iterable[Optional[int]] = (),
                           via: str = "visits") -> list[Case]:
    """Refresh every case a change to this visit can move; returns the cases whose status changed."""
    return [case for case in cases_of_visit(visit, also) if refresh_case_status(case, user, via)]
