"""GET /evidence: the notes a person may read in a review, filtered and searched (DESIGN sections 2 and 12).

Parse (forms.EvidenceFilterSchema; a bad value is a 400 page with the message beside its field) → check
(permissions.can_read_evidence through programme.context.review_for: 404 for someone not on the review, 403 for
the link officer and the coordinator) → one page of notes (queries.evidence_page) → one audited read listing the
notes shown → render. Query string: review, q, theme, kind, case, place, author, day, language, offer, order, page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask import abort, current_app, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user, login_required
from markupsafe import Markup
from marshmallow import ValidationError
from werkzeug.routing import BuildError

from .. import audit
from ..extensions import db
from ..models import Note, Review
from ..notes.language import conversation_line, language_filter_choices, offer_filter_choices
from ..permissions import can_read_evidence
from ..programme.context import review_for, reviews_choice
from ..schemas.base import flatten_errors
from ..vocabulary import choices as label_choices
from .blueprint import bp
from .forms import EvidenceFilterSchema
from .queries import EvidenceFilters, evidence_page, filter_choices, note_text
from .search import SearchTerms, excerpt

FILTER_FIELDS = ("q", "theme", "kind", "case", "place", "author", "day", "language", "offer", "order")


@dataclass(frozen=True)
class Hit:
    note: Note
    excerpt: Markup
    case_url: Optional[str]


def case_url(case_id: Optional[int]) -> Optional[str]:
    """The case's pathway (/cases/<id>), when that page is there."""
    if case_id is None or "evidence.case_pathway" not in current_app.view_functions:
        return None
    try:
        return url_for("evidence.case_pathway", case_id=case_id)
    except BuildError:
        return f"/cases/{case_id}"


def _filters(values: dict) -> EvidenceFilters:
    return EvidenceFilters(theme_id=values["theme"], visit_kind=values["kind"], case_id=values["case"],
                           location_id=values["place"], author_id=values["author"], day=values["day"],
                           text=values["q"], order=values["order"], language=values["language"],
                           active_offer=values["offer"])


def _render(review: Review, values: dict, errors: dict, page=None, terms: SearchTerms = SearchTerms(),
            status: int = 200):
    hits = [Hit(note, excerpt(note_text(note), terms), case_url(note.visit.case_id)) for note in page.notes] \
        if page else []
    filtered = any(values.get(name) for name in FILTER_FIELDS if name != "order")
    return render_template(
        "evidence/index.html", review=review, reviews=reviews_choice(can_read_evidence), values=values,
        errors=errors, page=page, hits=hits, choices=filter_choices(current_user, review), filtered=filtered,
        kinds=label_choices("visit_kind"), format_date=format_date, languages=language_filter_choices(),
        offers=offer_filter_choices(), conversation_line=conversation_line,
        unfolded=bool(errors) or any(values.get(name) for name in FILTER_FIELDS if name not in ("q", "order")),
    ), status


@bp.get("/evidence")
@login_required
def index():
    review = review_for(can_read_evidence)
    typed = {key: value for key, value in request.args.items() if key in FILTER_FIELDS + ("page",)}
    try:
        # An empty filter field means "any": leave it out rather than fail to read it.
        values = EvidenceFilterSchema().load({key: value for key, value in request.args.items() if value.strip()})
    except ValidationError as error:
        return _render(review, typed, flatten_errors(error.messages), status=400)
    filters = _filters(values)
    page = evidence_page(current_user, review, filters, values["page"])
    if page is None:
        abort(404)
    if page.notes:
        # One read of the notes shown: their ids, never their words nor what was searched for.
        audit.record(current_user, "read", "evidence", review.id, review.id, view="evidence",
                     note_ids=[note.id for note in page.notes], page=page.number, searched=bool(filters.terms))
    response = _render(review, typed, {}, page, filters.terms)
    db.session.commit()  # after rendering: committing first would expire the notes and load each one again
    return response
