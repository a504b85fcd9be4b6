"""Which visits a person's itinerary holds: their own, plus the whole programme of any review in which their
role sees the programme (lead reviewer, link officer, coordinator)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Attendance, Participant, User, Visit, visit_team
from ..permissions import visit_access
from ..vocabulary import PROGRAMME_ROLES
from .presenters import VisitView, present_visit


def _programme_review_ids(user: User) -> list[int]:
    return [m.review_id for m in user.memberships if m.role in PROGRAMME_ROLES]


def visits_between(user: User, first: date, last: date) -> list[VisitView]:
    """The person's visits from `first` to `last` inclusive, in start order, each as they may see it."""
    mine = select(visit_team.c.visit_id).where(visit_team.c.user_id == user.id)
    member_of = [m.review_id for m in user.memberships]
    query = (
        select(Visit)
        .where(Visit.review_id.in_(member_of))
        .where(or_(Visit.id.in_(mine), Visit.review_id.in_(_programme_review_ids(user))))
        .where(Visit.starts_at >= datetime.combine(first, time.min))
        .where(Visit.starts_at < datetime.combine(last + timedelta(days=1), time.min))
        .order_by(Visit.starts_at, Visit.id)
        .options(
            selectinload(Visit.team),
            selectinload(Visit.location),
            selectinload(Visit.case),
            selectinload(Visit.agenda),
            selectinload(Visit.checks),
            selectinload(Visit.review),
            selectinload(Visit.attendances).selectinload(Attendance.participant).selectinload(Participant.needs),
        )
    )
    views = []
    for visit in db.session.scalars(query):
        access = visit_access(user, visit)
        if access is not None:
            views.append(present_visit(visit, access, user))
    return views

