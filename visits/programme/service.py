"""Changing the programme: the one write path for the programme forms and the import.

Each function takes values already loaded by a schema (visits/schemas/forms.py), checks what a schema cannot (that
the place, case and people belong to this review), changes the models and audit-logs the change in the same
transaction. The caller commits. Nothing here ever deletes a visit, a note or a recorded attendance: a visit is
cancelled, not removed, and a participant whose attendance has been recorded stays on the visit.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Optional

from flask_babel import gettext as _

from .. import audit
from ..alerts.changes import record_visit_change, visit_snapshot
from ..case_status import refresh_cases_of_visit
from ..extensions import db
from ..identity import title_of
from ..models import (
    Attendance, AttendanceStatus, Case, Location, Participant,
    Review, Role, User, Visit, VisitKind, VisitStatus,
)
from ..vocabulary import FIELD_ROLES, label


class ProgrammeError(Exception):
    """Field messages for the form that asked: {field: [message, ...]}."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


# Who can be put on a visit's team: the review team and the link officers (who sometimes join a briefing).
TEAM_ELIGIBLE = FIELD_ROLES | {Role.link_officer}


def team_candidates(review: Review) -> list[User]:
    return sorted((m.user for m in review.memberships if m.role in TEAM_ELIGIBLE), key=lambda u: u.name)


def _in_review(model, review: Review, object_id: Optional[int]):
    if object_id is None:
        return None
    found = db.session.get(model, object_id)
    return found if found is not None and found.review_id == review.id else False


def _visit_references(review: Review, values: dict) -> tuple[Optional[Location], Optional[Case], list[User]]:
    errors: dict[str, list[str]] = {}
    location = _in_review(Location, review, values.get("location_id"))
    if location is False:
        errors["location_id"] = [_("Choose a place of this review.")]
    case = _in_review(Case, review, values.get("case_id"))
    if case is False:
        errors["case_id"] = [_("Choose a case of this review.")]
    members = {m.user_id: m for m in review.memberships if m.role in TEAM_ELIGIBLE}
    team_ids = list(dict.fromkeys(values.get("team") or []))
    if any(user_id not in members for user_id in team_ids):
        errors["team"] = [_("Choose people from this review's team.")]
    if errors:
        raise ProgrammeError(errors)
    return location or None, case or None, [members[user_id].user for user_id in team_ids]


def _times(values: dict) -> tuple[datetime, datetime]:
    return datetime.combine(values["date"], values["start"]), datetime.combine(values["date"], values["end"])


def _visit_state(visit: Visit) -> dict:
    """What the audit log records about a visit: ids and times, never a participant's identity (a title typed
    about a service user may name them, so such a visit's title is recorded as its kind and case reference)."""
    return {
        "kind": visit.kind.value, "title": title_of(visit, may_know=False), "starts_at": visit.starts_at.isoformat(),
        "ends_at": visit.ends_at.isoformat(), "location_id": visit.location_id, "case_id": visit.case_id,
        "status": visit.status.value, "team": sorted(user.id for user in visit.team),
        "expected_count": visit.expected_count,
    }


def create_visit(review: Review, user: User, values: dict, participant_ids: Iterable[int] = (),
                 via: str = "form") -> Visit:
    location, case, team = _visit_references(review, values)
    starts_at, ends_at = _times(values)
    visit = Visit(review_id=review.id, kind=VisitKind(values["kind"]),
                  title=values.get("title") or label("visit_kind", values["kind"]), starts_at=starts_at,
                  ends_at=ends_at, location=location, case=case, team=team,
                  status=VisitStatus(values.get("status") or "planned"), briefing=values.get("briefing", ""),
                  expected_count=values.get("expected_count"))
    db.session.add(visit)
    db.session.flush()
    booked = list(dict.fromkeys([*participant_ids, *_people_of_case(visit)]))
    for participant_id in booked:
        db.session.add(Attendance(visit_id=visit.id, participant_id=participant_id))
    db.session.flush()
    db.session.refresh(visit, ["attendances"])
    audit.record(user, "create", "visit", visit.id, review.id, via=via, visit=_visit_state(visit),
                 participants=booked)
    record_visit_change(visit, user, None)  # the team hears of a visit added to their days
    refresh_cases_of_visit(visit, user, via=via)
    return visit


def _people_of_case(visit: Visit) -> list[int]:
    """Who a home visit about a case is with: the case's service user, and their carer when the case has one.
    Only home visits: an interview about a case is with staff, not with the person the case is about."""
    case = visit.case
    if visit.kind is not VisitKind.home_visit or case is None:
        return []
    return [person_id for person_id in (case.service_user_id, case.carer_id) if person_id is not None]


def _book_people_of_case(review: Review, user: User, visit: Visit) -> list[int]:
    """Books the case's service user and carer on the visit (those not on it yet); returns whom it booked."""
    on_visit = {attendance.participant_id for attendance in visit.attendances}
    added = [person_id for person_id in _people_of_case(visit) if person_id not in on_visit]
    for person_id in added:
        visit.attendances.append(Attendance(participant_id=person_id))
    if added:
        db.session.flush()
        audit.record(user, "add_participant", "visit", visit.id, review.id, participant_ids=added,
                     because="case")
    return added


def update_visit(review: Review, user: User, visit: Visit, values: dict,
                 loaded_version: Optional[str] = None) -> Visit:
    """Move, reassign, reschedule or change the status of a visit. Notes, attendance and check-ins stay.

    `loaded_version` is the visit's updated_at when the form was opened: if someone else changed the visit in
    between, their change is not silently overwritten. Without one there is no telling, so nothing is saved."""
    if not loaded_version:
        raise ProgrammeError({"form": [_("This form is incomplete. Reload the visit and make the change again.")]})
    if loaded_version != version_of(visit):
        raise ProgrammeError({"form": [_("Someone else changed this visit while you were editing it. "
                                         "Check the values below and save again.")]})
    location, case, team = _visit_references(review, values)
    inside = [check.user.name for check in visit.checks
              if check.checked_in_at and not check.checked_out_at and check.user not in team]
    if inside:
        # Lone-worker safety: only a team member can check out, and an alarm nobody can end helps nobody.
        raise ProgrammeError({"team": [_("%(names)s checked in and has not checked out yet: they stay on the team "
                                         "until they do.", names=", ".join(inside))]})
    before = _visit_state(visit)
    case_before = visit.case_id
    noticed_before = visit_snapshot(visit)
    visit.kind = VisitKind(values["kind"])
    visit.title = values.get("title") or label("visit_kind", values["kind"])
    visit.starts_at, visit.ends_at = _times(values)
    visit.location, visit.case, visit.team = location, case, team
    visit.status = VisitStatus(values.get("status") or visit.status.value)
    visit.briefing = values.get("briefing", "")
    visit.expected_count = values.get("expected_count")
    db.session.flush()
    after = _visit_state(visit)
    changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    audit.record(user, "update", "visit", visit.id, review.id, changed=changed)
    record_visit_change(visit, user, noticed_before)  # moved, new place or team: the team hears of it
    if visit.case_id != case_before or before["kind"] != after["kind"]:
        # A home visit given a case (or a case's visit made a home visit) is with the case's service user.
        _book_people_of_case(review, user, visit)
    refresh_cases_of_visit(visit, user, also=[case_before], via="form")
    return visit


def version_of(visit: Visit) -> str:
    return visit.updated_at.isoformat() if visit.updated_at else ""


# Long enough for "Consent withdrawn" or "The service user is in hospital", short enough for a list.
CANCEL_REASON_MAX = 500


def cancel_visit(review: Review, user: User, visit: Visit, reason: str) -> Visit:
    """Call the visit off, saying why (kept with the visit and shown to the team). Its notes, attendance and
    check-ins stay. Cancelling a visit already cancelled changes nothing."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ProgrammeError({"reason": [_("Say why the visit is cancelled: the team sees the reason.")]})
    if len(reason) > CANCEL_REASON_MAX:
        raise ProgrammeError({"reason": [_("Keep the reason under %(count)s characters.",
                                           count=CANCEL_REASON_MAX)]})
    if visit.status is not VisitStatus.cancelled:
        before = visit.status.value
        noticed_before = visit_snapshot(visit)
        visit.status = VisitStatus.cancelled
        visit.cancel_reason = reason
        db.session.flush()
        # The reason may name the person ("Mrs Jones is in hospital"): the audit row says one was given and
        # how long it is, not what it says (the visit keeps it, under the programme's own access rule).
        audit.record(user, "cancel", "visit", visit.id, review.id, status_before=before,
                     reason_length=len(reason))
        record_visit_change(visit, user, noticed_before)
        refresh_cases_of_visit(visit, user, via="cancel")
    return visit


def add_attendee(review: Review, user: User, visit: Visit, participant_id: int) -> Attendance:
    participant = _in_review(Participant, review, participant_id)
    if not participant:
        raise ProgrammeError({"participant_id": [_("Choose someone from this review's list of people.")]})
    existing = next((a for a in visit.attendances if a.participant_id == participant.id), None)
    if existing is not None:
        return existing
    attendance = Attendance(visit=visit, participant=participant)
    db.session.add(attendance)
    db.session.flush()
    audit.record(user, "add_participant", "visit", visit.id, review.id, participant_id=participant.id)
    refresh_cases_of_visit(visit, user, via="form")
    return attendance


def attendance_recorded(attendance: Attendance) -> bool:
    return attendance.status is not AttendanceStatus.expected or attendance.recorded_at is not None


def remove_attendee(review: Review, user: User, visit: Visit, participant_id: int) -> None:
    """Take someone off a visit who was booked by mistake. Once their attendance has been recorded it is part
    of the review's evidence and stays: the answer is to record them absent or dropped out instead."""
    attendance = next((a for a in visit.attendances if a.participant_id == participant_id), None)
    if attendance is None:
        return
    if attendance_recorded(attendance):
        raise ProgrammeError({"participant_id": [_("Their attendance has been recorded, so they stay on the "
                                                   "visit. Record them as absent or dropped out instead.")]})
    visit.attendances.remove(attendance)
    db.session.flush()
    audit.record(user, "remove_participant", "visit", visit.id, review.id, participant_id=participant_id)
    # The cases of the visit's remaining people, and the case of the one taken off.
    refresh_cases_of_visit(visit, user, via="form", also=[
        case_id for case_id in db.session.scalars(db.select(Case.id).where(
            Case.review_id == review.id, Case.service_user_id == participant_id))])
