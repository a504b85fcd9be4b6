"""The review's people, places and cases: the lists a programme is built from (DESIGN section 11). Each can be
added, corrected, removed (deleted when nothing refers to it, otherwise kept and marked no longer used) and
brought back into use; a case's status can be set by hand and handed back to its visits.

Every view: parse (schema) → check (permissions) → act (setup_service) → render or redirect. A bad form answers 400
with the page again, what was typed kept and each message next to its field.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Case, Location, Participant, Review
from ..permissions import can_edit_programme, can_manage_participant_rights, role_for, sees_identities
from ..schemas import CaseForm, LocationForm, ParticipantForm, flatten_errors, form_input
from .blueprint import bp
from .context import log_identity_read, review_for
from .presenters import person_label
from .service import ProgrammeError, team_candidates
from .setup_service import (
    Usage, case_usage, create_case, create_location, create_participant, location_usage, participant_usage, remove_case,
    remove_location, remove_participant, restore, status_from_visits, update_case, update_location,
    update_participant,
)

# The three kinds of thing the page lists, by their section's name on the page: the model, the form's schema, the
# service functions that change and remove one, and what the audit log calls it.
KINDS = {
    "places": (Location, LocationForm, update_location, remove_location, "location"),
    "people": (Participant, ParticipantForm, update_participant, remove_participant, "participant"),
    "cases": (Case, CaseForm, update_case, remove_case, "case"),
}
LISTS = {"cases": ("social_worker_ids",)}


def _rights_links(review: Review) -> bool:
    """The lead reaches a service user's or carer's rights page from here (issue 10 item 6), once it exists."""
    return (can_manage_participant_rights(current_user, review.id)
            and "rights.participant" in current_app.view_functions)


def _lists(review: Review) -> dict:
    """Everything the setup page and its edit pages offer and list, retired ones included (marked)."""
    locations = list(db.session.scalars(db.select(Location).filter_by(review_id=review.id).order_by(Location.name)))
    cases = list(db.session.scalars(db.select(Case).filter_by(review_id=review.id).order_by(Case.reference).options(
        selectinload(Case.social_workers), selectinload(Case.team_leader), selectinload(Case.service_user),
        selectinload(Case.carer), selectinload(Case.status_set_by))))
    people = list(db.session.scalars(
        db.select(Participant).filter_by(review_id=review.id).order_by(Participant.kind, Participant.name)))
    identities = sees_identities(current_user, review.id)
    case_of = {case.service_user_id: case.reference for case in cases if case.service_user_id}
    return {"locations": locations, "cases": cases, "team_candidates": team_candidates(review),
            "people": [(person, person_label(person, identities, case_of.get(person.id))) for person in people],
            "identities": identities}


def _setup_page(review: Review, errors: dict | None = None, values: dict | None = None, form: str = "",
                status: int = 200):
    lists = _lists(review)
    identities = lists["identities"]
    case_rows = [{
        "id": case.id, "reference": case.reference, "status": case.status.value, "retired": case.retired_at,
        "by_hand": case.status_by_hand, "set_by": case.status_set_by.name if case.status_set_by else "",
        "set_at": case.status_set_at,
        "service_user": person_label(case.service_user, identities, case.reference) if case.service_user else "",
        "carer": person_label(case.carer, identities, case.reference) if case.carer else "",
        "team_leader": case.team_leader.name if case.team_leader else "",
        "social_workers": ", ".join(worker.name for worker in case.social_workers),
    } for case in lists["cases"]]
    return render_template("programme/setup.html", review=review, errors=errors or {}, values=values or {},
                           form=form, case_rows=case_rows, rights_links=_rights_links(review),
                           usage={"places": location_usage(review), "people": participant_usage(review),
                                  "cases": case_usage(review)}, **lists), status


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


# --- correcting, removing, bringing back --------------------------------------------------------------------


def _record_for_edit(kind: str, record_id: int):
    """The place, person or case, for someone who may change the review's programme: 404 when it is not of a
    review they are on (they may not know it exists), 403 when their role may not change it."""
    record = db.session.get(KINDS[kind][0], record_id)
    if record is None or role_for(current_user, record.review_id) is None:
        abort(404)
    if not can_edit_programme(current_user, record.review_id):
        abort(403)
    return db.session.get(Review, record.review_id), record


def _values_of(kind: str, record) -> dict:
    """A record as its form shows it (the same names the form posts)."""
    if kind == "places":
        return {"name": record.name, "kind": record.kind.value, "address": record.address,
                "parking_notes": record.parking_notes, "access_notes": record.access_notes,
                "parking_minutes": str(record.parking_minutes)}
    if kind == "people":
        return {"name": record.name, "kind": record.kind.value, "job_title": record.job_title, "team": record.team,
                "organisation": record.organisation, "phone": record.phone, "office_id": str(record.office_id or "")}
    return {"reference": record.reference, "service_user_id": str(record.service_user_id or ""),
            "carer_id": str(record.carer_id or ""), "team_leader_id": str(record.team_leader_id or ""),
            "social_worker_ids": [str(worker.id) for worker in record.social_workers], "status": record.status.value}


def _edit_page(kind: str, review: Review, record, values: dict, errors: dict, status: int = 200):
    usage = {"places": location_usage, "people": participant_usage, "cases": case_usage}[kind](review)
    return render_template("programme/setup_edit.html", review=review, kind=kind, record=record, values=values,
                           errors=errors, used=usage.get(record.id, Usage()), rights_links=_rights_links(review),
                           **_lists(review)), status


def _edit_view(kind: str, record_id: int):
    review, record = _record_for_edit(kind, record_id)
    log_identity_read(review, f"setup {KINDS[kind][4]} {record.id}")
    return _edit_page(kind, review, record, _values_of(kind, record), {})


def _update_view(kind: str, record_id: int):
    review, record = _record_for_edit(kind, record_id)
    _model, schema, update, _remove, _subject = KINDS[kind]
    posted = form_input(request.form, lists=LISTS.get(kind, ()))
    posted.pop("review", None)
    if kind == "cases":
        # A form that sends no status keeps the one the case has: only a status chosen is one set by hand.
        posted.setdefault("status", record.status.value)
    try:
        update(review, current_user, record, schema().load(posted))
    except ValidationError as error:
        return _edit_page(kind, review, record, posted, flatten_errors(error.messages), 400)
    except ProgrammeError as error:
        db.session.rollback()
        review, record = _record_for_edit(kind, record_id)
        return _edit_page(kind, review, record, posted, error.errors, 400)
    db.session.commit()
    return redirect(url_for("programme.setup", review=review.id, saved=kind, _anchor=kind))


def _remove_view(kind: str, record_id: int):
    review, record = _record_for_edit(kind, record_id)
    removal = KINDS[kind][3](review, current_user, record)
    db.session.commit()
    flash(removal.message(), "status")
    return redirect(url_for("programme.setup", review=review.id, _anchor=kind))


def _restore_view(kind: str, record_id: int):
    review, record = _record_for_edit(kind, record_id)
    restore(review, current_user, record, KINDS[kind][4])
    db.session.commit()
    flash(_("Back in use: offered again when building visits and cases."), "status")
    return redirect(url_for("programme.setup", review=review.id, _anchor=kind))


@bp.get("/programme/locations/<int:location_id>/edit")
@login_required
def edit_location(location_id: int):
    return _edit_view("places", location_id)


@bp.post("/programme/locations/<int:location_id>")
@login_required
def update_location_view(location_id: int):
    return _update_view("places", location_id)


@bp.post("/programme/locations/<int:location_id>/remove")
@login_required
def remove_location_view(location_id: int):
    return _remove_view("places", location_id)


@bp.post("/programme/locations/<int:location_id>/restore")
@login_required
def restore_location_view(location_id: int):
    return _restore_view("places", location_id)


@bp.get("/programme/participants/<int:participant_id>/edit")
@login_required
def edit_participant(participant_id: int):
    return _edit_view("people", participant_id)


@bp.post("/programme/participants/<int:participant_id>")
@login_required
def update_participant_view(participant_id: int):
    return _update_view("people", participant_id)


@bp.post("/programme/participants/<int:participant_id>/remove")
@login_required
def remove_participant_view(participant_id: int):
    return _remove_view("people", participant_id)


@bp.post("/programme/participants/<int:participant_id>/restore")
@login_required
def restore_participant_view(participant_id: int):
    return _restore_view("people", participant_id)


@bp.get("/programme/cases/<int:case_id>/edit")
@login_required
def edit_case(case_id: int):
    return _edit_view("cases", case_id)


@bp.post("/programme/cases/<int:case_id>")
@login_required
def update_case_view(case_id: int):
    return _update_view("cases", case_id)


@bp.post("/programme/cases/<int:case_id>/remove")
@login_required
def remove_case_view(case_id: int):
    return _remove_view("cases", case_id)


@bp.post("/programme/cases/<int:case_id>/restore")
@login_required
def restore_case_view(case_id: int):
    return _restore_view("cases", case_id)


@bp.post("/programme/cases/<int:case_id>/status-from-visits")
@login_required
def case_status_from_visits(case_id: int):
    review, case = _record_for_edit("cases", case_id)
    status_from_visits(review, current_user, case)
    db.session.commit()
    return redirect(url_for("programme.setup", review=review.id, saved="cases", _anchor="cases"))
