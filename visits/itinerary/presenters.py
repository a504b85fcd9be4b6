"""A visit as one person may see it: permissions.visit_access decides, this applies the decision once, and both
the HTML pages and the JSON API render the result (so the two can never disagree about what is hidden)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from ..attendance.check_times import UNDO_CHECK_OUT_FOR, near_window
from ..attendance.operations import far_from_visit_question
from ..clock import utcnow
from ..identity import agenda_title_of, person_name, place_name, private_text, title_of
from ..models import Attendance, NeedFlag, User, Visit
from ..permissions import VisitAccess
from ..vocabulary import ARRANGED_NEED_STATUSES


@dataclass
class NeedView:
    id: str
    type: str
    detail: str
    status: str
    arrangement: str

    @property
    def is_arranged(self) -> bool:
        return self.status in ARRANGED_NEED_STATUSES


@dataclass
class ParticipantView:
    id: int
    kind: str
    name: str
    identity_hidden: bool
    job_title: str
    team: str
    organisation: str
    phone: Optional[str]
    attendance: Optional[str]
    needs: list[NeedView]


@dataclass
class PersonView:
    id: int
    name: str
    phone: Optional[str]


@dataclass
class LocationView:
    id: int
    name: str
    kind: str
    address: str
    parking_notes: str
    access_notes: str


@dataclass
class SegmentView:
    title: str
    minutes: int


@dataclass
class VisitView:
    id: int
    review_id: int
    council_name: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    full: bool
    on_team: bool
    team: list[PersonView]
    location: Optional[LocationView]
    participants: Optional[list[ParticipantView]] = None
    case_reference: Optional[str] = None
    agenda: list[SegmentView] = field(default_factory=list)
    briefing: Optional[str] = None
    contacts: list[PersonView] = field(default_factory=list)
    checked_in_at: Optional[datetime] = None
    checked_out_at: Optional[datetime] = None
    cancel_reason: str = ""  # why the link officer cancelled it (free text: hidden like the briefing)
    # For check_times.js: between these two (UTC) a check-in or check-out is taken without asking; outside, the
    # phone asks `check_questions` first.
    near_from: Optional[datetime] = None
    near_until: Optional[datetime] = None
    undo_check_out_until: Optional[datetime] = None  # while "Undo" is offered beside one's check-out

    @property
    def needs(self) -> list[NeedView]:
        return [need for p in self.participants or [] for need in p.needs]

    @property
    def check_questions(self) -> dict[str, str]:
        """What the phone asks before a check-in or check-out far from this visit, by operation type."""
        return {kind: far_from_visit_question(self.starts_at, self.ends_at, kind)
                for kind in ("visit.check_in", "visit.check_out")}

def _need(need: NeedFlag, private: bool, may_know: bool) -> NeedView:
    review_id = need.participant.review_id
    return NeedView(need.id, need.type.value, private_text(need.detail, private, may_know, review_id),
                    need.status.value, private_text(need.arrangement, private, may_know, review_id))


def _participant(attendance: Attendance, access: VisitAccess, case_reference: Optional[str]) -> ParticipantView:
    person = attendance.participant
    hidden = person.is_private_person and not access.identity
    name = person_name(person.name, person.kind, access.identity, case_reference)
    return ParticipantView(
        id=person.id, kind=person.kind.value, name=name, identity_hidden=hidden,
        job_title=person.job_title, team=person.team, organisation=person.organisation,
        phone=None if hidden else (person.phone or None),
        attendance=attendance.status.value if access.attendance else None,
        needs=[_need(n, person.is_private_person, access.identity) for n in person.needs] if access.needs else [],
    )


def _about_private_people(visit: Visit) -> bool:
    """A home visit, a visit about a case, or one with a service user or carer: its free text may name them."""
    return visit.is_home_visit or visit.case_id is not None or any(
        a.participant.is_private_person for a in visit.attendances)


def present_visit(visit: Visit, access: VisitAccess, viewer: User) -> VisitView:
    on_team = any(member.id == viewer.id for member in visit.team)
    location = visit.location if access.place else None
    # Someone's home is part of their identity: without the right to know who they are, not where they live.
    private_home = location is not None and location.is_home and not access.identity
    detail = access.full and not private_home
    view = VisitView(
        id=visit.id, review_id=visit.review_id, council_name=visit.review.council_name, kind=visit.kind.value,
        title=title_of(visit, access.identity) if access.full else "", starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        status=visit.status.value, full=access.full, on_team=on_team,
        team=[PersonView(m.id, m.name, m.phone if access.full else None) for m in visit.team],
        location=LocationView(location.id, place_name(location.name, location.is_home, access.identity),
                              location.kind.value,
                              location.address if detail else "",
                              location.parking_notes if detail else "",
                              location.access_notes if detail else "") if location else None,
    )
    if not access.full:
        return view
    case_reference = visit.case.reference if visit.case else None
    view.participants = [_participant(a, access, case_reference) for a in visit.attendances]
    view.case_reference = case_reference
    view.agenda = [SegmentView(agenda_title_of(visit, s.title, n, access.identity), s.minutes)
                   for n, s in enumerate(visit.agenda)]
    view.briefing = private_text(visit.briefing, _about_private_people(visit), access.identity, visit.review_id)
    view.cancel_reason = private_text(visit.cancel_reason, _about_private_people(visit), access.identity,
                                      visit.review_id)
    view.contacts = [PersonView(u.id, u.name, u.phone) for u in visit.review.link_officers()]
    mine = next((c for c in visit.checks if c.user_id == viewer.id), None)
    if mine is not None:
        view.checked_in_at, view.checked_out_at = mine.checked_in_at, mine.checked_out_at
    if access.check_in:
        window = near_window(visit.starts_at, visit.ends_at, visit.review.tz)
        view.near_from, view.near_until = window.earliest, window.latest
        if view.checked_out_at is not None and utcnow() <= view.checked_out_at + UNDO_CHECK_OUT_FOR:
            view.undo_check_out_until = view.checked_out_at + UNDO_CHECK_OUT_FOR
    return view
