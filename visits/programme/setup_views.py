"""The review's people, places and cases: the lists a programme is built from (DESIGN section 11).

Every view: parse (schema) → check (permissions) → act (setup_service) → render or redirect. A bad form answers 400
with the page again, what was typed kept and each message next to its field.
"""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Case, Review
from ..permissions import can_edit_programme, sees_identities
from ..schemas import CaseForm, LocationForm, ParticipantForm, flatten_errors, form_input
from .blueprint import bp
from .context import log_identity_read, review_for
from .presenters import person_label
from .service import ProgrammeError
from .setup_service import create_case, create_location, create_participant
from .views import _choices


# --- people, places and cases -------------------------------------------------------------------------------


def _setup_page(review: Review, errors: dict | None = None, values: dict | None = None, form: str = "",
                status: int = 200):
    choices = _choices(review)
    cases = db.session.scalars(db.select(Case).filter_by(review_id=review.id).order_by(Case.reference).options(
        selectinload(Case.social_workers), selectinload(Case.team_leader), selectinload(Case.service_user))).all()
    identities = sees_identities(current_user, review.id)
    case_rows = [{
        "reference": case.reference, "status": case.status.value,
        "service_user": person_label(case.service_user, identities, case.reference) if case.service_user else "",
        "team_leader": case.team_leader.name if case.team_leader else "",
        "social_workers": ", ".join(worker.name for worker in case.social_workers),
    } for case in cases]
    return render_template("programme/setup.html", review=review, errors=errors or {}, values=values or {},
                           form=form, case_rows=case_rows, **choices), status


@bp.get("/programme/setup")
@login_required
def setup():
    review = review_for(can_edit_programme)
    log_identity_read(review, "setup")
    return _setup_page(review)


def _setup_post(schema, create, form_name: str, lists: tuple[str, ...] = ()):
    review = review_for(can_edit_programme)
    posted = form_input(request.form, lists=lists)
    posted.pop("review", None)
    try:
        create(review, current_user, schema().load(posted))
    except ValidationError as error:
        return _setup_page(review, flatten_errors(error.messages), posted, form_name, 400)
    except ProgrammeError as error:
        db.session.rollback()
        return _setup_page(review, error.errors, posted, form_name, 400)
    db.session.commit()
    return redirect(url_for("programme.setup", review=review.id, added=form_name, _anchor=form_name))


@bp.post("/programme/locations")
@login_required
def create_location_view():
    return _setup_post(LocationForm, create_location, "places")


@bp.post("/programme/participants")
@login_required
def create_participant_view():
    return _setup_post(ParticipantForm, create_participant, "people")


@bp.post("/programme/cases")
@login_required
def create_case_view():
    return _setup_post(CaseForm, create_case, "cases", lists=("social_worker_ids",))
