"""Generators of database rows: small, explicit, one call per thing a test needs (the demo data is not test data).

Each `gen_*` adds its row to the session and flushes, so it has an id; the test commits when a request must see it.
The pure builders of programme snapshots, which touch no database, are in snapshots.py.
"""
from __future__ import annotations

import itertools
import uuid
from datetime import date, datetime, timedelta
from functools import lru_cache

from visits.auth.passwords import hash_password
from visits.extensions import db
from visits.models import (
    AlertDelivery, Attendance, Case, CheckIn, Concern, ConcernCategory, Location, LocationKind, Membership, NeedFlag,
    NeedStatus, NeedType, Note, NoteKind, NoteRevision, Participant, ParticipantKind, Rating, Review, ReviewPhase,
    ReviewStatus, Role, User, Visit, VisitKind,
)

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)


def gen_review(council_name: str | None = None, on_site_from: date | None = None) -> Review:
    start = on_site_from or date.today()
    review = Review(council_name=council_name or f"Council {next(_numbers)}", phase=ReviewPhase.fieldwork,
                    status=ReviewStatus.fieldwork, on_site_from=start, on_site_to=start + timedelta(days=4))
    db.session.add(review)
    db.session.flush()
    return review


def gen_user(name: str | None = None, email: str | None = None, phone: str = "07700 900001", *,
             is_demo: bool = True, is_admin: bool = False) -> User:
    """A person with the test password. Demo accounts by default, for whom the second factor is waived outside
    production (DESIGN section 10), so most tests sign in with a password alone; two-factor tests pass
    `is_demo=False`."""
    n = next(_numbers)
    user = User(name=name or f"Person {n}", email=email or f"person{n}@example.test", phone=phone,
                password_hash=_password_hash(), is_demo=is_demo, is_admin=is_admin)
    db.session.add(user)
    db.session.flush()
    return user


def gen_member(review: Review, role: Role | str, **user_fields) -> User:
    user = gen_user(**user_fields)
    join(user, review, role)
    return user


def join(user: User, review: Review, role: Role | str) -> None:
    db.session.add(Membership(review=review, user=user, role=Role(role)))
    db.session.flush()


def gen_location(review: Review, kind: LocationKind | str = "council_office", name: str | None = None,
                 address: str = "1 High Street, Cwmtown CF1 1AA") -> Location:
    location = Location(review_id=review.id, kind=LocationKind(kind), name=name or f"Place {next(_numbers)}",
                        address=address, parking_notes="Visitor bays at the back", access_notes="Ring the bell")
    db.session.add(location)
    db.session.flush()
    return location


def gen_participant(review: Review, kind: ParticipantKind | str = "staff", name: str | None = None,
                    **fields) -> Participant:
    participant = Participant(review_id=review.id, kind=ParticipantKind(kind),
                              name=name or f"Participant {next(_numbers)}", **fields)
    db.session.add(participant)
    db.session.flush()
    return participant


def gen_need(participant: Participant, type: str = "interpreting", detail: str = "Welsh",
             status: str = "requested") -> NeedFlag:
    need = NeedFlag(participant=participant, type=NeedType(type), detail=detail, status=NeedStatus(status))
    db.session.add(need)
    db.session.flush()
    return need


def gen_case(review: Review, service_user: Participant | None = None, reference: str | None = None) -> Case:
    case = Case(review_id=review.id, reference=reference or f"REF-{next(_numbers):03d}", service_user=service_user)
    db.session.add(case)
    db.session.flush()
    return case


def gen_visit(review: Review, team: list[User] = (), participants: list[Participant] = (),
              kind: VisitKind | str = "staff_interview", starts_at: datetime | None = None, minutes: int = 60,
              location: Location | None = None, case: Case | None = None, title: str | None = None) -> Visit:
    start = starts_at or datetime.combine(date.today(), datetime.min.time()).replace(hour=10)
    visit = Visit(review=review, kind=VisitKind(kind), title=title or f"Visit {next(_numbers)}", starts_at=start,
                  ends_at=start + timedelta(minutes=minutes), location=location, case=case, team=list(team))
    db.session.add(visit)
    db.session.flush()
    for participant in participants:
        db.session.add(Attendance(visit=visit, participant=participant))
    db.session.flush()
    return visit


def operation(op_type: str, base_version: int | None = None, op_id: str | None = None, **data) -> dict:
    """An operation as a device sends it to POST /api/sync (ids made "on the device")."""
    return {"op_id": op_id or str(uuid.uuid4()), "type": op_type, "base_version": base_version, "data": data}


def new_id() -> str:
    return str(uuid.uuid4())


def gen_note(visit: Visit, author: User, body: str = "Met the team manager.", kind: str = "general",
             prompts: dict | None = None) -> Note:
    note = Note(id=new_id(), visit=visit, author_id=author.id, kind=NoteKind(kind), body=body,
                prompts=prompts or {}, version=1)
    db.session.add(note)
    db.session.add(NoteRevision(note=note, version=1, body=body, prompts=prompts or {}, saved_by_id=author.id))
    db.session.flush()
    return note


def gen_concern(visit: Visit, raised_by: User, text: str = "Fire door propped open.",
                category: str = "health_and_safety", rating: str = "amber") -> Concern:
    concern = Concern(id=new_id(), visit=visit, category=ConcernCategory(category), rating=Rating(rating),
                      text=text, raised_by_id=raised_by.id)
    db.session.add(concern)
    db.session.flush()
    return concern


def gen_check_in(visit: Visit, user: User, checked_in_at: datetime | None = None,
                 checked_out_at: datetime | None = None) -> CheckIn:
    """A team member's check-in/out as the server stored it (aware UTC datetimes)."""
    check = CheckIn(visit=visit, user_id=user.id, checked_in_at=checked_in_at, checked_in_recorded_at=checked_in_at,
                    checked_out_at=checked_out_at, checked_out_recorded_at=checked_out_at)
    db.session.add(check)
    db.session.flush()
    return check


def count(model, *where) -> int:
    """Rows of a model, as the database holds them now."""
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))


def gen_claims(steps, minutes_ago: float | None = None, **outcome) -> None:
    """One delivery row per step and recipient, as the alert tick claims them before sending: claimed now, or
    `minutes_ago` by the machine's clock (claims are timed by it, not by the app's); `outcome` (sent_at,
    failed_at, channel...) for one that got that far."""
    from datetime import timezone

    claimed = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago) if minutes_ago is not None else None
    for step in steps:
        for recipient in step.recipients:
            row = AlertDelivery(event_id=step.event_id, step=step.step, recipient=recipient, **outcome)
            if claimed is not None:
                row.claimed_at = claimed
            db.session.add(row)
    db.session.commit()
