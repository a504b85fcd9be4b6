"""The acronyms joint reviews use, and `abbreviate`, the `abbr` template filter that explains them where they
appear.

The list is fixed in code (the guide's and the seeds' words); terms added to the glossary_terms table are shown
too and win over the built-in wording. The filter escapes its text first and only then wraps whole-word,
case-sensitive matches (so "link officer" stays as it is while "LINK" is explained), plurals included ("PCTs").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..extensions import db
from ..models import GlossaryTerm


@dataclass(frozen=True)
class Term:
    abbreviation: str
    expansion: str
    explanation: str = ""


TERMS: tuple[Term, ...] = (
    Term("BSL", _l("British Sign Language"), _l("A need flag of the kind 'sensory support' often names it.")),
    Term("CAMHS", _l("Child and Adolescent Mental Health Services"),
         _l("NHS services for children and young people with emotional or mental health difficulties.")),
    Term("GP", _l("General practitioner"), _l("A family doctor.")),
    Term("ICS", _l("Integrated Children's System"),
         _l("The national framework and case-recording system for children's social care.")),
    Term("LINK", _l("Local Involvement Network"),
         _l("A network of local people and groups that speaks up for users of health and social care.")),
    Term("NHS", _l("National Health Service")),
    Term("OFSTED", _l("Office for Standards in Education, Children's Services and Skills"),
         _l("Inspects services for children in England.")),
    Term("PCT", _l("Primary Care Trust"), _l("A local NHS body that commissioned health services.")),
    Term("RAG", _l("Red, amber, green"), _l("How a concern is rated: red is the most urgent.")),
    Term("SHA", _l("Strategic Health Authority"), _l("A regional NHS body above the Primary Care Trusts.")),
    Term("SMART", _l("Specific, measurable, achievable, relevant and time-bound"),
         _l("A test for whether an improvement plan's goals can be checked.")),
    Term("SSIW", _l("Social Services Inspectorate for Wales"),
         _l("One of the two bodies carrying out a joint review, with the Wales Audit Office.")),
    Term("SWOT", _l("Strengths, weaknesses, opportunities and threats"),
         _l("An analysis a team may prepare as background for a team visit.")),
    Term("WAO", _l("Wales Audit Office"),
         _l("One of the two bodies carrying out a joint review, with the Social Services Inspectorate for Wales.")),
)


def all_terms() -> list[Term]:
    terms = {term.abbreviation: term for term in TERMS}
    for row in db.session.scalars(db.select(GlossaryTerm)):
        terms[row.abbreviation] = Term(row.abbreviation, row.expansion, row.explanation)
    return sorted(terms.values(), key=lambda term: term.abbreviation)


_BUILT_IN = {term.abbreviation: term for term in TERMS}
# How people also write some of them ("CAMHs").
_ALIASES = {"CAMHs": "CAMHS"}
# Longest first, so a longer acronym is never cut short by a shorter one; one pass, so an inserted title is
# never matched again.
_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, [*_BUILT_IN, *_ALIASES]), key=len, reverse=True))
                      + r")(s?)\b")


def abbreviate(text) -> Markup:
    """Escaped `text` with each known acronym in an <abbr title="...">, for screen readers and hover."""
    if text is None:
        return Markup("")

    def replace(match: re.Match) -> str:
        term = _BUILT_IN[_ALIASES.get(match.group(1), match.group(1))]
        return f'<abbr title="{escape(str(term.expansion))}">{match.group(0)}</abbr>'

    return Markup(_PATTERN.sub(replace, str(escape(text))))

