"""Changing the review's people, places and cases: the one write path for the setup page's forms, and for the
travel times between places.

Like visits/programme/service.py: values already loaded by a schema, references checked against the review, the
change audit-logged in the same transaction; the caller commits. Removing deletes only what nothing refers to;
anything a visit, a case, an attendance, a need or a staff member's office refers to is kept and marked no longer
used (retired_at), so the programme's history stays whole (DESIGN section 11).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from .. import audit
from ..case_status import refresh_case_status
from ..clock import utcnow
from ..extensions import db
from ..models import (
    Attendance, Case, CaseStatus, Location, LocationKind, NeedFlag, Participant, ParticipantKind, Review,
    TravelTime, User, Visit,
)
from .service import ProgrammeError, _in_review
from .travel import pair_of


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
    people = _case_people(review, values)
    status = CaseStatus(values.get("status") or "identified")
    case = Case(review_id=review.id, reference=values["reference"], service_user=people["service_user_id"],
                carer=people["carer_id"], team_leader=people["team_leader_id"],
                social_workers=people["social_workers"], status=status)
    if status is not CaseStatus.identified:
        # Any other status at the start is the link officer's word, not the visits' (there are none yet).
        case.status_by_hand, case.status_set_by_id, case.status_set_at = True, user.id, utcnow()
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


# --- correcting, removing and bringing back (issue 10, DESIGN section 11) -----------------------------------
# What is kept in the audit log of a change: the ids and the NAMES of the fields that changed, never their
# values. A service user's or carer's name, phone and home address are identity (DESIGN section 2), and a
# place's address may be someone's home, so no field's old or new text is written there.


@dataclass(frozen=True)
class Usage:
    """What refers to a place, a person or a case: while anything does, removing it keeps it (marked no longer
    used) so the visits, cases and attendance that name it stay whole."""

    visits: int = 0     # a place: visits held there; a person: visits they are booked on; a case: its visits
    cases: int = 0      # a person: cases naming them (service user, carer, team leader, social worker)
    needs: int = 0      # a person: needs recorded for them
    staff: int = 0      # a place: staff whose office it is

    @property
    def in_use(self) -> bool:
        return bool(self.visits or self.cases or self.needs or self.staff)

    def words(self) -> str:
        """"3 visits and 1 case": what uses it, in words ("" when nothing does)."""
        parts = []
        if self.visits:
            parts.append(ngettext("%(num)s visit", "%(num)s visits", self.visits))
        if self.cases:
            parts.append(ngettext("%(num)s case", "%(num)s cases", self.cases))
        if self.needs:
            parts.append(ngettext("%(num)s recorded need", "%(num)s recorded needs", self.needs))
        if self.staff:
            parts.append(ngettext("%(num)s member of staff as their office", "%(num)s members of staff as their office",
                                  self.staff))
        if len(parts) < 2:
            return "".join(parts)
        return _("%(first)s and %(last)s", first=", ".join(parts[:-1]), last=parts[-1])


@dataclass(frozen=True)
class Removal:
    """What removing did: deleted (nothing referred to it) or kept and marked no longer used, and why."""

    deleted: bool
    usage: Usage

    def message(self) -> str:
        if self.deleted:
            return _("Deleted: nothing referred to it.")
        return _("Used by %(what)s, so it is kept and marked no longer used.", what=self.usage.words())


def location_usage(review: Review) -> dict[int, Usage]:
    visits = dict(db.session.execute(
        db.select(Visit.location_id, db.func.count()).where(Visit.review_id == review.id,
                                                             Visit.location_id.is_not(None))
        .group_by(Visit.location_id)).all())
    staff = dict(db.session.execute(
        db.select(Participant.office_id, db.func.count()).where(Participant.review_id == review.id,
                                                                Participant.office_id.is_not(None))
        .group_by(Participant.office_id)).all())
    return {place_id: Usage(visits=visits.get(place_id, 0), staff=staff.get(place_id, 0))
            for place_id in set(visits) | set(staff)}


def participant_usage(review: Review) -> dict[int, Usage]:
    visits = dict(db.session.execute(
        db.select(Attendance.participant_id, db.func.count()).join(Participant)
        .where(Participant.review_id == review.id).group_by(Attendance.participant_id)).all())
    needs = dict(db.session.execute(
        db.select(NeedFlag.participant_id, db.func.count()).join(Participant)
        .where(Participant.review_id == review.id).group_by(NeedFlag.participant_id)).all())
    cases: dict[int, set[int]] = {}
    for case in db.session.scalars(db.select(Case).filter_by(review_id=review.id)
                                   .options(selectinload(Case.social_workers))):
        named = {case.service_user_id, case.carer_id, case.team_leader_id}
        named |= {worker.id for worker in case.social_workers}
        for person_id in named - {None}:
            cases.setdefault(person_id, set()).add(case.id)
    return {person_id: Usage(visits=visits.get(person_id, 0), cases=len(cases.get(person_id, ())),
                             needs=needs.get(person_id, 0))
            for person_id in set(visits) | set(needs) | set(cases)}


def case_usage(review: Review) -> dict[int, Usage]:
    visits = db.session.execute(
        db.select(Visit.case_id, db.func.count()).where(Visit.review_id == review.id, Visit.case_id.is_not(None))
        .group_by(Visit.case_id)).all()
    return {case_id: Usage(visits=number) for case_id, number in visits}


def _changed(record, values: dict) -> list[str]:
    """Sets each attribute to its new value; the names of those that changed, in a stable order."""
    changed = []
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return sorted(changed)


def update_location(review: Review, user: User, location: Location, values: dict) -> list[str]:
    changed = _changed(location, {
        "name": values["name"], "kind": LocationKind(values["kind"]), "address": values.get("address", ""),
        "parking_notes": values.get("parking_notes", ""), "access_notes": values.get("access_notes", ""),
        "parking_minutes": values.get("parking_minutes", 0)})
    if changed:
        db.session.flush()
        audit.record(user, "update", "location", location.id, review.id, changed=changed)
    return changed


def update_participant(review: Review, user: User, participant: Participant, values: dict) -> list[str]:
    if participant.consent_withdrawn_at is not None:
        # Their identity and contacts were erased when they withdrew consent (UK GDPR): nobody types them back.
        raise ProgrammeError({"form": [_("This person withdrew their consent: their details stay erased.")]})
    office = _in_review(Location, review, values.get("office_id"))
    if office is False:
        raise ProgrammeError({"office_id": [_("Choose a place of this review.")]})
    changed = _changed(participant, {
        "kind": ParticipantKind(values["kind"]), "name": values["name"], "job_title": values.get("job_title", ""),
        "team": values.get("team", ""), "organisation": values.get("organisation", ""),
        "phone": values.get("phone", ""), "office_id": office.id if office else None})
    if changed:
        db.session.flush()
        audit.record(user, "update", "participant", participant.id, review.id, kind=participant.kind.value,
                     changed=changed)
    return changed


def _case_people(review: Review, values: dict, case: Case | None = None) -> dict:
    """The people a case form names, each checked against the review; ProgrammeError with every message."""
    errors: dict[str, list[str]] = {}
    same_reference = db.select(Case.id).filter_by(review_id=review.id, reference=values["reference"])
    if case is not None:
        same_reference = same_reference.where(Case.id != case.id)
    if db.session.scalar(same_reference):
        errors["reference"] = [_("This review already has a case with that reference.")]
    people = {}
    for key in ("service_user_id", "team_leader_id", "carer_id"):
        found = _in_review(Participant, review, values.get(key))
        if found is False:
            errors[key] = [_("Choose someone from this review's list of people.")]
        people[key] = found or None
    if people["carer_id"] is not None and people["carer_id"].kind is not ParticipantKind.carer:
        errors["carer_id"] = [_("Choose someone listed as a carer.")]
    workers = [_in_review(Participant, review, worker_id) for worker_id in values.get("social_worker_ids", [])]
    if any(worker is False for worker in workers):
        errors["social_worker_ids"] = [_("Choose people from this review's list of people.")]
    if errors:
        raise ProgrammeError(errors)
    people["social_workers"] = list(dict.fromkeys(workers))
    return people


def update_case(review: Review, user: User, case: Case, values: dict) -> list[str]:
    """Correct a case. A status different from the one it has is the link officer's decision: it is kept as set
    by hand (who, when) and the visits no longer change it until they are asked to decide again."""
    people = _case_people(review, values, case)
    before_workers = sorted(worker.id for worker in case.social_workers)
    before_status = case.status
    changed = _changed(case, {
        "reference": values["reference"], "service_user": people["service_user_id"],
        "carer": people["carer_id"], "team_leader": people["team_leader_id"]})
    if sorted(worker.id for worker in people["social_workers"]) != before_workers:
        case.social_workers = people["social_workers"]
        changed.append("social_workers")
    status = CaseStatus(values.get("status") or before_status.value)
    detail = {}
    if status is not before_status:
        case.status, case.status_by_hand = status, True
        case.status_set_by_id, case.status_set_at = user.id, utcnow()
        changed.append("status")
        detail["status"] = {"from": before_status.value, "to": status.value, "by_hand": True}
    changed = sorted(set(changed))
    if changed:
        db.session.flush()
        audit.record(user, "update", "case", case.id, review.id, reference=case.reference, changed=changed,
                     **detail)
    if "service_user" in changed and not case.status_by_hand:
        refresh_case_status(case, user, via="case_changed")  # another service user: their visits decide
    return changed


def status_from_visits(review: Review, user: User, case: Case) -> None:
    """Hand a case's status back to its visits (DESIGN section 11): the hand-set mark goes and the visits decide."""
    before = case.status.value
    case.status_by_hand, case.status_set_by_id, case.status_set_at = False, None, None
    db.session.flush()
    refresh_case_status(case, user, via="handed_back")
    audit.record(user, "status_from_visits", "case", case.id, review.id, reference=case.reference,
                 status={"from": before, "to": case.status.value})


def _remove(review: Review, user: User, record, subject: str, usage: Usage, delete) -> Removal:
    if usage.in_use:
        if record.retired_at is None:
            record.retired_at = utcnow()
            db.session.flush()
        audit.record(user, "retire", subject, record.id, review.id, used_by=asdict(usage))
        return Removal(False, usage)
    record_id = record.id
    delete()
    db.session.flush()
    audit.record(user, "delete", subject, record_id, review.id)
    return Removal(True, usage)


def remove_location(review: Review, user: User, location: Location) -> Removal:
    def delete():
        db.session.execute(db.delete(TravelTime).where(db.or_(TravelTime.from_location_id == location.id,
                                                              TravelTime.to_location_id == location.id)))
        db.session.delete(location)
    return _remove(review, user, location, "location", location_usage(review).get(location.id, Usage()), delete)


def remove_participant(review: Review, user: User, participant: Participant) -> Removal:
    return _remove(review, user, participant, "participant",
                   participant_usage(review).get(participant.id, Usage()), lambda: db.session.delete(participant))


def remove_case(review: Review, user: User, case: Case) -> Removal:
    return _remove(review, user, case, "case", case_usage(review).get(case.id, Usage()),
                   lambda: db.session.delete(case))


def restore(review: Review, user: User, record, subject: str) -> None:
    """Bring something marked no longer used back into use: offered again when building visits and cases."""
    if record.retired_at is not None:
        record.retired_at = None
        db.session.flush()
        audit.record(user, "restore", subject, record.id, review.id)


# --- travel times -------------------------------------------------------------------------------------------


def travel_places(review: Review) -> list[Location]:
    """The places a journey can be between: every place in use, homes included, by name."""
    return list(db.session.scalars(db.select(Location).filter_by(review_id=review.id, retired_at=None)
                                   .order_by(Location.name, Location.id)))


def travel_minutes(review: Review) -> dict[tuple[int, int], int]:
    """The review's matrix as pairs (smaller id first); a pair stored both ways round reads as the rule reads it,
    from the smaller id."""
    place_ids = db.select(Location.id).where(Location.review_id == review.id)
    minutes: dict[tuple[int, int], int] = {}
    for row in db.session.scalars(db.select(TravelTime).where(TravelTime.from_location_id.in_(place_ids))):
        pair = pair_of(row.from_location_id, row.to_location_id)
        if pair not in minutes or (row.from_location_id, row.to_location_id) == pair:
            minutes[pair] = row.minutes
    return minutes


def save_travel(review: Review, user: User, changes: dict[tuple[int, int], int | None], via: str,
                **detail) -> int:
    """Set (or, with None, clear back to the default) the minutes of each pair; kept once per pair, the smaller
    place id first, so the rule reads the same number either way round. Returns how many pairs changed."""
    review_places = set(db.session.scalars(db.select(Location.id).where(Location.review_id == review.id)))
    for (a, b), minutes in changes.items():
        if a not in review_places or b not in review_places or a == b:
            raise ValueError("a pair of this review's places")
        db.session.execute(db.delete(TravelTime).where(db.or_(
            db.and_(TravelTime.from_location_id == a, TravelTime.to_location_id == b),
            db.and_(TravelTime.from_location_id == b, TravelTime.to_location_id == a))))
        if minutes is not None:
            first, second = pair_of(a, b)
            db.session.add(TravelTime(from_location_id=first, to_location_id=second, minutes=minutes))
    db.session.flush()
    if changes:
        # Place ids and minutes only: a home's name may say whose home it is.
        audit.record(user, "update", "travel_times", review.id, review.id, via=via, pairs=len(changes),
                     changed=[[a, b, minutes] for (a, b), minutes in sorted(changes.items())][:1000], **detail)
    return len(changes)
