"""Building and adapting the programme: the day-by-day view with the rule checker's findings, the visit form
(create, move, reassign, reschedule, cancel), who a visit is with, and the people, places and cases it uses.

Every view: parse (schema) → check (permissions) → act (service) → render or redirect. A bad form answers 400
with the form again, what was typed kept and each message next to its field; never a 500.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import abort, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from ..api.responses import bad_request
from ..clock import utcnow
from ..extensions import db
from ..models import Attendance, Case, Location, Participant, Review, Visit
from ..permissions import can_edit_programme, can_read_programme, role_for, sees_identities
from ..schemas import (
    CASE_STATUSES, LOCATION_KINDS, NEED_STATUSES, NEED_TYPES, PARTICIPANT_KINDS, VISIT_KINDS, VISIT_STATUSES,
    AttendeeForm, FindingsOut, FindingsQuery, VisitForm, flatten_errors,
    form_input,
)
from ..schemas.forms import CancelVisitForm
from .blueprint import bp
from .context import log_identity_read, review_for, reviews_choice
from .presenters import by_day, person_label, programme_rows, title_checker, title_warning
from .service import (
    ProgrammeError, add_attendee, cancel_visit, create_visit,
    remove_attendee, team_candidates, update_visit, version_of,
)
from .snapshot import (
    CHANGE_SESSION_KEY, change_summary, current_findings, findings_for, load_programme, rule_summaries, thresholds,
    thresholds_as_dict,
)


def _review_visits(review: Review) -> list[Visit]:
    return list(db.session.scalars(
        db.select(Visit).where(Visit.review_id == review.id).order_by(Visit.starts_at, Visit.id).options(
            selectinload(Visit.team), selectinload(Visit.location), selectinload(Visit.case),
            selectinload(Visit.attendances).selectinload(Attendance.participant)
            .selectinload(Participant.needs))))


# --- the programme ------------------------------------------------------------------------------------------


@bp.get("/programme")
@login_required
def programme():
    review = review_for(can_read_programme)
    programme_snapshot = load_programme(review)
    findings = findings_for(review, current_user, programme_snapshot)
    identities = sees_identities(current_user, review.id)
    rows = programme_rows(_review_visits(review), identities, findings)
    labels = {row.id: row for row in rows}
    log_identity_read(review, "programme")
    # Findings on days already worked are history, shown folded away: the to-dos are what can still change.
    to_do = [f for f in findings if not f.past]
    return render_template(
        "programme/index.html", review=review, reviews=reviews_choice(can_read_programme),
        days=by_day(rows), visit_rows=labels, findings=to_do, history=[f for f in findings if f.past],
        errors=[f for f in to_do if f.is_error], warnings=[f for f in to_do if not f.is_error],
        rules=rule_summaries(), can_edit=can_edit_programme(current_user, review.id),
        thresholds=thresholds(),
    )


@bp.get("/api/programme/findings")
@login_required
def findings_api():
    try:
        query = FindingsQuery().load(request.args.to_dict())
    except ValidationError as error:
        return bad_request(error)
    review = review_for(can_read_programme, query["review"])
    findings = findings_for(review, current_user)
    counts = {"error": sum(f.is_error for f in findings), "warning": sum(not f.is_error for f in findings),
              "past": sum(f.past for f in findings)}
    return jsonify(FindingsOut().dump({
        "review_id": review.id, "counts": counts, "thresholds": thresholds_as_dict(thresholds()),
        "findings": findings,
    }))


# --- one visit ----------------------------------------------------------------------------------------------


def _visit_for_edit(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id, options=[
        selectinload(Visit.attendances).selectinload(Attendance.participant).selectinload(Participant.needs),
        selectinload(Visit.team)])
    if visit is None or role_for(current_user, visit.review_id) is None:
        abort(404)
    if not can_edit_programme(current_user, visit.review_id):
        abort(403)
    return visit


def _visit_values(visit: Visit) -> dict:
    """A visit as its form shows it (the same names the form posts)."""
    return {
        "kind": visit.kind.value, "title": visit.title, "date": visit.starts_at.date().isoformat(),
        "start": visit.starts_at.strftime("%H:%M"), "end": visit.ends_at.strftime("%H:%M"),
        "location_id": str(visit.location_id or ""), "case_id": str(visit.case_id or ""),
        "team": [str(user.id) for user in visit.team], "status": visit.status.value, "briefing": visit.briefing,
        "expected_count": str(visit.expected_count or ""), "version": version_of(visit),
    }


def _choices(review: Review) -> dict:
    """What the visit form offers: places, cases and people in use. One marked no longer used (DESIGN section 11)
    is left out, except the place and case of the visit being edited, which stay its current choice."""
    visit_id = (request.view_args or {}).get("visit_id")
    visit = db.session.get(Visit, visit_id) if visit_id else None
    kept_place = visit.location_id if visit is not None and visit.review_id == review.id else None
    kept_case = visit.case_id if visit is not None and visit.review_id == review.id else None
    locations = [place for place in db.session.scalars(
        db.select(Location).filter_by(review_id=review.id).order_by(Location.name))
        if place.retired_at is None or place.id == kept_place]
    all_cases = list(db.session.scalars(db.select(Case).filter_by(review_id=review.id).order_by(Case.reference)))
    cases = [case for case in all_cases if case.retired_at is None or case.id == kept_case]
    people = list(db.session.scalars(
        db.select(Participant).filter_by(review_id=review.id, retired_at=None)
        .order_by(Participant.kind, Participant.name)))
    case_of = {case.service_user_id: case.reference for case in all_cases if case.service_user_id}
    identities = sees_identities(current_user, review.id)
    return {
        "locations": locations, "cases": cases, "team_candidates": team_candidates(review),
        "people": [(p, person_label(p, identities, case_of.get(p.id))) for p in people],
    }


def _visit_form(review: Review, visit: Visit | None, values: dict, errors: dict, status: int = 200):
    attendees = []
    if visit is not None:
        attendees = programme_rows([visit], sees_identities(current_user, review.id))[0].people
    warning = title_warning(title_checker(review.id)(values.get("title") or ""))
    return render_template("programme/visit_form.html", review=review, visit=visit, values=values, errors=errors,
                           attendees=attendees, change=_change_for(visit), title_warning=warning,
                           **_choices(review)), status


def _remember_change(visit: Visit, before) -> None:
    """Carry what this change did to the programme check to the page the redirect lands on."""
    session[CHANGE_SESSION_KEY] = change_summary(visit.id, before, current_findings(visit.review))


def _change_for(visit: Visit | None) -> dict | None:
    """The change just made to this visit, once: the answer to the save, not every later look at the form."""
    change = session.get(CHANGE_SESSION_KEY)
    if visit is None or not change or change.get("visit_id") != visit.id:
        return None
    session.pop(CHANGE_SESSION_KEY, None)
    return change


# Past this hour a day on site is over for planning: a visit added now goes on the next on-site day.
END_OF_WORKING_DAY = time(17, 0)


def next_on_site_day(on_site_from: date | None, on_site_to: date | None, now: datetime) -> date | None:
    """The day a new visit is most likely for: today when it is an on-site day and still working hours, else the
    next on-site day (the first one, before the week starts). Never a past day: once the on-site period is over
    the form starts on today (or tomorrow after working hours), and the link officer picks the day."""
    if on_site_from is None or on_site_to is None:
        return None
    today = now.date()
    candidate = today if now.time() < END_OF_WORKING_DAY else today + timedelta(days=1)
    return max(candidate, on_site_from)


@bp.get("/programme/visits/new")
@login_required
def new_visit():
    review = review_for(can_edit_programme)
    day = request.args.get("date", "")
    if not day:
        default = next_on_site_day(review.on_site_from, review.on_site_to,
                                   utcnow().astimezone(review.tz).replace(tzinfo=None))
        day = default.isoformat() if default else ""
    return _visit_form(review, None, {"date": day, "status": "planned", "team": []}, {})


def _visit_form_again(review, visit, posted: dict, errors: dict):
    """The form as it was sent, with what was wrong: nothing typed is lost."""
    return _visit_form(review, visit, {**posted, "team": posted.get("team", [])}, errors, 400)


@bp.post("/programme/visits")
@login_required
def create_visit_view():
    review = review_for(can_edit_programme)
    posted = form_input(request.form, lists=("team",))
    posted.pop("review", None)
    try:
        values = VisitForm().load(posted)
        before = current_findings(review)
        visit = create_visit(review, current_user, values)
    except ValidationError as error:
        return _visit_form_again(review, None, posted, flatten_errors(error.messages))
    except ProgrammeError as error:
        db.session.rollback()
        return _visit_form_again(review, None, posted, error.errors)
    _remember_change(visit, before)
    db.session.commit()
    return redirect(url_for("programme.edit_visit", visit_id=visit.id, saved=1))


@bp.get("/programme/visits/<int:visit_id>/edit")
@login_required
def edit_visit(visit_id: int):
    visit = _visit_for_edit(visit_id)
    log_identity_read(visit.review, f"visit {visit.id}")
    return _visit_form(visit.review, visit, _visit_values(visit), {})


@bp.post("/programme/visits/<int:visit_id>")
@login_required
def update_visit_view(visit_id: int):
    visit = _visit_for_edit(visit_id)
    review = visit.review
    posted = form_input(request.form, lists=("team",))
    version = posted.pop("version", None)
    posted.pop("review", None)
    try:
        values = VisitForm().load(posted)
        before = current_findings(review)
        update_visit(review, current_user, visit, values, loaded_version=version)
    except ValidationError as error:
        return _visit_form_again(review, visit, {**posted, "version": version}, flatten_errors(error.messages))
    except ProgrammeError as error:
        db.session.rollback()
        visit = _visit_for_edit(visit_id)
        return _visit_form_again(review, visit, {**posted, "version": version_of(visit)}, error.errors)
    _remember_change(visit, before)
    db.session.commit()
    return redirect(url_for("programme.edit_visit", visit_id=visit.id, saved=1))


def _cancel_form(visit: Visit, values: dict, errors: dict, status: int = 200):
    row = programme_rows([visit], sees_identities(current_user, visit.review_id))[0]
    return render_template("programme/cancel_visit.html", review=visit.review, visit=visit, row=row,
                           values=values, errors=errors), status


@bp.get("/programme/visits/<int:visit_id>/cancel")
@login_required
def confirm_cancel_visit(visit_id: int):
    """The confirmation step: what is being cancelled, and why (asked, required). Nothing is cancelled in one
    click."""
    visit = _visit_for_edit(visit_id)
    if visit.status.value == "cancelled":
        return redirect(url_for("programme.edit_visit", visit_id=visit.id))
    return _cancel_form(visit, {}, {})


@bp.post("/programme/visits/<int:visit_id>/cancel")
@login_required
def cancel_visit_view(visit_id: int):
    visit = _visit_for_edit(visit_id)
    posted = form_input(request.form)
    posted.pop("review", None)
    try:
        values = CancelVisitForm().load(posted)
        before = current_findings(visit.review)
        cancel_visit(visit.review, current_user, visit, values["reason"])
    except ValidationError as error:
        return _cancel_form(visit, posted, flatten_errors(error.messages), 400)
    except ProgrammeError as error:
        db.session.rollback()
        return _cancel_form(_visit_for_edit(visit_id), posted, error.errors, 400)
    _remember_change(visit, before)
    db.session.commit()
    return redirect(url_for("programme.edit_visit", visit_id=visit.id, cancelled=1))


@bp.post("/programme/visits/<int:visit_id>/participants")
@login_required
def add_attendee_view(visit_id: int):
    visit = _visit_for_edit(visit_id)
    try:
        values = AttendeeForm().load(form_input(request.form))
        before = current_findings(visit.review)
        add_attendee(visit.review, current_user, visit, values["participant_id"])
    except ValidationError as error:
        return _visit_form(visit.review, visit, _visit_values(visit), flatten_errors(error.messages), 400)
    except ProgrammeError as error:
        db.session.rollback()
        visit = _visit_for_edit(visit_id)
        return _visit_form(visit.review, visit, _visit_values(visit), error.errors, 400)
    _remember_change(visit, before)
    db.session.commit()
    return redirect(url_for("programme.edit_visit", visit_id=visit.id, _anchor="with"))


@bp.post("/programme/visits/<int:visit_id>/participants/<int:participant_id>/remove")
@login_required
def remove_attendee_view(visit_id: int, participant_id: int):
    visit = _visit_for_edit(visit_id)
    before = current_findings(visit.review)
    try:
        remove_attendee(visit.review, current_user, visit, participant_id)
    except ProgrammeError as error:
        db.session.rollback()
        visit = _visit_for_edit(visit_id)
        return _visit_form(visit.review, visit, _visit_values(visit), error.errors, 400)
    _remember_change(visit, before)
    db.session.commit()
    return redirect(url_for("programme.edit_visit", visit_id=visit.id, _anchor="with"))


@bp.context_processor
def _console_helpers():
    """The codes the console's forms offer (templates put words to them, templates/programme/_labels.html)."""
    return {"visit_kinds": VISIT_KINDS, "visit_statuses": VISIT_STATUSES, "participant_kinds": PARTICIPANT_KINDS,
            "location_kinds": LOCATION_KINDS, "case_statuses": CASE_STATUSES, "need_types": NEED_TYPES,
            "need_statuses": NEED_STATUSES}
