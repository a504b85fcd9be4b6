"""How a service user, a carer or their home is named to someone who may not know who they are.

Whether a person may know is decided in visits/permissions.py (VisitAccess.identity, sees_identities); this
module only words the answer, once, for every page, export and finding (DESIGN section 2).
"""
from __future__ import annotations

from typing import Optional

from flask import has_request_context, request
from flask_babel import gettext as _

from .vocabulary import PRIVATE_PARTICIPANT_KINDS, label


def person_name(name: str, kind, may_know: bool, case_reference: Optional[str] = None) -> str:
    """A service user or carer without the right to know them: their role and case reference instead."""
    if may_know or kind not in PRIVATE_PARTICIPANT_KINDS:
        return name
    role = label("participant_kind", kind)
    return f"{role} ({case_reference})" if case_reference else role


def private_text(text: Optional[str], about_private_person: bool, may_know: bool,
                 review_id: Optional[int] = None) -> str:
    """Free text written by the team about a service user, a carer or a visit to one (a need's details, a
    visit's briefing) may name them or say where they live: without the right to know them, none of it. Text about
    no one in particular may still name one (a staff interview's briefing "ask why Mrs Jones was discharged"):
    with `review_id`, a text naming one of that review's service users or carers is hidden too, as a title is."""
    if may_know or not text:
        return text or ""
    if about_private_person or (review_id is not None and names_someone(review_id, text)):
        return ""
    return text


def place_name(name: str, is_home: bool, may_know: bool) -> str:
    """Someone's home is part of who they are: without the right to know them, not where they live."""
    return name if may_know or not is_home else _("Service user's home")


# --- a visit's title and agenda (issue 12) ------------------------------------------------------------------
# Typed freely by the link officer, so they may name the person visited ("Home visit – Mrs Jones"): the rule for
# briefings applies. Without the right to know service users, a visit about one is called by its kind and case
# reference, and its agenda's parts by their number; the link officer is warned when a title names one.


def about_private_people(visit) -> bool:
    """A home visit, a visit about a case, or one with a service user or carer: its free text may name them."""
    return visit.is_home_visit or visit.case_id is not None or any(
        attendance.participant.is_private_person for attendance in visit.attendances)


def visit_title(title: str, kind, about_private_person: bool, may_know: bool,
                case_reference: Optional[str] = None) -> str:
    kind_words = str(label("visit_kind", kind))
    if may_know or not about_private_person:
        return title or kind_words
    return _("%(kind)s · %(reference)s", kind=kind_words, reference=case_reference) if case_reference \
        else kind_words


def title_of(visit, may_know: bool) -> str:
    """`visit_title` for a visit model (its attendances, participants and case loaded). A visit not about a
    service user may still be titled after one ("why Mrs Jones was discharged"): called by its kind too."""
    private = not may_know and (about_private_people(visit) or names_someone(visit.review_id, visit.title))
    return visit_title(visit.title, visit.kind, private, may_know, visit.case.reference if visit.case else None)


def agenda_title(title: str, position: int, about_private_person: bool, may_know: bool) -> str:
    if may_know or not about_private_person:
        return title
    return _("Part %(number)s", number=position + 1)


def agenda_title_of(visit, title: str, position: int, may_know: bool) -> str:
    """`agenda_title` for a part of a visit model's agenda: a part naming a service user is numbered instead."""
    private = not may_know and (about_private_people(visit) or names_someone(visit.review_id, title))
    return agenda_title(title, position, private, may_know)


class NamesInTitle:
    """Which service users and carers of a review a title names, as the evidence pack looks for names (in full,
    without a leading title, or title and surname; whole words, any case), so a warning and a redaction agree.
    Built once per form or file from the review's participants."""

    def __init__(self, people):
        from .evidence.exports import Person, Redactor

        self._finders = [(person.name, Redactor([Person(person.name, "\x00")])) for person in people
                         if person.kind in PRIVATE_PARTICIPANT_KINDS]

    def __call__(self, title: str) -> list[str]:
        title = title or ""
        return [name for name, finder in self._finders if finder(title) != title]


# --- finding the review's service users' names in a title, once per request (security review R3) -------------
# A programme of hundreds of visits asks of every title: the matcher (a pattern per service user or carer) is built
# once per review per request. Kept on the request, not on flask.g: an app context (a CLI command, a test) can
# outlive many requests, and participants added meanwhile must be looked for.

_CACHE_KEY = "fieldwork.names_in_title"


def build_names_in_title(review_id: int) -> NamesInTitle:
    from .extensions import db
    from .models import Participant

    return NamesInTitle(db.session.scalars(db.select(Participant).filter_by(review_id=review_id)))


def names_in_title(review_id: int) -> NamesInTitle:
    """The review's `NamesInTitle`, built once per request (outside one, each time)."""
    if not has_request_context():
        return build_names_in_title(review_id)
    cache = request.environ.setdefault(_CACHE_KEY, {})
    if review_id not in cache:
        cache[review_id] = build_names_in_title(review_id)
    return cache[review_id]


def names_someone(review_id: int, title: Optional[str]) -> bool:
    """Whether a title names one of the review's service users or carers."""
    return bool(title) and bool(names_in_title(review_id)(title))
