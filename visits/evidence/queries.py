"""The one query of the evidence: every note a person may read in a review, narrowed by the filters.

The evidence page (views.py), its exports and a case's pathway all start here, so what each role reads is decided
once: permissions.evidence_scope says whose notes (the lead: the review's; a reviewer or lay assessor: those of
visits they are on the team of; the link officer and the coordinator: none), and that agrees with
permissions.can_read_note for every note (tests/api/test_evidence.py holds the two together).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional, Union

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..extensions import db
from ..models import Case, Location, Note, Review, Theme, User, Visit, VisitKind, note_themes, visit_team
from ..notes.language import NOT_RECORDED
from ..permissions import EVIDENCE_OWN_VISITS_SCOPE, evidence_scope
from .search import SearchTerms, matches, parse_terms

ORDER_NEWEST = "newest"   # the note written or changed last first
ORDER_BY_DAY = "day"      # in the order of the visits, the programme's first day first


@dataclass(frozen=True)
class EvidenceFilters:
    """What the notes are narrowed to; None (or "") leaves that filter out. Values are trusted here: the views
    parse them with evidence/forms.py's EvidenceFilterSchema first."""

    theme_id: Optional[int] = None
    visit_kind: Optional[VisitKind] = None
    case_id: Optional[int] = None
    location_id: Optional[int] = None
    author_id: Optional[int] = None
    day: Optional[date] = None          # the visit's day, in the review's wall-clock time
    text: str = ""                      # plain words and "quoted phrases" (search.parse_terms)
    language: Optional[str] = None      # a ConversationLanguage code, or NOT_RECORDED (notes/language.py)
    active_offer: Optional[str] = None  # "yes", "no" or NOT_RECORDED
    order: str = ORDER_NEWEST

    @property
    def terms(self) -> SearchTerms:
        return parse_terms(self.text)


def readable_notes(viewer: User, review: Union[Review, int], filters: Optional[EvidenceFilters] = None) -> Select:
    """A `select(Note)` of every note of `review` that `viewer` may read, narrowed by `filters`, in the filters'
    order (newest first by default; ties broken by note id, so pages are stable).

    The visit is joined (filter or order on Visit's columns freely) and loaded with each note; author and themes
    are loaded too. Someone who may read no evidence of the review gets a query that finds nothing: check
    permissions.can_read_evidence first to answer 403/404. Run it with `db.session.scalars(...)`; count with
    `select(func.count()).select_from(readable_notes(...).order_by(None).subquery())`. It reads nothing itself:
    the caller audits what it shows (one "read" event listing the note ids)."""
    filters = filters or EvidenceFilters()
    review_id = review if isinstance(review, int) else review.id
    query = (select(Note).join(Visit, Note.visit_id == Visit.id).where(Visit.review_id == review_id)
             .options(contains_eager(Note.visit), joinedload(Note.author), selectinload(Note.themes)))
    scope = evidence_scope(viewer, review_id)
    if scope is None:
        return query.where(false())
    if scope == EVIDENCE_OWN_VISITS_SCOPE:
        query = query.where(Visit.id.in_(select(visit_team.c.visit_id).where(visit_team.c.user_id == viewer.id)))
    if filters.theme_id is not None:
        themed = select(note_themes.c.note_id).where(note_themes.c.theme_id == filters.theme_id)
        query = query.where(Note.id.in_(themed))
    if filters.visit_kind is not None:
        query = query.where(Visit.kind == filters.visit_kind)
    if filters.case_id is not None:
        query = query.where(Visit.case_id == filters.case_id)
    if filters.location_id is not None:
        query = query.where(Visit.location_id == filters.location_id)
    if filters.author_id is not None:
        query = query.where(Note.author_id == filters.author_id)
    if filters.day is not None:
        start = datetime.combine(filters.day, time.min)
        query = query.where(Visit.starts_at >= start, Visit.starts_at < start + timedelta(days=1))
    if filters.language is not None:
        query = query.where(conversation_in(filters.language))
    if filters.active_offer is not None:
        query = query.where(offer_was(filters.active_offer))
    terms = filters.terms
    if terms:
        query = query.where(matches(terms))
    if filters.order == ORDER_BY_DAY:
        return query.order_by(Visit.starts_at, Visit.id, Note.created_at, Note.id)
    return query.order_by(Note.updated_at.desc(), Note.id)


def conversation_in(language: str):
    """Notes whose conversation was held in `language` (a code), or that do not say (NOT_RECORDED)."""
    return Note.language.is_(None) if language == NOT_RECORDED else Note.language == language


def offer_was(answer: str):
    """Notes where the Welsh active offer was made ("yes"), was not ("no"), or is not recorded (NOT_RECORDED)."""
    if answer == NOT_RECORDED:
        return Note.active_offer.is_(None)
    return Note.active_offer.is_(answer == "yes")


def note_text(note: Note) -> str:
    """The words of a note as searched and shown: its body, then each prompt's answer."""
    parts = [note.body or ""]
    parts.extend(_strings(note.prompts or {}))
    return "\n".join(part for part in parts if part)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


# --- the evidence page: one page of hits, and the choices its filters offer ---------------------------------

PER_PAGE = 50


@dataclass(frozen=True)
class EvidencePage:
    notes: list[Note]
    number: int
    count: int        # pages in all (at least 1)
    total: int        # notes matching the filters

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def evidence_page(viewer: User, review: Union[Review, int], filters: EvidenceFilters, number: int = 1,
                  per_page: int = PER_PAGE) -> Optional[EvidencePage]:
    """The page asked for, or None past the last one (the first page always exists, empty or not)."""
    query = readable_notes(viewer, review, filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    count = max(1, -(-total // per_page))
    if number > count:
        return None
    notes = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).unique())
    return EvidencePage(notes, number, count, total)


@dataclass(frozen=True)
class FilterChoices:
    """What the filters offer: only what the viewer's own notes touch (a reviewer is not told of the places, cases
    or people of visits they were not on), plus the review's themes and every kind of visit."""

    themes: list[tuple[int, str]]
    places: list[tuple[int, str]]
    cases: list[tuple[int, str]]
    authors: list[tuple[int, str]]


def filter_choices(viewer: User, review: Union[Review, int]) -> FilterChoices:
    review_id = review if isinstance(review, int) else review.id
    readable = readable_notes(viewer, review_id).order_by(None).subquery()
    visit_ids = select(Visit.id).join(Note, Note.visit_id == Visit.id).where(Note.id.in_(select(readable.c.id)))
    places = db.session.execute(select(Location.id, Location.name).where(
        Location.id.in_(select(Visit.location_id).where(Visit.id.in_(visit_ids)))).order_by(Location.name)).all()
    cases = db.session.execute(select(Case.id, Case.reference).where(
        Case.id.in_(select(Visit.case_id).where(Visit.id.in_(visit_ids)))).order_by(Case.reference)).all()
    authors = db.session.execute(select(User.id, User.name).where(
        User.id.in_(select(readable.c.author_id))).order_by(User.name)).all()
    themes = db.session.execute(select(Theme.id, Theme.name).where(Theme.review_id == review_id)
                                .order_by(Theme.position, Theme.name)).all()
    return FilterChoices([tuple(row) for row in themes], [tuple(row) for row in places],
                         [tuple(row) for row in cases], [tuple(row) for row in authors])
