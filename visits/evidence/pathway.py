"""A case's pathway (`/cases/<id>`, DESIGN section 12): the visits that followed one person's case, in time order,
with the notes the viewer may read on each.

Which visits: any visit with the case set (its home visit), any visit its service user or carer was booked on,
and the interviews of its social workers and team leader. What each shows is permissions.visit_access's answer
for that visit, applied as the visit page applies it: the whole visit (title, who came, its notes) to those who
may read it; time, kind and status only to a reviewer or lay assessor who was not on it. The service user is
named only to those who may know who every service user is (the lead); everyone else reads the case reference,
in the page's header, in who came, and in titles and notes (exports.Redactor, the evidence pack's rule).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..identity import person_name
from ..itinerary.presenters import _about_private_people as about_private_people
from ..models import Attendance, Case, Note, User, Visit, VisitKind
from ..notes.prompts import answered
from ..permissions import VisitAccess, can_read_note, sees_identities, visit_access
from ..vocabulary import label
from .exports import Redactor, visit_title

INTERVIEW_KINDS = frozenset({VisitKind.staff_interview, VisitKind.group_interview})

# Why a visit is on the case's pathway, most telling first (a visit may be several of these).
BECAUSE_CASE = "case"                    # the case is set on it (its home visit, most often)
BECAUSE_PERSON = "person"                # the service user or carer was booked on it
BECAUSE_TEAM_LEADER = "team_leader"      # an interview of the case's team leader
BECAUSE_SOCIAL_WORKER = "social_worker"  # an interview of one of its social workers


@dataclass(frozen=True)
class CasePeople:
    """The ids that tie a visit to a case."""

    case_id: int
    private_ids: frozenset[int]        # the service user and the carer
    team_leader_id: Optional[int]
    social_worker_ids: frozenset[int]


def why_on_pathway(people: CasePeople, case_id: Optional[int], kind: VisitKind,
                   booked_ids: frozenset[int]) -> Optional[str]:
    """Why a visit belongs on the case's pathway (one of the BECAUSE_* codes), or None when it does not."""
    if case_id == people.case_id:
        return BECAUSE_CASE
    if booked_ids & people.private_ids:
        return BECAUSE_PERSON
    if kind in INTERVIEW_KINDS:
        if people.team_leader_id is not None and people.team_leader_id in booked_ids:
            return BECAUSE_TEAM_LEADER
        if booked_ids & people.social_worker_ids:
            return BECAUSE_SOCIAL_WORKER
    return None


def case_people(case: Case) -> CasePeople:
    return CasePeople(
        case_id=case.id,
        private_ids=frozenset(pid for pid in (case.service_user_id, case.carer_id) if pid is not None),
        team_leader_id=case.team_leader_id,
        social_worker_ids=frozenset(worker.id for worker in case.social_workers),
    )


def case_visits(case: Case) -> list[tuple[Visit, str]]:
    """The case's visits in time order, each with why it is there (why_on_pathway decides; the query only
    narrows the review's visits to those that might be)."""
    people = case_people(case)
    staff_ids = people.social_worker_ids | ({people.team_leader_id} if people.team_leader_id else set())
    booked = select(Attendance.visit_id).where(Attendance.participant_id.in_(people.private_ids | staff_ids))
    query = (select(Visit).where(Visit.review_id == case.review_id, or_(Visit.case_id == case.id,
                                                                         Visit.id.in_(booked)))
             .order_by(Visit.starts_at, Visit.id)
             .options(selectinload(Visit.team), selectinload(Visit.location), selectinload(Visit.case),
                      selectinload(Visit.attendances).selectinload(Attendance.participant)))
    found = []
    for visit in db.session.scalars(query):
        booked_ids = frozenset(attendance.participant_id for attendance in visit.attendances)
        why = why_on_pathway(people, visit.case_id, visit.kind, booked_ids)
        if why is not None:
            found.append((visit, why))
    return found


@dataclass
class PathwayNote:
    id: str
    kind: str
    author: str
    body: str
    prompts: list[tuple[str, str]]        # (code, answer)
    themes: list[str]
    updated_at: datetime
    consent_withdrawn: bool


@dataclass
class PathwayAttendance:
    who: str                # the person's name, or "Service user (AD-014)"
    kind: str               # participant kind code
    status: str             # attendance status code


@dataclass
class PathwayStep:
    visit_id: int
    starts_at: datetime
    ends_at: datetime
    kind: str
    status: str
    why: str
    full: bool                                    # False: time, kind and status only
    title: str = ""
    attendance: list[PathwayAttendance] = field(default_factory=list)
    notes: Optional[list[PathwayNote]] = None     # None: this person may not read notes here


@dataclass
class Pathway:
    case_id: int
    review_id: int
    reference: str
    service_user: str       # a name, or the stand-in with the case reference
    carer: Optional[str]
    status: str
    status_by_hand: bool
    names_shown: bool
    steps: list[PathwayStep]

    @property
    def note_ids(self) -> list[str]:
        return [note.id for step in self.steps for note in step.notes or []]


def _attendance(visit: Visit, case: Case, access: VisitAccess, names_shown: bool) -> list[PathwayAttendance]:
    """Who of the case (the service user, the carer) was booked on the visit, and whether they came."""
    if not access.attendance:
        return []
    private_ids = {case.service_user_id, case.carer_id} - {None}
    return [PathwayAttendance(person_name(a.participant.name, a.participant.kind, names_shown, case.reference),
                              a.participant.kind.value, a.status.value)
            for a in visit.attendances if a.participant_id in private_ids]


def _notes(visit: Visit, notes_by_visit: dict[int, list[Note]], viewer: User,
           redact: Redactor) -> list[PathwayNote]:
    return [PathwayNote(note.id, note.kind.value, note.author.name, redact(note.body),
                        [(key, redact(text)) for key, text in answered(note.kind, note.prompts)],
                        [theme.name for theme in note.themes], note.updated_at, note.consent_withdrawn)
            for note in notes_by_visit.get(visit.id, []) if can_read_note(viewer, note)]


def build_pathway(case: Case, viewer: User, visits: list[tuple[Visit, str]], redact: Redactor) -> Pathway:
    """The pathway as `viewer` may read it. The caller has checked permissions.can_read_case_pathway, and gives
    the review's service users and carers in `redact`: for anyone but those who may know every service user
    (sees_identities: the lead), titles and notes name them by case reference, as the evidence pack does."""
    names_shown = sees_identities(viewer, case.review_id)
    if redact.names_shown != names_shown:
        raise ValueError("the redactor must show names exactly when the viewer may know them")
    steps: list[PathwayStep] = []
    accesses = [(visit, why, visit_access(viewer, visit)) for visit, why in visits]
    readable_visits = [visit.id for visit, _why, access in accesses if access is not None and access.notes]
    notes_by_visit: dict[int, list[Note]] = {}
    if readable_visits:
        query = (select(Note).where(Note.visit_id.in_(readable_visits)).order_by(Note.created_at, Note.id)
                 .options(selectinload(Note.author), selectinload(Note.themes)))
        for note in db.session.scalars(query):
            notes_by_visit.setdefault(note.visit_id, []).append(note)
    for visit, why, access in accesses:
        if access is None:
            continue
        step = PathwayStep(visit.id, visit.starts_at, visit.ends_at, visit.kind.value, visit.status.value, why,
                           access.full)
        if access.full:
            step.title = visit_title(visit.title, label("visit_kind", visit.kind),
                                     visit.case.reference if visit.case else None, about_private_people(visit),
                                     redact)
            step.attendance = _attendance(visit, case, access, names_shown)
            step.notes = _notes(visit, notes_by_visit, viewer, redact) if access.notes else None
        steps.append(step)
    service_user = case.service_user
    return Pathway(
        case_id=case.id, review_id=case.review_id, reference=case.reference,
        service_user=(person_name(service_user.name, service_user.kind, names_shown, case.reference)
                      if service_user else ""),
        carer=(person_name(case.carer.name, case.carer.kind, names_shown, case.reference) if case.carer else None),
        status=case.status.value, status_by_hand=case.status_by_hand, names_shown=names_shown, steps=steps,
    )
