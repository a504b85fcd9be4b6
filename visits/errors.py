"""What a request that went wrong gets back: a page in plain words, or JSON for the API and the sync client.

Every answer here keeps the error names the outbox and its tests know ("unauthenticated", "csrf", the HTTP
error's name), and never a 500 for what is the client's mistake.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Optional
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, StatementError
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge

from .extensions import db, login_manager


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def unauthenticated_response():
    """Someone not signed in: the API says so (the sync client then asks them to sign in), a page sends them to
    the sign-in page and back."""
    if wants_json():
        return jsonify(error="unauthenticated", message=_("Please sign in again.")), 401
    login = url_for("auth.login", next=request.full_path if request.query_string else request.path)
    if request.headers.get("HX-Request"):
        # A redirect would be followed inside htmx and the sign-in page swapped into a section of this one;
        # HX-Redirect makes it a whole-page visit. A form's next is the page it is on, not the form's URL.
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=_htmx_page_path())
        return response
    return redirect(login)


def _htmx_page_path() -> str:
    """The path of the page htmx asked from (HX-Current-URL), when it is on this site."""
    # Only its path and query are used (and the sign-in page checks them again), so the host it names, which a
    # proxy may have rewritten, does not matter.
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    return (current.path + (f"?{current.query}" if current.query else "")) or request.path


# Werkzeug names its errors and describes them in English, in its own words: ours, in the person's language, for
# every status a client may meet. A view's own description (abort(400, description=_(...))) is kept.
PLAIN_WORDS = {
    400: (_l("Something was wrong with the request"),
          _l("The page could not use what was sent. Go back, check what was entered and try again.")),
    401: (_l("Please sign in"), _l("Please sign in again.")),
    403: (_l("Not allowed"), _l("Your role in this review does not allow this page or this change.")),
    404: (_l("Page not found"), _l("There is no page at this address. If you typed it, check it; otherwise go back "
                                   "to your itinerary.")),
    405: (_l("Not allowed here"), _l("This address cannot be used that way.")),
    409: (_l("Changed in the meantime"), _l("Someone changed this at the same time. Reload the page and try again.")),
    410: (_l("No longer here"), _l("What was at this address has been removed.")),
    413: (_l("Too large to send"), _l("This is more than can be sent at once. Nothing was saved.")),
    415: (_l("Something was wrong with the request"), _l("The page could not use what was sent.")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a few minutes and try again.")),
    500: (_l("Something went wrong"), _l("Something went wrong on our side. What you saved before is safe; what you "
                                         "were sending waits on your phone and is sent again later.")),
}


def in_plain_words(error: HTTPException) -> SimpleNamespace:
    """The error's heading and sentence in the person's language, its status and allowed methods kept."""
    name, sentence = PLAIN_WORDS.get(error.code or 0, (None, None))
    description = error.description
    if sentence is not None and (description == type(error).description or error.code == 429):
        description = str(sentence)  # werkzeug's own words (and the limiter's "120 per 1 hour")
    return SimpleNamespace(code=error.code, name=str(name) if name else error.name, description=description,
                           valid_methods=getattr(error, "valid_methods", None))


def _error_response(error: HTTPException):
    if error.code == 403 and _refused_because_closed():
        # The page's heading is the reason, in plain words; the status stays 403 (and "forbidden" for JSON).
        error = SimpleNamespace(code=403, name=_("This review is closed"), description=_(
            "This review is closed: changes can no longer be saved. You can still read what it holds."))
        if wants_json():
            return jsonify(error="forbidden", message=error.description), 403
        return render_template("error.html", error=error), 403
    words = in_plain_words(error)
    if wants_json():
        # "error" is the code the outbox and its tests know (werkzeug's name); "message" is for a person.
        body = {"error": error.name.lower().replace(" ", "_"), "message": words.description}
        response = make_response(jsonify(body), error.code)
    else:
        response = make_response(render_template("error.html", error=words), error.code)
    if getattr(error, "valid_methods", None):
        # A 405 names the methods the URL takes (RFC 9110); werkzeug's own page would, ours must too.
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _refused_because_closed() -> bool:
    """Whether a refusal was about a review of this person's that is closed. visits/permissions.py refuses every
    change to a closed review; the views only say 403, so this finds the review the request named (in its URL or
    its `review` field) to say why. A request that names none is about a closed review when every review the
    person belongs to is closed (a console page picks one of their reviews)."""
    from .permissions import review_closed_for

    # Administration (accounts, a review's team) is not refused for a closed review: its 403s mean the role.
    if not current_user.is_authenticated or request.blueprint == "admin":
        return False
    review_id = _review_named_by_request()
    if review_id is not None:
        return review_closed_for(current_user, review_id)
    memberships = current_user.memberships
    return bool(memberships) and all(review_closed_for(current_user, m.review_id) for m in memberships)


def _review_named_by_request() -> Optional[int]:
    from .models import Case, Location, Note, Participant, Visit

    args = request.view_args or {}
    if isinstance(args.get("review_id"), int):
        return args["review_id"]
    for name, model in (("visit_id", Visit), ("participant_id", Participant), ("location_id", Location),
                        ("case_id", Case)):
        if isinstance(args.get(name), int):
            thing = db.session.get(model, args[name])
            return thing.review_id if thing is not None else None
    if isinstance(args.get("note_id"), str):
        note = db.session.get(Note, args["note_id"])
        return note.visit.review_id if note is not None else None
    raw = request.values.get("review", "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def _too_large(error: RequestEntityTooLarge):
    """Past Flask's bounds (MAX_CONTENT_LENGTH, MAX_FORM_MEMORY_SIZE in visits/config.py) werkzeug answers in
    its own untranslated words; a view that checked its own limit (the sync batch) has already said what to
    send instead, and keeps its message. JSON keeps the error name the outbox and its tests know."""
    if error.description == RequestEntityTooLarge.description:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        error = RequestEntityTooLarge(description=_(
            "This is more than can be sent at once (at most %(size)s MB). Nothing was saved. If you were "
            "importing a programme, split the file into smaller files.", size=max(1, limit // 1_000_000)))
    if wants_json():
        return _error_response(error)
    # The page's heading is the error's name: in plain words here, not the HTTP status's.
    page = SimpleNamespace(name=_("Too large to send"), description=error.description)
    return render_template("error.html", error=page), 413


def _unstorable_value(error: Exception):
    """The safety net under the schemas: a value that reached the database but does not fit it (a number or a
    date past its range, text it refuses) is the client's mistake, so 400 once the request's work is undone. A
    database that is down or dropped the connection is not: that stays a 500, so a client keeps its changes and
    tries again later."""
    if isinstance(error, (OperationalError, InterfaceError)):
        raise error
    db.session.rollback()
    current_app.logger.warning("A value the database cannot hold: %s %s", request.method, request.path,
                               exc_info=error)
    return _error_response(BadRequest(description=_("Something in this request cannot be stored or looked up. "
                                                    "Check what was entered and try again.")))


def _csrf_error(error: CSRFError):
    if request.endpoint == "auth.login":
        # The sign-in form outlived its session (a phone left on the page): offer it again, email kept.
        return render_template("auth/login.html", email=(request.form.get("email") or "").strip().lower(),
                               next=request.form.get("next", ""),
                               errors={"form": _("The sign-in page had expired. Please enter your password "
                                                 "again.")}), 400
    if wants_json() or request.headers.get("HX-Request"):
        return jsonify(error="csrf", message=_("Your page was open too long. Trying again.")), 400
    return render_template("error.html", error=in_plain_words(error),
                           message=_("This form had expired. Go back, reload the page and send it again: "
                                     "what you typed is still in the form.")), 400


def init_app(app: Flask) -> None:
    login_manager.unauthorized_handler(unauthenticated_response)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.register_error_handler(HTTPException, _error_response)
    for unstorable in (OverflowError, DataError, StatementError):
        app.register_error_handler(unstorable, _unstorable_value)
