"""The itinerary: a person's day, a week strip, and the visit page for the doorstep."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..clock import today_in
from ..models import Attendance, Participant, Visit, VisitChange
from ..offline.views import closed_review_ids, forget_on_devices
from ..permissions import is_on_team, visit_access
from ..recording.page import render_visit_page
from .folds import open_folds
from .queries import visits_between

bp = Blueprint("itinerary", __name__)


def parse_day(value: str | None) -> date:
    from ..schemas import FIRST_YEAR, LAST_YEAR, in_review_years

    if not value:
        return today_in()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(400, description=_("The date must look like 2026-11-23."))
    if not in_review_years(day):  # the week around 0001-01-01 or 9999-12-31 cannot be computed
        abort(400, description=_("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))
    return day


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


@bp.get("/")
@login_required
def today():
    return _day_page(today_in())


@bp.get("/itinerary")
@login_required
def day():
    return _day_page(parse_day(request.args.get("date")))


def _day_page(day: date):
    from .. import audit

    week = week_of(day)
    week_visits = visits_between(current_user, week[0], week[-1])
    own_copy = False
    closed = closed_review_ids(current_user)
    if any(view.review_id in closed for view in week_visits):
        # A closed review's visits are not carried on a phone (DESIGN section 11): the prefetch's copy leaves them
        # out, and a day showing them online is not kept.
        if audit.is_prefetch():
            week_visits = [view for view in week_visits if view.review_id not in closed]
        else:
            g.no_offline_copy = True
    if any(not view.on_team for view in week_visits):
        # The lead and the link officer see the whole programme, but a phone keeps only their own visits
        # (DESIGN section 9): the service worker's prefetch gets that copy, and the whole day is never kept.
        if audit.is_prefetch():
            week_visits, own_copy = [view for view in week_visits if view.on_team], True
        else:
            g.no_offline_copy = True
    changes = _changes_block()
    busy_days = {view.starts_at.date() for view in week_visits}
    visits = [view for view in week_visits if view.starts_at.date() == day]
    # The day's cards name service users (the week strip only marks busy days): a read (DESIGN section 2).
    audit.record_itinerary_read(current_user, day.isoformat(), visits)
    db.session.commit()
    return render_template(
        "itinerary/day.html",
        day=day, today=today_in(), week=week, busy_days=busy_days, visits=visits,
        previous_day=day - timedelta(days=1), next_day=day + timedelta(days=1), own_copy=own_copy,
        changes=changes,
    )


# --- "Changed since you last looked" (DESIGN section 13) -------------------------------------------------------
# The person's own opening of the page counts; the service worker's prefetch (X-Fieldwork-Prefetch, audit.
# is_prefetch) neither starts the count nor shows the block: nobody looked then, and a copy kept offline would go
# on showing changes after "Got it" (whose form cannot be sent offline). Only "Got it" marks changes seen, so a
# moved visit stays at the top until the person says they know.
def _changes_block():
    from .. import audit
    from ..alerts.changes import start_looking, unseen_changes, words_for

    if audit.is_prefetch():
        return None
    start_looking(current_user)
    changes = unseen_changes(current_user)
    if not changes:
        return None
    return {"newest": changes[0].id, "lines": [
        {"words": words_for(change, current_user.id), "changed_at": change.changed_at,
         "visit_id": change.visit_id if visit_access(current_user, change.visit) is not None else None}
        for change in changes]}


@bp.post("/itinerary/changes/seen")
@login_required
def changes_seen():
    from ..alerts.changes import mark_seen
    from ..permissions import may_mark_change_seen
    from ..schemas.base import flatten_errors
    from ..schemas.forms import SeenChangesForm, form_input

    try:
        values = SeenChangesForm().load(form_input(request.form))
    except ValidationError as error:
        abort(400, description=" ".join(message for messages in flatten_errors(error.messages).values()
                                        for message in messages))
    change = db.session.get(VisitChange, values["change"])
    if change is None or not may_mark_change_seen(current_user, change):
        # Not one of theirs, or none at all: the same answer, so an id tells nobody what exists.
        abort(400, description=_("Reload your itinerary and try again."))
    mark_seen(current_user, change.changed_at)
    db.session.commit()
    day = values.get("date")
    return redirect(url_for("itinerary.day", date=day.isoformat()) if day else url_for("itinerary.today"), 303)


@bp.app_template_global("visit_open_folds")
def visit_open_folds(work, form, editing) -> frozenset[str]:
    """The visit page's folds to show open (folds.open_folds), from what the page is about to show."""
    from ..operations.registry import OPERATION_TYPES

    entry = OPERATION_TYPES.get(form.key.split(":")[0]) if form is not None and form.errors else None
    return open_folds(
        form_section=entry.section if entry is not None else None, editing=editing,
        notes_in_conflict=any(note.in_conflict for note in (work.notes or [])) if work is not None else False,
        concern_states=[concern.state for concern in work.concerns] if work is not None else ())


def load_visit(visit_id: int):
    """The visit and what the signed-in person may see of it; 404 when they may not know it exists."""
    visit = db.session.get(Visit, visit_id, options=[
        selectinload(Visit.attendances).selectinload(Attendance.participant).selectinload(Participant.needs),
        selectinload(Visit.team), selectinload(Visit.agenda), selectinload(Visit.checks),
    ])
    access = visit_access(current_user, visit) if visit else None
    if access is None:
        abort(404)
    return visit, access


@bp.get("/visits/<int:visit_id>")
@login_required
def visit_page(visit_id: int):
    visit, access = load_visit(visit_id)
    if not is_on_team(current_user, visit):
        g.no_offline_copy = True  # a device keeps its own person's visits, not the rest of the programme
    if visit.review.is_closed:
        forget_on_devices()  # a closed review's pages leave the phones (DESIGN section 11)
    # The page is also where the visit's work is done: visits/recording/page.py renders it (and audits reads).
    return render_visit_page(visit, access, editing=request.args.get("edit"))
