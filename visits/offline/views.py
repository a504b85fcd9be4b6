"""The installable, offline side of the app: manifest, service worker, offline page, and what the worker needs
to know to keep a person's coming days on the phone."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from flask import Blueprint, current_app, g, jsonify, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..clock import today_in
from ..extensions import db, limiter
from ..feedback.views import questionnaire_urls
from ..i18n import LANGUAGES
from ..itinerary.queries import visits_between
from ..models import Note
from ..permissions import review_closed_for
from ..security import claims_another_user, user_key, wrong_user_response
from ..templating import asset_url
from ..vocabulary import choices
from .build import SHELL_FILES, WORKER_SCRIPTS, build_version

bp = Blueprint("offline", __name__)

# How far ahead the phone keeps the itinerary: the on-site week, whatever day it is opened.
DAYS_AHEAD = 7
# Yesterday too: notes of an evening home visit are often written up the next morning, wherever that is.
# Anything older is deleted from the phone (service_worker/sw.js keeps only what this list names).
DAYS_BEHIND = 1
# On a page a phone must no longer keep (a visit of a closed review): the service worker deletes its copy.
FORGET_HEADER = "X-Fieldwork-Forget"


def worker_path() -> Path:
    return Path(current_app.root_path) / "service_worker" / "sw.js"


@bp.get("/sw.js")
@limiter.exempt
def service_worker():
    version = build_version(current_app.static_folder, str(worker_path()))
    build = {
        "version": version,
        "shell": [asset_url(name) for name in SHELL_FILES] + [url_for("offline.offline_page"),
                                                               url_for("offline.manifest")],
        "scripts": [asset_url(name) for name in WORKER_SCRIPTS],
        "offline": url_for("offline.offline_page"),
        "manifest": url_for("offline.manifest"),
        "words": worker_words(),
    }
    body = f"const BUILD = {json.dumps(build)};\n" + worker_path().read_text()
    response = current_app.response_class(body, mimetype="text/javascript")
    # The worker must always be fetched fresh, so a deploy is seen on the next visit.
    response.headers["Cache-Control"] = "no-cache, no-store, max-age=0"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def worker_words() -> dict[str, dict[str, str]]:
    """What the worker says by itself, in every language: the worker is one file for everyone (a language change
    must not look like a new version), so it picks the words of the language its pages were last shown in.
    offline_text: for a page never kept when even the offline page is missing from the cache (its heading).
    app_name: the title of an alert that came without one."""
    words = {}
    for code, locale in LANGUAGES.items():
        with force_locale(locale):
            words[code] = {"offline_text": _("No signal, and this page is not on your phone"),
                           "app_name": _("Fieldwork")}
    return words


@bp.get("/manifest.webmanifest")
def manifest():
    icons = [
        {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": url_for("static", filename="icons/maskable-512.png"), "sizes": "512x512", "type": "image/png",
         "purpose": "maskable"},
        {"src": url_for("static", filename="icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
    ]
    body = {
        "name": _("Fieldwork — joint review visits"),
        "short_name": _("Fieldwork"),
        "description": _("Your review itinerary and visit notes, on and off line."),
        "start_url": url_for("itinerary.today"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f2f5f7",
        "theme_color": "#1d4f6e",
        "icons": icons,
    }
    response = current_app.response_class(json.dumps(body), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline_page():
    """Shown for a page the phone never kept. It holds no personal data, so any user may get it from the cache."""
    return render_template("offline/offline.html", anonymous_page=True)


@bp.get("/outbox")
@login_required
def outbox():
    """Everything waiting on this phone. Only the phone knows what that is, so the page is a shell holding
    nothing of the server's (no visit, note or person): static/js/outbox_page.js draws the list from IndexedDB.
    The service worker keeps it (it is on every person's list of pages to keep), so it opens with no signal."""
    return render_template("offline/outbox.html")


@bp.app_template_global("waiting_words")
def waiting_words() -> dict:
    """The words the scripts need to show a change that waits on the phone (static/js/waiting.js): the labels
    of the codes an operation carries, and the names of its free-text fields."""
    kinds = ("note_kind", "prompt", "attendance_status", "need_type", "need_status", "concern_category", "rating")
    return {
        "labels": {kind: dict(choices(kind)) for kind in kinds},
        "fields": {
            "body": _("Note"), "text": _("What you saw or heard"), "detail": _("Detail"),
            "arrangement": _("What is arranged"), "referred_to": _("Who at the council it is referred to"),
            "referral_text": _("What the council is told"), "reason": _("Why it is not referred"),
            "outcome": _("What the council did"), "comment": _("Comment"),
        },
    }


@bp.get("/api/csrf")
@login_required
def csrf_token():
    """A fresh token for the sync client when the one in a long-open page has expired."""
    if claims_another_user():
        return wrong_user_response()
    return jsonify(csrf_token=generate_csrf())


@bp.get("/api/offline-pages")
@login_required
def offline_pages():
    """The pages the service worker fetches so that the coming days open with no signal: each day's itinerary
    and the visits this person may see in full."""
    today = today_in()
    days = [today + timedelta(days=n) for n in range(-DAYS_BEHIND, DAYS_AHEAD)]
    # Their own visits only: the lead's and the link officer's whole programme is not for carrying around. None of
    # a closed review: its pages leave the phone at this prefetch (the worker deletes what is not listed).
    closed = closed_review_ids(current_user)
    visits = [v for v in visits_between(current_user, days[0], days[-1])
              if v.full and v.on_team and v.review_id not in closed]
    # The glossary too: the acronyms on the visit pages are explained there, signal or not.
    urls = [url_for("itinerary.today"), url_for("glossary.index")]
    # The list of what waits on the phone: a shell, drawn from the phone's own outbox.
    urls.append(url_for("offline.outbox"))
    urls += [url_for("itinerary.day", date=day.isoformat()) for day in days]
    urls += [url_for("itinerary.visit_page", visit_id=v.id) for v in visits]
    # The page that edits each of the person's own notes on those visits, so a note can be changed offline.
    own_notes = db.session.execute(
        db.select(Note.id, Note.visit_id).where(Note.visit_id.in_([v.id for v in visits]),
                                                Note.author_id == current_user.id)).all()
    urls += [url_for("itinerary.visit_page", visit_id=visit_id, edit=note_id) for note_id, visit_id in own_notes]
    # The feedback questionnaire of those visits where service users are met, to hand over with no signal.
    urls += questionnaire_urls(current_user, [v.id for v in visits])
    response = jsonify(urls=urls)
    # Whose list this is: the service worker keeps it (and stores pages by it) only for the person it asked for.
    response.headers["X-Fieldwork-User"] = user_key(current_user)
    return response


def forget_on_devices() -> None:
    """This page is no longer for keeping on a phone (a visit of a closed review, DESIGN section 11): it goes out
    without the mark the service worker stores pages by, and with one that makes it delete the copy it kept."""
    g.no_offline_copy = True
    g.forget_offline_copy = True


@bp.after_app_request
def _tell_the_worker_to_forget(response):
    if g.get("forget_offline_copy"):
        response.headers[FORGET_HEADER] = "1"
    return response


def closed_review_ids(user) -> set[int]:
    """The person's reviews that are closed: nothing of theirs is kept on a phone any more."""
    return {m.review_id for m in user.memberships if review_closed_for(user, m.review_id)}
