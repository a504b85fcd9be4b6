"""Travel times between the review's places (DESIGN section 11): a matrix to type them in, and a CSV import
(`from,to,minutes`) with the same check-then-confirm as the programme import. The travel_time and back_and_forth
rules read what is saved here (visits/programme/snapshot.py load_programme).

The confirm step does not trust the preview: the checked rows come back in a hidden field and are read and
checked again against the places as they are now; nothing is saved if any row is wrong.
"""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Location, Review
from ..permissions import can_edit_programme
from .blueprint import bp
from .context import log_identity_read, review_for
from .setup_service import save_travel, travel_minutes, travel_places
from .travel import (
    MATRIX_MAX_PLACES, MAX_BYTES, MAX_ROWS, Place, PlaceNames, TravelFileError, TravelPlan, decode_loaded,
    encode_loaded, field_name, pair_of, pairs_of, plan_journeys, read_matrix, read_rows, to_csv,
)


def _from_place(places: list[Location]) -> Location | None:
    """?from=<id>: one place's journeys only (the page's choice when there are too many places for one table)."""
    raw = request.values.get("from", "").strip()
    if raw.isascii() and raw.isdigit():
        return next((place for place in places if place.id == int(raw)), None)
    return None


def _travel_page(review: Review, errors: dict | None = None, posted: dict | None = None, status: int = 200):
    places = travel_places(review)
    chosen = _from_place(places)
    too_many = len(places) > MATRIX_MAX_PLACES
    shown = places if chosen is None and not too_many else []
    pairs = pairs_of([place.id for place in places], chosen.id) if chosen else pairs_of([p.id for p in shown])
    minutes = travel_minutes(review)
    loaded = {pair: minutes[pair] for pair in pairs if pair in minutes}
    values = {field_name(pair): str(minutes[pair]) for pair in pairs if pair in minutes}
    values.update(posted or {})
    return render_template(
        "programme/travel.html", review=review, places=places, shown=shown, chosen=chosen, too_many=too_many,
        pairs=pairs, values=values, errors=errors or {}, loaded=encode_loaded(loaded), field_name=field_name,
        pair_of=pair_of, default_minutes=current_app.config["PROGRAMME_DEFAULT_TRAVEL_MINUTES"],
        max_places=MATRIX_MAX_PLACES, saved=request.args.get("saved", ""), entered=len(minutes),
        others=[place for place in places if chosen is None or place.id != chosen.id]), status


@bp.get("/programme/travel")
@login_required
def travel():
    review = review_for(can_edit_programme)
    log_identity_read(review, "travel")  # homes are named here
    return _travel_page(review)


@bp.post("/programme/travel")
@login_required
def save_travel_view():
    review = review_for(can_edit_programme)
    places = travel_places(review)
    chosen = _from_place(places)
    if chosen is None and len(places) > MATRIX_MAX_PLACES:
        pairs = []
    else:
        pairs = pairs_of([place.id for place in places], chosen.id if chosen else None)
    changes, errors = read_matrix(request.form, pairs, decode_loaded(request.form.get("loaded", ""), pairs))
    if errors:
        posted = {name: request.form.get(name, "") for name in (field_name(pair) for pair in pairs)
                  if name in request.form}
        return _travel_page(review, errors, posted, 400)
    saved = save_travel(review, current_user, changes, via="matrix")
    db.session.commit()
    return redirect(url_for("programme.travel", review=review.id, saved=saved,
                            **({"from": chosen.id} if chosen else {})))


# --- the CSV import -----------------------------------------------------------------------------------------


def _place_names(review: Review) -> PlaceNames:
    everywhere = list(db.session.scalars(db.select(Location).filter_by(review_id=review.id)))
    return PlaceNames([Place(p.id, p.name) for p in everywhere if p.retired_at is None],
                      [Place(p.id, p.name) for p in everywhere if p.retired_at is not None])


def _import_page(review: Review, plan: TravelPlan | None = None, file_error: str = "", payload: str = "",
                 filename: str = "", status: int = 200):
    current = travel_minutes(review) if plan else {}
    return render_template("programme/travel_import.html", review=review, plan=plan, file_error=file_error,
                           payload=payload, filename=filename, current=current, max_rows=MAX_ROWS,
                           max_kb=MAX_BYTES // 1000,
                           default_minutes=current_app.config["PROGRAMME_DEFAULT_TRAVEL_MINUTES"]), status


@bp.get("/programme/travel/import")
@login_required
def travel_import():
    return _import_page(review_for(can_edit_programme))


@bp.post("/programme/travel/import")
@login_required
def preview_travel_import():
    """The dry run: read and check the whole file, save nothing."""
    review = review_for(can_edit_programme)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _import_page(review, file_error=_("Choose a file to import."), status=400)
    filename = upload.filename[:200]
    content = upload.read(MAX_BYTES + 1)
    try:
        rows = read_rows(content)
    except TravelFileError as error:
        return _import_page(review, file_error=str(error), filename=filename, status=400)
    plan = plan_journeys(rows, _place_names(review))
    if not plan.journeys and not plan.errors:
        return _import_page(review, file_error=_("The file has no travel times in it."), filename=filename,
                            status=400)
    log_identity_read(review, "travel import")
    return _import_page(review, plan, payload=to_csv(plan.journeys) if plan.is_valid else "", filename=filename,
                        status=200 if plan.is_valid else 400)


@bp.post("/programme/travel/import/confirm")
@login_required
def confirm_travel_import():
    review = review_for(can_edit_programme)
    filename = request.form.get("filename", "")[:200]
    try:
        # The checked rows are written out as the setup page names the places: allow for names longer than typed.
        rows = read_rows(request.form.get("payload", "").encode("utf-8"),
                         max_bytes=current_app.config["MAX_FORM_MEMORY_SIZE"])
    except TravelFileError as error:
        return _import_page(review, file_error=str(error), filename=filename, status=400)
    plan = plan_journeys(rows, _place_names(review))
    if not plan.is_valid:
        if not plan.errors:
            return _import_page(review, file_error=_("The file has no travel times in it."), filename=filename,
                                status=400)
        return _import_page(review, plan, filename=filename, status=400)
    current = travel_minutes(review)
    changes = {journey.pair: journey.minutes for journey in plan.journeys
               if current.get(journey.pair) != journey.minutes}
    saved = save_travel(review, current_user, changes, via="import", filename=filename, rows=len(plan.journeys))
    db.session.commit()
    return redirect(url_for("programme.travel", review=review.id, imported=saved))
