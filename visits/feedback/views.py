"""The feedback pages (DESIGN sections 2 and 12):

- `GET /visits/<id>/feedback`: the easy-read questionnaire for one visit, one question a screen with JavaScript
  (static/js/feedback.js), one long form without. With JavaScript the answers go into the outbox as a
  `feedback.record` operation (static/js/op_forms.js); `POST` is the same operation through the server's door.
- `GET /feedback?review=<id>`: the lead's summaries per setting and per kind of visit (comments included) and
  "what we did about it"; the link officer's counts per setting; a reviewer's or lay assessor's own records.
- `/feedback/questions?review=<id>`: the lead's questions (add, reword, reorder, retire).
"""
from __future__ import annotations

import uuid
from typing import Optional

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import audit, sync
from ..extensions import db
from ..models import (
    Attendance, Feedback, FeedbackAction, Location, Participant, ParticipantKind, Visit, VisitKind,
)
from ..permissions import (
    FEEDBACK_VISIT_KINDS, can_manage_feedback, can_record_feedback, console_reviews, feedback_view, visit_access,
)
from ..schemas.operations import FEEDBACK_COMMENT_MAX_CHARS
from . import questions as question_service
from .summaries import Response, counts_per_setting, summarise

bp = Blueprint("feedback", __name__)

# Each language in its own name with, in brackets, the reader's word for it: lazy, so translated when shown (a
# `_(name)` on a plain string is never extracted, so never translated). Welsh first: the Welsh Language Standards
# ask that Welsh is not treated less favourably than English.
LANGUAGES = (("cy", _l("Cymraeg (Welsh)")), ("en", _l("English")), ("bfi", _l("British Sign Language")),
             ("pl", _l("Polski (Polish)")), ("pa", _l("ਪੰਜਾਬੀ (Punjabi)")), ("ur", _l("اردو (Urdu)")),
             ("bn", _l("বাংলা (Bengali)")), ("ar", _l("العربية (Arabic)")), ("so", _l("Soomaali (Somali)")),
             ("other", _l("Another language")))


def language_name(code: str) -> str:
    """A feedback's language in words (a code no longer offered, or typed by a client, as it is)."""
    return str(dict(LANGUAGES).get(code, code))
ACTION_MAX_CHARS = 4000


def answer_language_default(locale) -> str:
    """The language the questionnaire starts from: the page's (Flask-Babel's `get_locale()`), Welsh on a Welsh
    page, English otherwise. The person answering can choose any other."""
    return "cy" if locale is not None and locale.language == "cy" else "en"


def _supported_by_labels() -> list[tuple[str, str]]:
    return [("none", _("Nobody")), ("advocate", _("An advocate")), ("interpreter", _("An interpreter")),
            ("carer", _("A carer or family member")), ("other", _("Someone else"))]


def scale_words() -> list[tuple[str, str]]:
    return [("1", _("Very bad")), ("2", _("Bad")), ("3", _("OK")), ("4", _("Good")), ("5", _("Very good"))]


# --- the questionnaire -------------------------------------------------------------------------------------------


def _visit_for_feedback(visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit_access(current_user, visit) is None:
        abort(404)
    if not can_record_feedback(current_user, visit):
        abort(403)
    return visit


def _people_answering(visit: Visit) -> list[Participant]:
    """On a home visit, the service user and carer booked on it: whom the answers may be about (optional). Never
    at a setting or a group: the phone is handed over, and must not show one person the names of the others."""
    if visit.kind is not VisitKind.home_visit:
        return []
    return list(db.session.scalars(
        select(Participant).join(Attendance, Attendance.participant_id == Participant.id)
        .where(Attendance.visit_id == visit.id,
               Participant.kind.in_([ParticipantKind.service_user, ParticipantKind.carer]))
        .order_by(Participant.name)))


def _render_questionnaire(visit: Visit, errors: Optional[dict] = None, values: Optional[MultiDict] = None,
                          status: int = 200, done: Optional[str] = None):
    people = _people_answering(visit)
    if people and visit_access(current_user, visit).identity:
        audit.record(current_user, "read", "feedback_form", visit.id, visit.review_id,
                     participant_ids=[p.id for p in people])
        db.session.commit()
    else:
        people = []
    return render_template(
        "feedback/questionnaire.html", visit=visit, questions=question_service.questions_of(visit.review_id),
        people=people, languages=LANGUAGES, default_language=answer_language_default(get_locale()),
        supported_by=_supported_by_labels(), scale=scale_words(),
        errors=errors or {}, values=values or MultiDict(), done=done, op_id=str(uuid.uuid4()),
        feedback_id=str(uuid.uuid4()), comment_max=FEEDBACK_COMMENT_MAX_CHARS), status


@bp.get("/visits/<int:visit_id>/feedback")
@login_required
def questionnaire(visit_id: int):
    return _render_questionnaire(_visit_for_feedback(visit_id))


def operation_from_questionnaire(visit_id: int, form: MultiDict) -> dict:
    """The operation the questionnaire describes, as static/js/op_forms.js builds it from the same form:
    `answers.<code>` fields nested as `data.answers[code]` (left out when blank)."""
    data: dict = {"visit_id": visit_id}
    for name, value in form.items():
        if name in ("csrf_token", "op_id", "base_version", "visit_id"):
            continue
        if name.startswith("answers."):
            if value.strip():
                data.setdefault("answers", {})[name.removeprefix("answers.")] = value
            continue
        data[name] = value
    return {"op_id": form.get("op_id", ""), "type": "feedback.record", "base_version": None, "data": data}


@bp.post("/visits/<int:visit_id>/feedback")
@login_required
def record_form(visit_id: int):
    """The questionnaire without JavaScript: the same operation, through the one write path."""
    visit = _visit_for_feedback(visit_id)
    consent = request.form.get("consent")
    if consent not in ("yes", "no"):
        return _render_questionnaire(visit, {"consent": [_("Choose yes or no.")]}, request.form, 400)
    if consent == "no":
        return _render_questionnaire(visit, done="declined")
    answer = sync.apply_operation(current_user, operation_from_questionnaire(visit.id, request.form))
    outcome = answer.get("first_status", answer["status"])
    if outcome == "applied":
        return _render_questionnaire(visit, done="recorded")
    if outcome == "forbidden":
        abort(403)
    return _render_questionnaire(visit, answer.get("errors") or {}, request.form, 400)


# --- the visit page's section ------------------------------------------------------------------------------------


@bp.app_template_global("feedback_on_visit")
def feedback_on_visit(visit_id: int) -> dict:
    """For the visit page (templates/feedback/_visit_section.html): whether this person may ask for feedback here,
    and what they recorded on it (how many, when: never the answers in a list a colleague could read over)."""
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        return {"may_ask": False, "recorded": [], "summary_url": None}
    view = feedback_view(current_user, visit.review_id)
    recorded = []
    if view in ("all", "own"):
        recorded = list(db.session.scalars(select(Feedback).where(
            Feedback.visit_id == visit.id, Feedback.recorded_by_id == current_user.id)
            .order_by(Feedback.recorded_at)))
    # The lead reaches the review's summaries from any visit where feedback is asked; others from their records.
    asked_here = visit.kind.value in FEEDBACK_VISIT_KINDS
    summary_url = (url_for("feedback.summary", review=visit.review_id)
                   if recorded or (view == "all" and asked_here) else None)
    return {"may_ask": can_record_feedback(current_user, visit), "recorded": recorded, "summary_url": summary_url,
            "summary_label": _("The review's feedback summaries") if view == "all"
            else _("All the feedback you recorded")}


# --- summaries -----------------------------------------------------------------------------------------------------


def _review_id() -> int:
    """The review asked for (?review=), or the person's first review with any feedback view; 404 when they are not
    on it (another review's summaries do not exist for them), 403 when their role has no view of feedback."""
    raw = request.args.get("review", "")
    if raw:
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:  # "²".isdigit() too, but int() refuses it
            abort(404)
        review_id = int(raw)
    else:
        reviews = console_reviews(current_user, lambda user, rid: feedback_view(user, rid) is not None)
        if not reviews:
            abort(404 if not current_user.memberships else 403)
        review_id = reviews[0]
    if current_user.role_in(review_id) is None:
        abort(404)
    return review_id


def _responses(review_id: int, recorded_by: Optional[int] = None) -> list[tuple[Feedback, Visit, Optional[str]]]:
    query = (select(Feedback, Visit, Location.name).join(Visit, Feedback.visit_id == Visit.id)
             .outerjoin(Location, Visit.location_id == Location.id).where(Visit.review_id == review_id)
             .order_by(Feedback.recorded_at))
    if recorded_by is not None:
        query = query.where(Feedback.recorded_by_id == recorded_by)
    return [tuple(row) for row in db.session.execute(query)]


def _as_responses(rows) -> list[Response]:
    return [Response(visit.location_id, name or _("No place"), visit.kind.value, feedback.answers or {},
                     feedback.comment or "", feedback.language or "", feedback.active_offer)
            for feedback, visit, name in rows]


@bp.get("/feedback")
@login_required
def summary():
    g.no_offline_copy = True  # summaries are for the desk, not a phone's cache
    review_id = _review_id()
    view = feedback_view(current_user, review_id)
    if view is None:
        abort(403)
    if view == "counts":
        return render_template("feedback/counts.html", review_id=review_id,
                               counts=counts_per_setting(_as_responses(_responses(review_id))))
    if view == "own":
        return render_template("feedback/own.html", review_id=review_id,
                               rows=_responses(review_id, recorded_by=current_user.id),
                               texts={q.code: q.text for q in question_service.questions_of(review_id, True)},
                               scale=dict(scale_words()))
    rows = _responses(review_id)
    responses = _as_responses(rows)
    questions = question_service.questions_of(review_id, include_retired=True)
    codes = [q.code for q in questions]
    audit.record(current_user, "read", "feedback_summary", review_id, review_id, responses=len(rows))
    db.session.commit()
    actions = list(db.session.scalars(select(FeedbackAction).where(FeedbackAction.review_id == review_id)
                                      .order_by(FeedbackAction.recorded_at)))
    return render_template(
        "feedback/summary.html", review_id=review_id, questions=questions,
        by_setting=summarise(responses, codes, by="setting"), by_kind=summarise(responses, codes, by="kind"),
        actions=actions, may_manage=can_manage_feedback(current_user, review_id), scale=scale_words(),
        supported=dict(_supported_by_labels()), errors=request.args.get("error"), language_name=language_name)


@bp.post("/feedback/actions")
@login_required
def record_action():
    """The lead's "what we did about it" for one setting (or one kind of visit)."""
    review_id = _review_id()
    if not can_manage_feedback(current_user, review_id):
        abort(403)
    text = request.form.get("text", "").strip()
    location_raw = request.form.get("location_id", "")
    location = None
    if location_raw.isascii() and location_raw.isdigit() and len(location_raw) <= 9:
        location = db.session.get(Location, int(location_raw))
        if location is None or location.review_id != review_id:
            abort(404)
    kind = request.form.get("visit_kind") or None
    if kind is not None and kind not in FEEDBACK_VISIT_KINDS:
        kind = None  # only the kinds feedback is asked on: anything else is not a summary's row
    if not text or len(text) > ACTION_MAX_CHARS or (location is None and kind is None):
        flash(_("Write what was done (at most %(limit)s characters).", limit=ACTION_MAX_CHARS), "error")
        return redirect(url_for(".summary", review=review_id))
    action = FeedbackAction(review_id=review_id, location_id=location.id if location else None,
                            visit_kind=kind, text=text, recorded_by_id=current_user.id)
    db.session.add(action)
    db.session.flush()
    audit.record(current_user, "feedback.action", "feedback_action", action.id, review_id,
                 location_id=action.location_id, visit_kind=action.visit_kind)
    db.session.commit()
    flash(_("Recorded what was done."), "status")
    return redirect(url_for(".summary", review=review_id))


# --- the lead's questions ----------------------------------------------------------------------------------------


@bp.get("/feedback/questions")
@login_required
def questions_page():
    g.no_offline_copy = True
    review_id = _review_id()
    if feedback_view(current_user, review_id) != "all":
        abort(403)
    return render_template("feedback/questions.html", review_id=review_id,
                           questions=question_service.questions_of(review_id, include_retired=True),
                           may_manage=can_manage_feedback(current_user, review_id))


@bp.post("/feedback/questions")
@login_required
def edit_questions():
    review_id = _review_id()
    if not can_manage_feedback(current_user, review_id):
        abort(403)
    action = request.form.get("action", "")
    code = request.form.get("code", "")[:40]
    text = " ".join(request.form.get("text", "").split())
    if action in ("add", "reword") and not 1 <= len(text) <= 300:
        flash(_("Write the question in at most 300 characters."), "error")
        return redirect(url_for(".questions_page", review=review_id))
    if action == "add":
        done = question_service.add_question(current_user, review_id, text) is not None
    elif action == "reword":
        done = question_service.reword_question(current_user, review_id, code, text)
    elif action in ("up", "down"):
        done = question_service.move_question(current_user, review_id, code, -1 if action == "up" else 1)
    elif action == "retire":
        done = bool(question_service.retire_question(current_user, review_id, code))
    elif action == "restore":
        done = question_service.restore_question(current_user, review_id, code)
    else:
        abort(400)
    if not done:
        db.session.rollback()
        flash(_("That change could not be made."), "error")
    else:
        db.session.commit()
        flash(_("Questions saved."), "status")
    return redirect(url_for(".questions_page", review=review_id))



def questionnaire_urls(user, visit_ids: list[int]) -> list[str]:
    """The questionnaire pages a phone keeps (visits/offline/views.py): one per visit of theirs where they may
    ask for feedback, so it can be handed over with no signal."""
    if not visit_ids:
        return []
    visits = db.session.scalars(select(Visit).where(Visit.id.in_(visit_ids)))
    return [url_for("feedback.questionnaire", visit_id=visit.id) for visit in visits
            if can_record_feedback(user, visit)]
