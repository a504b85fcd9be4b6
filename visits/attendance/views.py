"""`GET /api/attendance?date=`: who came and where the team is, for each visit of the day this person may see
attendance of (their own visits; the whole programme for the lead, link officer and coordinator)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..api.responses import bad_request
from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..itinerary.presenters import present_visit
from ..itinerary.queries import visits_between
from ..models import Attendance, Participant, Visit
from ..permissions import sees_team_checks, visit_access
from ..recording.page import team_checks
from ..schemas import AttendanceOut, AttendanceQuery

bp = Blueprint("attendance", __name__)


@bp.get("/api/attendance")
@login_required
def attendance_api():
    try:
        query = AttendanceQuery().load(request.args.to_dict())
    except ValidationError as error:
        return bad_request(error)
    ids = [view.id for view in visits_between(current_user, query["date"], query["date"]) if view.full]
    visits = db.session.scalars(select(Visit).where(Visit.id.in_(ids)).order_by(Visit.starts_at, Visit.id).options(
        selectinload(Visit.attendances).selectinload(Attendance.participant).selectinload(Participant.needs),
        selectinload(Visit.team), selectinload(Visit.checks), selectinload(Visit.review)))
    now = utcnow()
    day = []
    for visit in visits:
        access = visit_access(current_user, visit)
        if not sees_team_checks(access):
            continue
        if access.identity and any(p.is_private_person for p in visit.participants):
            audit.record(current_user, "read", "service_user_record", visit.id, visit.review_id, view="api")
        recorded = {a.participant_id: a.recorded_at for a in visit.attendances}
        view = present_visit(visit, access, current_user)
        day.append({
            "id": visit.id, "title": view.title, "kind": visit.kind.value, "starts_at": visit.starts_at,
            "ends_at": visit.ends_at, "status": visit.status.value,
            "participants": [{"id": p.id, "kind": p.kind, "name": p.name, "identity_hidden": p.identity_hidden,
                              "attendance": p.attendance, "recorded_at": recorded.get(p.id)}
                             for p in view.participants],
            "team": team_checks(visit, now),
        })
    db.session.commit()
    return jsonify(AttendanceOut().dump({"date": query["date"], "visits": day}))
