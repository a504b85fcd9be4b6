"""A participant's rights (DESIGN section 11, UK GDPR): everything the review holds about one person, and the
record that they withdrew their consent.

`participant_export` gathers what is held; `plan_withdrawal` works out what a withdrawal would change (the page
shows it before the lead confirms); `withdraw_consent` makes those changes and audit-logs them in the caller's
transaction (the caller commits, once). Which visits a withdrawal cancels is `visit_goes_with_them`, a pure rule.

Choices made here, so the export and the withdrawal say the same thing everywhere:
- Concerns: the export includes the concerns raised on visits the person was booked on, with their text. A
  concern is about a situation, not always about this person, but the lead may read every concern of the review,
  and a person asking what is held about them is owed what was written on visits they were part of.
- A visit is *theirs* (cancelled when upcoming, its briefing cleared) when they are its case's service user, a
  service user on a home visit, or the only person booked on it. Someone withdrawing from a group meeting or a
  carer withdrawing from the service user's home visit is taken off that upcoming visit instead: the others
  still have their meeting.
- Their home: a home place on a visit of theirs is cleared (name, address, parking and access notes) only when
  no other service user or carer is booked on a visit there; a home they share with someone who has not withdrawn
  keeps its address for that person's visits.
- How the withdrawal was received is a choice from a short list, not free text: it is kept in the audit entry,
  and a typed sentence there could name the person the entry must not name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..feedback.records import feedback_about
from ..models import (
    Attendance, AuditEvent, Case, CaseStatus, Concern, Location, Note, Participant, ParticipantKind, Review, User,
    Visit, VisitKind, VisitStatus, case_social_workers,
)
from ..programme.service import ProgrammeError, cancel_visit, remove_attendee
from ..vocabulary import PRIVATE_PARTICIPANT_KINDS

# The name a withdrawn participant's record keeps: neutral, and their id so the team can still tell records apart.
# It is stored data, like the name it replaces, so it is not translated.
WITHDRAWN_NAME = "Withdrawn participant {id}"

# How a withdrawal of consent reached the review (kept in the audit entry as the code).
RECEIVED_CHANNELS = ("phone", "email", "letter", "in_person", "through_link_officer", "through_carer_or_advocate",
                     "other")

# Visits that have not happened yet and may still be called off.
_UPCOMING_STATUSES = frozenset({VisitStatus.planned, VisitStatus.confirmed})


class AlreadyWithdrawn(Exception):
    """A second withdrawal of the same person: nothing is changed, and the page says when it was recorded."""

    def __init__(self, when: datetime):
        super().__init__(when)
        self.when = when


# --- the rule --------------------------------------------------------------------------------------------------


def visit_goes_with_them(participant_id: int, participant_kind: str, visit_kind: str,
                         case_service_user_id: Optional[int], booked_ids: Iterable[int]) -> bool:
    """Whether a visit exists for this person (so it is cancelled when they withdraw) rather than one they were
    only part of (so they are taken off it and it goes ahead)."""
    if case_service_user_id == participant_id:
        return True
    if visit_kind == VisitKind.home_visit.value and participant_kind == ParticipantKind.service_user.value:
        return True
    return not any(other != participant_id for other in booked_ids)


def is_upcoming(visit: Visit, now: datetime) -> bool:
    """Not started yet (the programme's wall-clock time where the review is) and still planned or confirmed."""
    local_now = now.astimezone(visit.review.tz).replace(tzinfo=None)
    return visit.status in _UPCOMING_STATUSES and visit.starts_at > local_now


# --- what is held ----------------------------------------------------------------------------------------------


def _their_visits(participant: Participant) -> list[Visit]:
    return list(db.session.scalars(
        db.select(Visit).join(Attendance, Attendance.visit_id == Visit.id)
        .where(Attendance.participant_id == participant.id).order_by(Visit.starts_at, Visit.id)
        .options(selectinload(Visit.attendances), selectinload(Visit.location), selectinload(Visit.case))))


def _their_cases(participant: Participant) -> list[tuple[Case, str]]:
    """Each case this person is part of, with their part in it."""
    found: list[tuple[Case, str]] = []
    cases = db.session.scalars(db.select(Case).where(Case.review_id == participant.review_id).where(
        (Case.service_user_id == participant.id) | (Case.carer_id == participant.id)
        | (Case.team_leader_id == participant.id)
        | Case.id.in_(db.select(case_social_workers.c.case_id)
                      .where(case_social_workers.c.participant_id == participant.id))).order_by(Case.reference))
    for case in cases:
        for part, person_id in (("service_user", case.service_user_id), ("carer", case.carer_id),
                                ("team_leader", case.team_leader_id)):
            if person_id == participant.id:
                found.append((case, part))
        if any(worker.id == participant.id for worker in case.social_workers):
            found.append((case, "social_worker"))
    return found


def _moment(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def _audit_events(participant: Participant, visits: list[Visit]) -> list[AuditEvent]:
    """The audit entries about this person: their record, their needs, their attendances, and the visits they
    were booked on or taken off (those name them by id in the entry's detail)."""
    attendance_ids = [str(a.id) for visit in visits for a in visit.attendances if a.participant_id == participant.id]
    need_ids = [need.id for need in participant.needs]
    about = ((AuditEvent.subject_type == "participant") & (AuditEvent.subject_id == str(participant.id)))
    if attendance_ids:
        about |= (AuditEvent.subject_type == "attendance") & AuditEvent.subject_id.in_(attendance_ids)
    if need_ids:
        about |= (AuditEvent.subject_type == "need") & AuditEvent.subject_id.in_(need_ids)
    visit_events = (AuditEvent.subject_type == "visit") & AuditEvent.action.in_(("add_participant",
                                                                                 "remove_participant", "create"))
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.review_id == participant.review_id)
                                .where(about | visit_events).order_by(AuditEvent.at, AuditEvent.id)).all()
    return [event for event in events if event.subject_type != "visit" or _names(event.detail, participant.id)]


def _names(detail: dict, participant_id: int) -> bool:
    """Whether a visit's audit detail names this participant by id."""
    detail = detail or {}
    ids = list(detail.get("participants") or []) + list(detail.get("participant_ids") or [])
    return detail.get("participant_id") == participant_id or participant_id in ids


def _is_theirs(participant: Participant, visit: Visit) -> bool:
    return visit_goes_with_them(participant.id, participant.kind.value, visit.kind.value,
                                visit.case.service_user_id if visit.case else None,
                                [a.participant_id for a in visit.attendances])


def participant_export(participant: Participant) -> dict:
    """Everything the review holds about one person, as JSON-ready values (ids, codes, ISO 8601 times).

    The file is for handing to that person, so notes and concerns of visits they only shared with others (a day
    centre, a group meeting) are listed by id as withheld, not copied: they are about other people too, and the
    lead reads them in the app and decides what of them to release."""
    visits = _their_visits(participant)
    own_visit_ids = [visit.id for visit in visits if _is_theirs(participant, visit)]
    shared_visit_ids = [visit.id for visit in visits if visit.id not in own_visit_ids]
    notes = db.session.scalars(db.select(Note).where(Note.visit_id.in_(own_visit_ids)).options(
        selectinload(Note.revisions)).order_by(Note.created_at, Note.id)).all() if own_visit_ids else []
    concerns = db.session.scalars(db.select(Concern).where(Concern.visit_id.in_(own_visit_ids))
                                  .order_by(Concern.raised_at, Concern.id)).all() if own_visit_ids else []
    withheld_notes = db.session.execute(db.select(Note.id, Note.visit_id).where(
        Note.visit_id.in_(shared_visit_ids)).order_by(Note.created_at, Note.id)).all() if shared_visit_ids else []
    withheld_concerns = db.session.execute(db.select(Concern.id, Concern.visit_id).where(
        Concern.visit_id.in_(shared_visit_ids)).order_by(Concern.raised_at, Concern.id)).all() \
        if shared_visit_ids else []
    events = _audit_events(participant, visits)
    # The names of the team members these name, in one query.
    user_ids = ({note.author_id for note in notes} | {r.saved_by_id for note in notes for r in note.revisions}
                | {concern.raised_by_id for concern in concerns} | {e.user_id for e in events if e.user_id})
    users = {user.id: user.name for user in db.session.scalars(db.select(User).where(User.id.in_(user_ids)))}

    def attendance_of(visit: Visit) -> Attendance:
        return next(a for a in visit.attendances if a.participant_id == participant.id)

    return {
        "exported_at": utcnow().isoformat(),
        "review": {"id": participant.review_id},
        "participant": {
            "id": participant.id, "kind": participant.kind.value, "name": participant.name,
            "job_title": participant.job_title, "team": participant.team, "organisation": participant.organisation,
            "phone": participant.phone, "office_id": participant.office_id,
            "no_longer_used_since": _moment(participant.retired_at),
            "consent_withdrawn_at": _moment(participant.consent_withdrawn_at),
        },
        "needs": [{"id": need.id, "type": need.type.value, "detail": need.detail, "status": need.status.value,
                   "arrangement": need.arrangement, "created_at": _moment(need.created_at),
                   "updated_at": _moment(need.updated_at)} for need in participant.needs],
        "attendances": [{
            "visit_id": visit.id, "visit_kind": visit.kind.value, "visit_title": visit.title,
            "starts_at": visit.starts_at.isoformat(), "ends_at": visit.ends_at.isoformat(),
            "time_zone": visit.review.time_zone, "visit_status": visit.status.value,
            "cancel_reason": visit.cancel_reason or "",
            "attendance_status": attendance_of(visit).status.value,
            "recorded_at": _moment(attendance_of(visit).recorded_at),
            "place": None if visit.location is None else {
                "id": visit.location.id, "name": visit.location.name, "kind": visit.location.kind.value,
                "address": visit.location.address},
        } for visit in visits],
        "cases": [{"id": case.id, "reference": case.reference, "part": part, "status": case.status.value,
                   "status_set_by_hand": case.status_by_hand} for case, part in _their_cases(participant)],
        "notes": [{"id": note.id, "visit_id": note.visit_id, "kind": note.kind.value, "author": users.get(
            note.author_id, ""), "body": note.body, "prompts": dict(note.prompts or {}), "version": note.version,
            "created_at": _moment(note.created_at), "updated_at": _moment(note.updated_at),
            "written_before_consent_was_withdrawn": note.consent_withdrawn,
            "revisions": [{"version": revision.version, "body": revision.body,
                           "prompts": dict(revision.prompts or {}), "saved_by": users.get(revision.saved_by_id, ""),
                           "saved_at": _moment(revision.saved_at), "conflict_copy": revision.is_conflict}
                          for revision in note.revisions]} for note in notes],
        "concerns": [{"id": concern.id, "visit_id": concern.visit_id, "category": concern.category.value,
                      "rating": concern.rating.value, "text": concern.text,
                      "raised_by": users.get(concern.raised_by_id, ""), "raised_at": _moment(concern.raised_at),
                      "referred_at": _moment(concern.referred_at), "referral_text": concern.referral_text,
                      "referred_to": concern.referred_to, "not_referred_at": _moment(concern.not_referred_at),
                      "not_referred_reason": concern.not_referred_reason,
                      "acknowledged_at": _moment(concern.acknowledged_at), "outcome": concern.outcome,
                      "outcome_at": _moment(concern.outcome_at)}
                     for concern in concerns],
        "withheld": {
            "why": "Notes and concerns of visits shared with other people: they are about others too. The lead "
                   "reviewer reads them in Fieldwork and decides what of them can be released.",
            "notes": [{"id": row.id, "visit_id": row.visit_id} for row in withheld_notes],
            "concerns": [{"id": row.id, "visit_id": row.visit_id} for row in withheld_concerns],
        },
        "feedback": feedback_about(participant.id),  # what they said in the easy-read questionnaire
        "audit_events": [{"at": _moment(event.at), "action": event.action, "by": users.get(event.user_id, ""),
                          "subject_type": event.subject_type, "subject_id": event.subject_id,
                          "detail": event.detail or {}} for event in events],
        "what_this_holds": _(
            "Everything this review holds about this person: their details and needs, the visits they were booked "
            "on, the cases they are part of, the notes written and the concerns raised on those visits, and the "
            "audit entries about them."),
    }


# --- withdrawal of consent ---------------------------------------------------------------------------------------


@dataclass
class WithdrawalPlan:
    """What a withdrawal changes: shown before the lead confirms, done by withdraw_consent."""

    to_cancel: list[Visit] = field(default_factory=list)       # upcoming visits that exist for them
    to_leave: list[Visit] = field(default_factory=list)        # upcoming visits that go ahead without them
    theirs: list[Visit] = field(default_factory=list)          # every visit of theirs: briefings cleared
    notes: list[Note] = field(default_factory=list)            # written on visits they were booked on: kept, marked
    cases: list[Case] = field(default_factory=list)            # cases they are the service user of: dropped out
    homes: list[Location] = field(default_factory=list)        # homes only theirs: cleared

    def counts(self) -> dict[str, int]:
        return {"visits_cancelled": len(self.to_cancel), "visits_left": len(self.to_leave),
                "notes_marked": len(self.notes), "cases_dropped_out": len(self.cases),
                "homes_cleared": len(self.homes)}


def _homes_only_theirs(participant: Participant, visits: list[Visit]) -> list[Location]:
    homes = {visit.location.id: visit.location for visit in visits
             if visit.location is not None and visit.location.is_home}
    if not homes:
        return []
    shared = set(db.session.scalars(
        db.select(Visit.location_id).join(Attendance, Attendance.visit_id == Visit.id)
        .join(Participant, Participant.id == Attendance.participant_id)
        .where(Visit.location_id.in_(homes)).where(Participant.id != participant.id)
        .where(Participant.kind.in_(PRIVATE_PARTICIPANT_KINDS))
        .where(Participant.consent_withdrawn_at.is_(None))))
    return [home for home_id, home in sorted(homes.items()) if home_id not in shared]


def plan_withdrawal(participant: Participant, now: Optional[datetime] = None) -> WithdrawalPlan:
    now = now or utcnow()
    visits = _their_visits(participant)
    plan = WithdrawalPlan()
    for visit in visits:
        goes = _is_theirs(participant, visit)
        if goes:
            plan.theirs.append(visit)
        if is_upcoming(visit, now):
            (plan.to_cancel if goes else plan.to_leave).append(visit)
    visit_ids = [visit.id for visit in visits]
    if visit_ids:
        plan.notes = list(db.session.scalars(db.select(Note).where(Note.visit_id.in_(visit_ids))
                                             .order_by(Note.created_at, Note.id)))
    plan.cases = [case for case, part in _their_cases(participant) if part == "service_user"]
    plan.homes = _homes_only_theirs(participant, visits)
    return plan


def withdraw_consent(review: Review, user: User, participant: Participant, received: Optional[str] = None,
                     now: Optional[datetime] = None) -> WithdrawalPlan:
    """Erase their identity and contacts, cancel the visits that exist for them, take them off the others still
    to come, mark their case dropped out (by hand: the visits no longer decide it) and the notes written on their
    visits as kept from before; one audit entry of ids and counts. Raises AlreadyWithdrawn the second time."""
    if participant.consent_withdrawn_at is not None:
        raise AlreadyWithdrawn(participant.consent_withdrawn_at)
    now = now or utcnow()
    plan = plan_withdrawal(participant, now)
    old_name = participant.name

    for case in plan.cases:
        case.status = CaseStatus.dropped_out
        case.status_by_hand = True
        case.status_set_by_id = user.id
        case.status_set_at = now
    reason = _("Consent withdrawn")
    for visit in plan.to_cancel:
        cancel_visit(review, user, visit, reason)
    left = []
    for visit in plan.to_leave:
        try:
            remove_attendee(review, user, visit, participant.id)
            left.append(visit.id)
        except ProgrammeError:  # their attendance was recorded already: it is the visit's record and stays
            pass
    for visit in plan.theirs:
        visit.briefing = ""
    neutral = WITHDRAWN_NAME.format(id=participant.id)
    for visit in {*plan.theirs, *plan.to_leave}:
        if len(old_name.strip()) >= 3 and old_name in visit.title:
            visit.title = visit.title.replace(old_name, neutral)[:200]
    for note in plan.notes:
        note.consent_withdrawn = True
    for home in plan.homes:
        home.name, home.address, home.parking_notes, home.access_notes = (
            _home_label(participant.id), "", "", "")
    for need in participant.needs:
        need.detail, need.arrangement = "", ""
    participant.name = neutral
    participant.job_title = participant.team = participant.organisation = participant.phone = ""
    participant.consent_withdrawn_at = now
    db.session.flush()
    audit.record(user, "consent_withdrawn", "participant", participant.id, review.id,
                 received=received or "", visits_cancelled=[visit.id for visit in plan.to_cancel],
                 visits_left=left, cases_dropped_out=[case.id for case in plan.cases],
                 homes_cleared=[home.id for home in plan.homes], notes_marked=len(plan.notes),
                 needs_cleared=len(participant.needs))
    return plan


def _home_label(participant_id: int) -> str:
    return f"Home of withdrawn participant {participant_id}"

