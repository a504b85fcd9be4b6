"""Needs: every interpreting, advocacy, personal assistance, sensory and access need of the review, by status and
the date of the visit it is for, and the forms with which the link officer raises and arranges them.

A need changed here goes through the same operation as one changed on a phone (`need.set`, visits/sync.py): one
write path, one set of rules, one audit entry."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from ..clock import utcnow
from ..extensions import db
from ..identity import private_text, title_of
from ..models import Attendance, Case, NeedFlag, NeedStatus, Participant, Review, Visit
from ..permissions import can_manage_needs, can_read_needs, sees_identities
from ..schemas import NeedForm, flatten_errors, form_input
from ..sync import apply_operation
from ..vocabulary import ARRANGED_NEED_STATUSES, NOT_LIVE_VISIT_STATUSES
from .blueprint import bp
from .context import log_identity_read, review_for, reviews_choice
from .presenters import person_label

STATUS_ORDER = (NeedStatus.requested, NeedStatus.unavailable, NeedStatus.arranged, NeedStatus.confirmed)


@dataclass(frozen=True)
class NeedRow:
    id: str
    participant_id: int
    person: str
    type: str
    detail: str
    status: str
    arrangement: str
    arranged_by: Optional[str]
    next_visit: Optional[Visit]
    urgent: bool          # not arranged, and its next visit is within NEED_ALERT_HOURS
    next_visit_title: str = ""  # as the viewer may read it (identity.title_of)

    @property
    def is_arranged(self) -> bool:
        return self.status in ARRANGED_NEED_STATUSES


def need_rows(review: Review, identities: bool) -> list[NeedRow]:
    now_local = utcnow().astimezone(review.tz).replace(tzinfo=None)
    horizon = now_local + timedelta(hours=current_app.config["NEED_ALERT_HOURS"])
    needs = db.session.scalars(
        db.select(NeedFlag).join(Participant).where(Participant.review_id == review.id)
        .options(selectinload(NeedFlag.participant), selectinload(NeedFlag.arranged_by)))
    people_ids = set()
    needs = list(needs)
    for need in needs:
        people_ids.add(need.participant_id)
    visits_of: dict[int, list[Visit]] = {pid: [] for pid in people_ids}
    if people_ids:
        for attendance in db.session.scalars(
                db.select(Attendance).join(Visit).where(Attendance.participant_id.in_(people_ids),
                                                        Visit.status.not_in(NOT_LIVE_VISIT_STATUSES))
                .order_by(Visit.starts_at).options(selectinload(Attendance.visit))):
            visits_of[attendance.participant_id].append(attendance.visit)
    case_of = {case.service_user_id: case.reference for case in db.session.scalars(
        db.select(Case).where(Case.review_id == review.id, Case.service_user_id.in_(people_ids or [0])))}
    rows = []
    for need in needs:
        visits = visits_of.get(need.participant_id, [])
        upcoming = next((visit for visit in visits if visit.ends_at >= now_local), None)
        next_visit = upcoming or (visits[-1] if visits else None)
        rows.append(NeedRow(
            need.id, need.participant_id, person_label(need.participant, identities, case_of.get(need.participant_id)),
            need.type.value, private_text(need.detail, need.participant.is_private_person, identities,
                                          need.participant.review_id),
            need.status.value, private_text(need.arrangement, need.participant.is_private_person, identities,
                                            need.participant.review_id),
            need.arranged_by.name if need.arranged_by else None, next_visit,
            urgent=not need.is_arranged and upcoming is not None and upcoming.starts_at <= horizon,
            next_visit_title=title_of(next_visit, identities) if next_visit else ""))
    far_future = datetime.max
    rows.sort(key=lambda row: (STATUS_ORDER.index(NeedStatus(row.status)),
                               row.next_visit.starts_at if row.next_visit else far_future, row.person))
    return rows


def _people_choice(review: Review, identities: bool) -> list[tuple[int, str]]:
    case_of = {case.service_user_id: case.reference
               for case in db.session.scalars(db.select(Case).where(Case.review_id == review.id))}
    people = db.session.scalars(db.select(Participant).where(Participant.review_id == review.id)
                                .order_by(Participant.kind, Participant.name))
    return [(person.id, person_label(person, identities, case_of.get(person.id))) for person in people]


def _needs_page(review: Review, errors: Optional[dict] = None, values: Optional[dict] = None, form: str = "",
                status: int = 200):
    identities = sees_identities(current_user, review.id)
    rows = need_rows(review, identities)
    filter_status = request.args.get("status", "")
    if filter_status in [s.value for s in NeedStatus]:
        rows = [row for row in rows if row.status == filter_status]
    return render_template(
        "programme/needs.html", review=review, reviews=reviews_choice(can_read_needs), rows=rows,
        can_manage=can_manage_needs(current_user, review.id), people=_people_choice(review, identities),
        errors=errors or {}, values=values or {}, form=form, filter_status=filter_status), status


@bp.get("/needs")
@login_required
def needs():
    review = review_for(can_read_needs)
    log_identity_read(review, "needs")
    return _needs_page(review)


@bp.post("/needs")
@login_required
def save_need():
    """Raise a need (no need_id) or change one (its need_id), through the `need.set` operation."""
    review = review_for(can_manage_needs)
    posted = form_input(request.form)
    posted.pop("review", None)
    form_name = posted.get("need_id") or "new"
    try:
        values = NeedForm().load(posted)
    except ValidationError as error:
        return _needs_page(review, flatten_errors(error.messages), posted,
                           form_name, 400)
    participant = db.session.get(Participant, values["participant_id"])
    if participant is None or participant.review_id != review.id:
        abort(404)
    result = apply_operation(current_user, {
        "op_id": str(uuid.uuid4()), "type": "need.set", "base_version": None,
        "data": {"need_id": values["need_id"] or str(uuid.uuid4()), "participant_id": participant.id,
                 "type": values["type"], "detail": values["detail"], "status": values["status"],
                 "arrangement": values["arrangement"]},
    })
    if result["status"] == "forbidden":
        abort(403)
    if result["status"] != "applied":
        return _needs_page(review, result.get("errors") or {"form": [result["status"]]}, posted, form_name, 400)
    return redirect(url_for("programme.needs", review=review.id, saved=1))
