"""The programme as the console shows it: rows per day, with the identity rule applied once, here.

The link officer and the lead see who every visit is with; a coordinator sees the programme with service users
and carers shown by case reference only (DESIGN section 2). No template decides this for itself.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional

from flask_babel import gettext as _

from ..identity import NamesInTitle, about_private_people, person_name, place_name, private_text, title_of
from ..models import Attendance, Participant, Visit


@dataclass
class PersonLabel:
    id: int
    name: str
    kind: str
    detail: str = ""           # job title, organisation or case reference
    attendance: Optional[str] = None
    needs: list = field(default_factory=list)  # (type, detail, status, arranged?)
    recorded: bool = False     # attendance recorded: cannot be taken off the visit


@dataclass
class ProgrammeRow:
    id: int
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    location: str
    location_is_home: bool
    team: list[str]
    people: list[PersonLabel]
    case_reference: Optional[str]
    finding_count: int = 0
    worst: Optional[str] = None  # "error" / "warning" / None
    cancel_reason: str = ""      # why it was called off, shown to everyone who reads the programme

    @property
    def day(self) -> date:
        return self.starts_at.date()


def person_label(person: Participant, identities: bool, case_reference: Optional[str] = None) -> str:
    return person_name(person.name, person.kind, identities, case_reference)


def _detail(person: Participant, case_reference: Optional[str]) -> str:
    if person.is_private_person:
        return _("case %(reference)s", reference=case_reference) if case_reference else ""
    return ", ".join(part for part in (person.job_title, person.organisation or person.team) if part)


def attendee_label(attendance: Attendance, identities: bool, case_reference: Optional[str]) -> PersonLabel:
    from .service import attendance_recorded

    person = attendance.participant
    return PersonLabel(
        id=person.id, name=person_label(person, identities, case_reference), kind=person.kind.value,
        detail=_detail(person, case_reference), attendance=attendance.status.value,
        needs=[(n.type.value, private_text(n.detail, person.is_private_person, identities, person.review_id),
                n.status.value, n.is_arranged) for n in person.needs],
        recorded=attendance_recorded(attendance),
    )


def programme_rows(visits: list[Visit], identities: bool, findings=()) -> list[ProgrammeRow]:
    per_visit: dict[int, list[str]] = defaultdict(list)
    for finding in findings:
        if getattr(finding, "past", False):
            continue  # history: not a to-do on the visit's row
        for visit_id in finding.visit_ids:
            per_visit[visit_id].append(finding.severity)
    rows = []
    for visit in visits:
        reference = visit.case.reference if visit.case else None
        severities = per_visit.get(visit.id, [])
        rows.append(ProgrammeRow(
            id=visit.id, kind=visit.kind.value, title=title_of(visit, identities), starts_at=visit.starts_at,
            ends_at=visit.ends_at, status=visit.status.value,
            location=place_name(visit.location.name, visit.location.is_home, identities) if visit.location else "",
            location_is_home=bool(visit.location and visit.location.is_home),
            team=[member.name for member in visit.team],
            people=[attendee_label(a, identities, reference) for a in visit.attendances],
            case_reference=reference, finding_count=len(severities),
            worst="error" if "error" in severities else ("warning" if severities else None),
            # Free text that may name the person visited (the title too): hidden from those who may not know them.
            cancel_reason=private_text(visit.cancel_reason, about_private_people(visit), identities, visit.review_id),
        ))
    return rows


def by_day(rows: list[ProgrammeRow]) -> list[tuple[date, list[ProgrammeRow]]]:
    days: dict[date, list[ProgrammeRow]] = defaultdict(list)
    for row in rows:
        days[row.day].append(row)
    return sorted(days.items())


# --- a title that names a service user or carer (issue 12) --------------------------------------------------


def title_checker(review_id: int) -> NamesInTitle:
    """Finds, in a title, the review's service users and carers (retired ones too: their names are as private)."""
    from ..extensions import db

    return NamesInTitle(db.session.scalars(db.select(Participant).filter_by(review_id=review_id)))


def title_warning(names: list[str]) -> str:
    """What the link officer is told when a title names someone: the title itself is shown to people who may not
    know who service users are (they read the kind and case reference instead), but a name should not be in it."""
    if not names:
        return ""
    return _("This title names a service user or carer (%(names)s). Titles are read by people who must not know who "
             "service users are: use the case reference instead, like ‘Home visit AD-014’.",
             names=", ".join(names))
