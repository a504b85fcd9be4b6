"""Changing the review's people, places and cases: the one write path for the setup page's forms.

Like visits/programme/service.py: values already loaded by a schema, references checked against the review, the
change audit-logged in the same transaction; the caller commits.
"""
from __future__ import annotations

from flask_babel import gettext as _

from .. import audit
from ..extensions import db
from ..models import Case, CaseStatus, Location, LocationKind, Participant, ParticipantKind, Review, User
from .service import ProgrammeError, _in_review


def create_participant(review: Review, user: User, values: dict) -> Participant:
    office = _in_review(Location, review, values.get("office_id"))
    if office is False:
        raise ProgrammeError({"office_id": [_("Choose a place of this review.")]})
    participant = Participant(review_id=review.id, kind=ParticipantKind(values["kind"]), name=values["name"],
                              job_title=values.get("job_title", ""), team=values.get("team", ""),
                              organisation=values.get("organisation", ""), phone=values.get("phone", ""),
                              office_id=office.id if office else None)
    db.session.add(participant)
    db.session.flush()
    audit.record(user, "create", "participant", participant.id, review.id, kind=participant.kind.value)
    return participant


def create_case(review: Review, user: User, values: dict) -> Case:
    errors: dict[str, list[str]] = {}
    if db.session.scalar(db.select(Case.id).filter_by(review_id=review.id, reference=values["reference"])):
        errors["reference"] = [_("This review already has a case with that reference.")]
    people = {}
    for key in ("service_user_id", "team_leader_id"):
        found = _in_review(Participant, review, values.get(key))
        if found is False:
            errors[key] = [_("Choose someone from this review's list of people.")]
        people[key] = found or None
    workers = [_in_review(Participant, review, worker_id) for worker_id in values.get("social_worker_ids", [])]
    if any(worker is False for worker in workers):
        errors["social_worker_ids"] = [_("Choose people from this review's list of people.")]
    if errors:
        raise ProgrammeError(errors)
    case = Case(review_id=review.id, reference=values["reference"], service_user=people["service_user_id"],
                team_leader=people["team_leader_id"], social_workers=list(dict.fromkeys(workers)),
                status=CaseStatus(values.get("status") or "identified"))
    db.session.add(case)
    db.session.flush()
    audit.record(user, "create", "case", case.id, review.id, reference=case.reference)
    return case


def create_location(review: Review, user: User, values: dict) -> Location:
    location = Location(review_id=review.id, name=values["name"], kind=LocationKind(values["kind"]),
                        address=values.get("address", ""), parking_notes=values.get("parking_notes", ""),
                        access_notes=values.get("access_notes", ""),
                        parking_minutes=values.get("parking_minutes", 0))
    db.session.add(location)
    db.session.flush()
    audit.record(user, "create", "location", location.id, review.id)
    return location

