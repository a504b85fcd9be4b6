"""The evidence pack and a case's pathway (DESIGN sections 2 and 12):

- GET /evidence/export        evidence.export_options: what the pack will hold, the format, and (for the lead) the
                              tick that names service users; the evidence page's filters ride along in the URL
- GET /evidence/export.docx   the pack as a Word document, grouped by theme (docx_bytes)
- GET /evidence/export.csv    one row per note (csv_text)
- GET /cases/<id>             evidence.case_pathway: the case's visits and the notes the viewer may read on each

Parse (forms.ExportSchema: the evidence page's filters and `names`; a bad value answers the options page again with
the message beside its field, 400) → check (can_read_evidence through review_for: 404 off the review, 403 for the
link officer and the coordinator; naming service users: permissions.can_name_service_users_in_export) → the notes
(queries.readable_notes, the one query) → one audited read listing every note it holds → send, never cached.
"""
from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError, fields
from sqlalchemy import select
from sqlalchemy.orm import defaultload, selectinload

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..identity import person_name, place_name
from ..itinerary.presenters import _about_private_people as about_private_people
from ..models import Attendance, Case, Location, Note, Participant, Review, Theme, User, Visit
from ..notes.language import NOT_RECORDED, conversation_line, language_words, offer_words
from ..notes.prompts import answered
from ..permissions import (
    can_name_service_users_in_export, can_read_case_pathway, can_read_evidence, sees_identities,
)
from ..programme.context import review_for
from ..schemas.base import flatten_errors
from ..vocabulary import PRIVATE_PARTICIPANT_KINDS, label
from .exports import (
    EvidenceItem, PackCover, Person, Redactor, csv_text, docx_bytes, group_by_theme, word_item,
)
from .blueprint import bp
from .forms import EvidenceFilterSchema
from .pathway import build_pathway, case_visits
from .queries import ORDER_BY_DAY, filter_choices, readable_notes
from .views import FILTER_FIELDS, _filters

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A review holds a few hundred notes, a big one a few thousand: past this the pack is refused with a message to
# narrow it (the filters), rather than building a document nobody can open on a phone.
MAX_EXPORT_NOTES = 10_000
# A note may hold 50,000 characters: 10,000 long notes would be a document built in memory of half a gigabyte.
# The pack's text is bounded too (about 3,000 pages), checked in the database before any note is loaded.
MAX_EXPORT_CHARS = 8_000_000


class ExportSchema(EvidenceFilterSchema):
    """The evidence page's query string, plus `names`: the lead's tick to name service users and carers."""

    names = fields.Boolean(load_default=False)


def _parse():
    """The review, the filters and the naming choice asked for; a bad value answers the options page (400)."""
    review = review_for(can_read_evidence)
    typed = {key: value for key, value in request.args.items() if key in FILTER_FIELDS + ("names",)}
    try:
        values = ExportSchema().load({key: value for key, value in request.args.items() if value.strip()})
    except ValidationError as error:
        abort(_options_page(review, typed, flatten_errors(error.messages), status=400))
    if values["names"] and not can_name_service_users_in_export(current_user, review.id):
        abort(403)
    filters = _filters({**values, "order": ORDER_BY_DAY})  # a pack reads in the programme's order
    return review, values, filters


def _people(review: Review) -> list[Person]:
    """Every service user and carer of the review with the words that stand for them (their case's reference)."""
    references: dict[int, str] = {}
    for case in db.session.scalars(select(Case).where(Case.review_id == review.id).order_by(Case.id)):
        for person_id in (case.service_user_id, case.carer_id):
            if person_id is not None:
                references.setdefault(person_id, case.reference)
    people = db.session.scalars(select(Participant).where(Participant.review_id == review.id,
                                                          Participant.kind.in_(PRIVATE_PARTICIPANT_KINDS)))
    return [Person(person.name, person_name(person.name, person.kind, False, references.get(person.id)))
            for person in people]


def _filter_words(review: Review, values: dict, redact: Redactor) -> str:
    """The filters in words for the pack's first page; a home's name goes through `redact` too. A place, case or
    author is named only when it is among the viewer's own filter choices: ids are the client's, and walking them
    must not reveal the names of places (homes) or cases the viewer may not know."""
    words = []
    choices = filter_choices(current_user, review)
    known_places = {row[0] for row in choices.places}
    known_cases = {row[0] for row in choices.cases}
    known_authors = {row[0] for row in choices.authors}
    if values.get("q"):
        # A search is often a surname alone, which `redact` does not take out: without names, not its words.
        words.append(_("search “%(text)s”", text=values["q"]) if redact.names_shown else _("a text search"))
    if values.get("theme") is not None:
        theme = db.session.get(Theme, values["theme"])
        words.append(_("theme %(name)s", name=theme.name) if theme and theme.review_id == review.id else "")
    if values.get("kind"):
        words.append(label("visit_kind", values["kind"]))
    if values.get("case") is not None:
        case = db.session.get(Case, values["case"])
        words.append(_("case %(reference)s", reference=case.reference) if case and case.id in known_cases
                     else _("a case"))
    if values.get("place") is not None:
        place = db.session.get(Location, values["place"])
        if place is not None and place.id in known_places:
            words.append(redact(place_name(place.name, place.is_home, redact.names_shown)))
        else:
            words.append(_("a place"))
    if values.get("author") is not None:
        author = db.session.get(User, values["author"])
        if author is not None and author.id in known_authors:
            words.append(_("written by %(name)s", name=author.name))
        else:
            words.append(_("written by someone else"))
    if values.get("day") is not None:
        words.append(format_date(values["day"], "EEEE d MMMM yyyy"))
    if values.get("language") is not None:
        words.append(_("language of the conversation: %(language)s",
                       language=language_words(None if values["language"] == NOT_RECORDED else values["language"])))
    if values.get("offer") is not None:
        words.append(_("Welsh active offer made: %(answer)s", answer=offer_words(
            None if values["offer"] == NOT_RECORDED else values["offer"] == "yes")))
    return "; ".join(word for word in words if word)


def _when(moment: datetime) -> str:
    return f"{format_date(moment.date(), 'EEE d MMM yyyy')} {moment.strftime('%H:%M')}"


def _items(notes, redact: Redactor) -> list[EvidenceItem]:
    return [word_item(
        note_id=note.id, visit_id=note.visit_id, starts_at=note.visit.starts_at,
        visit_kind=label("visit_kind", note.visit.kind), title=note.visit.title,
        case_reference=note.visit.case.reference if note.visit.case else None,
        about_private_people=about_private_people(note.visit), author=note.author.name,
        themes=[theme.name for theme in note.themes], body=note.body,
        prompts=[(label("prompt", key), text) for key, text in answered(note.kind, note.prompts)],
        consent_withdrawn=note.consent_withdrawn, redact=redact,
        language=language_words(note.language) if note.language else "",
        active_offer=offer_words(note.active_offer) if note.active_offer is not None else "",
        conversation=conversation_line(note.language, note.active_offer)) for note in notes]


def _pack(fmt: str):
    """The notes asked for, worded for the chosen naming, and the audited read of each of them."""
    review, values, filters = _parse()
    # What a pack's title needs of each visit (its case, who was booked), loaded for all notes at once.
    query = readable_notes(current_user, review, filters).options(
        defaultload(Note.visit).selectinload(Visit.case),
        defaultload(Note.visit).selectinload(Visit.attendances).selectinload(Attendance.participant))
    matching = readable_notes(current_user, review, filters).order_by(None).subquery()
    size = db.session.scalar(select(db.func.coalesce(db.func.sum(
        db.func.length(Note.body) + db.func.length(db.func.coalesce(db.cast(Note.prompts, db.Text), ""))), 0))
        .where(Note.id.in_(select(matching.c.id))))
    notes = [] if size > MAX_EXPORT_CHARS else list(db.session.scalars(query.limit(MAX_EXPORT_NOTES + 1)).unique())
    if size > MAX_EXPORT_CHARS or len(notes) > MAX_EXPORT_NOTES:
        message = _("More than %(max)s notes match, or more text than one pack can hold: narrow the pack with the "
                    "filters.", max=MAX_EXPORT_NOTES)
        abort(_options_page(review, {k: v for k, v in request.args.items() if k in FILTER_FIELDS + ("names",)},
                            {"form": [message]}, status=400))
    names_shown = bool(values["names"])
    redact = Redactor(_people(review), names_shown=names_shown)
    items = _items(notes, redact)
    # One read of every note the file holds: their ids and how service users were named, never their words nor
    # what was searched for (a search may be someone's name).
    subject = "evidence_pack_named" if names_shown else "evidence_pack"  # the log's list says which
    audit.record(current_user, "read", subject, review.id, review.id, view=f"export.{fmt}",
                 note_ids=[item.note_id for item in items], names_service_users=names_shown,
                 filtered=sorted(name for name in FILTER_FIELDS if name != "order" and values.get(name)))
    return review, values, items, redact


def _download(body, mimetype: str, filename: str):
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/evidence/export.docx")
@login_required
def export_docx():
    review, values, items, redact = _pack("docx")
    themes = [theme.name for theme in db.session.scalars(
        select(Theme).where(Theme.review_id == review.id).order_by(Theme.position, Theme.name))]
    cover = PackCover(
        council_name=review.council_name, made_at=utcnow().astimezone(review.tz), made_by=current_user.name,
        filters=_filter_words(review, values, redact), names_shown=redact.names_shown, note_count=len(items))
    body = docx_bytes(cover, group_by_theme(items, themes, _("No theme")), _when)
    db.session.commit()
    return _download(body, DOCX_MIMETYPE, f"evidence-{review.id}.docx")


@bp.get("/evidence/export.csv")
@login_required
def export_csv():
    review, _values, items, _redact = _pack("csv")
    body = csv_text(items)
    db.session.commit()
    return _download(body.encode("utf-8"), "text/csv", f"evidence-{review.id}.csv")


def _options_page(review: Review, values: dict, errors: dict, status: int = 200):
    """The export's options: how many notes the pack holds with these filters, the format, the naming tick."""
    count = None
    filters_words = ""
    if not errors:
        parsed = ExportSchema().load({key: value for key, value in values.items() if value.strip()})
        filters = _filters({**parsed, "order": ORDER_BY_DAY})
        count = db.session.scalar(select(db.func.count()).select_from(
            readable_notes(current_user, review, filters).order_by(None).subquery()))
        names_shown = can_name_service_users_in_export(current_user, review.id)
        filters_words = _filter_words(review, parsed, Redactor([], names_shown=names_shown))
    carried = {key: value for key, value in values.items() if key in FILTER_FIELDS and value.strip()}
    return current_app.make_response((render_template(
        "evidence/export_options.html", review=review, values=values, errors=errors, count=count,
        carried=carried, filters_words=filters_words, max_notes=MAX_EXPORT_NOTES,
        may_name=can_name_service_users_in_export(current_user, review.id)), status))


@bp.get("/evidence/export")
@login_required
def export_options():
    review = review_for(can_read_evidence)
    typed = {key: value for key, value in request.args.items() if key in FILTER_FIELDS + ("names",)}
    try:
        ExportSchema().load({key: value for key, value in typed.items() if value.strip()})
    except ValidationError as error:
        return _options_page(review, typed, flatten_errors(error.messages), status=400)
    return _options_page(review, typed, {})


# --- a case's pathway ----------------------------------------------------------------------------------------


@bp.get("/cases/<int:case_id>")
@login_required
def case_pathway(case_id: int):
    case = db.session.get(Case, case_id, options=[selectinload(Case.social_workers)])
    if case is None or current_user.role_in(case.review_id) is None:
        abort(404)
    visits = case_visits(case)
    if not can_read_case_pathway(current_user, case.review_id, [visit for visit, _why in visits]):
        abort(403)
    review = db.session.get(Review, case.review_id)
    redact = Redactor(_people(review), names_shown=sees_identities(current_user, case.review_id))
    pathway = build_pathway(case, current_user, visits, redact)
    # One read: the notes shown, by id, and whether the service user was named.
    audit.record(current_user, "read", "case", case.id, case.review_id, view="pathway", note_ids=pathway.note_ids,
                 names_service_users=pathway.names_shown)
    response = current_app.make_response(render_template("evidence/pathway.html", pathway=pathway))
    db.session.commit()
    return response


def pathway_link(visit_id: int):
    """For the visit page: the URL of the case's pathway when the visit has a case and the viewer may read it."""
    from flask import url_for

    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.case_id is None or not current_user.is_authenticated:
        return None
    if not can_read_case_pathway(current_user, visit.review_id, [visit]):
        return None
    return url_for("evidence.case_pathway", case_id=visit.case_id)


@bp.app_context_processor
def _pathway_link_global():
    return {"case_pathway_link": pathway_link}
