"""The acronyms joint reviews use, and `abbreviate`, the `abbr` template filter that explains them where they
appear.

The list is fixed in code (the guide's and the seeds' words); terms added to the glossary_terms table are shown
too and win over the built-in wording. The filter escapes its text first and only then wraps whole-word,
case-sensitive matches (so "link officer" stays as it is while "LINK" is explained), plurals included ("PCTs").

In Welsh (issue 13) a term is shown by the form Welsh public bodies use (translations/cy/TERMS.md): the Welsh
acronym, where there is one, is data here (`welsh`: AGGCC for SSIW, SAC for WAO, GIG for NHS, IAP for BSL, ...);
the Welsh expansion is the catalogue's translation of the English one, like every other message. The English
acronym is always given beside it, since a Welsh reader meets it in English documents, and the filter explains
both the English and the Welsh acronyms in Welsh text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..extensions import db
from ..models import GlossaryTerm


@dataclass(frozen=True)
class Term:
    abbreviation: str
    expansion: str
    explanation: str = ""
    welsh: str = ""   # the Welsh acronym Welsh public bodies use; "" where Welsh has none of its own

    def shown(self) -> str:
        """The acronym as the reader's language writes it: the Welsh one in Welsh, where there is one."""
        return self.welsh if self.welsh and in_welsh() else self.abbreviation

    def other_forms(self) -> list[str]:
        """The acronyms given beside the shown one: in Welsh, the English acronym (and the Welsh one when the
        English is the one shown in the text); in English, none."""
        if not in_welsh():
            return []
        return [form for form in dict.fromkeys((self.welsh, self.abbreviation)) if form and form != self.shown()]

    def title(self) -> str:
        """What an <abbr> says: the expansion in the reader's language; in Welsh followed by the Welsh and the
        English acronyms ("Gwasanaeth Iechyd Gwladol (GIG, NHS)"), the English one being what documents use."""
        expansion = str(self.expansion)
        if not in_welsh():
            return expansion
        forms = [form for form in dict.fromkeys((self.welsh, self.abbreviation)) if form]
        return f"{expansion} ({', '.join(forms)})"


def in_welsh() -> bool:
    """Whether the text being made is Welsh (the request's language, or a forced one: an email, a feed)."""
    locale = get_locale()
    return locale is not None and locale.language == "cy"


TERMS: tuple[Term, ...] = (
    Term("BSL", _l("British Sign Language"), _l("A need flag of the kind 'sensory support' often names it."),
         welsh="IAP"),
    Term("CIW", _l("Care Inspectorate Wales"),
         _l("The inspectorate of care and social services in Wales that followed the Social Services "
            "Inspectorate for Wales."), welsh="AGC"),
    Term("CAMHS", _l("Child and Adolescent Mental Health Services"),
         _l("NHS services for children and young people with emotional or mental health difficulties.")),
    Term("GP", _l("General practitioner"), _l("A family doctor.")),
    Term("ICS", _l("Integrated Children's System"),
         _l("The national framework and case-recording system for children's social care.")),
    Term("LINK", _l("Local Involvement Network"),
         _l("A network of local people and groups that speaks up for users of health and social care.")),
    Term("NHS", _l("National Health Service"), welsh="GIG"),
    Term("OFSTED", _l("Office for Standards in Education, Children's Services and Skills"),
         _l("Inspects services for children in England.")),
    Term("PCT", _l("Primary Care Trust"), _l("A local NHS body that commissioned health services.")),
    Term("RAG", _l("Red, amber, green"), _l("How a concern is rated: red is the most urgent.")),
    Term("SHA", _l("Strategic Health Authority"), _l("A regional NHS body above the Primary Care Trusts.")),
    Term("SMART", _l("Specific, measurable, achievable, relevant and time-bound"),
         _l("A test for whether an improvement plan's goals can be checked.")),
    Term("SSIW", _l("Social Services Inspectorate for Wales"),
         _l("One of the two bodies carrying out a joint review, with the Wales Audit Office."), welsh="AGGCC"),
    Term("SWOT", _l("Strengths, weaknesses, opportunities and threats"),
         _l("An analysis a team may prepare as background for a team visit.")),
    Term("WAO", _l("Wales Audit Office"),
         _l("One of the two bodies carrying out a joint review, with the Social Services Inspectorate for Wales."),
         welsh="SAC"),
)


def all_terms() -> list[Term]:
    terms = {term.abbreviation: term for term in TERMS}
    for row in db.session.scalars(db.select(GlossaryTerm)):
        terms[row.abbreviation] = Term(row.abbreviation, row.expansion, row.explanation)
    # In the order the reader looks them up: by the acronym as their language writes it.
    return sorted(terms.values(), key=lambda term: (term.shown().casefold(), term.abbreviation))


_BUILT_IN = {term.abbreviation: term for term in TERMS}
# How people also write some of them ("CAMHs").
_ALIASES = {"CAMHs": "CAMHS"}
# In Welsh text the Welsh acronyms are explained too ("GIG" as well as "NHS").
_WELSH = {term.welsh: term.abbreviation for term in TERMS if term.welsh and term.welsh != term.abbreviation}


def _pattern(forms) -> re.Pattern:
    # Longest first, so a longer acronym is never cut short by a shorter one; one pass, so an inserted title is
    # never matched again.
    return re.compile(r"\b(" + "|".join(sorted(map(re.escape, forms), key=len, reverse=True)) + r")(s?)\b")


_PATTERN = _pattern([*_BUILT_IN, *_ALIASES])
_PATTERN_IN_WELSH = _pattern([*_BUILT_IN, *_ALIASES, *_WELSH])


def abbreviate(text) -> Markup:
    """Escaped `text` with each known acronym in an <abbr title="...">, for screen readers and hover."""
    if text is None:
        return Markup("")
    welsh = in_welsh()
    aliases = {**_ALIASES, **_WELSH} if welsh else _ALIASES

    def replace(match: re.Match) -> str:
        term = _BUILT_IN[aliases.get(match.group(1), match.group(1))]
        return f'<abbr title="{escape(term.title())}">{match.group(0)}</abbr>'

    return Markup((_PATTERN_IN_WELSH if welsh else _PATTERN).sub(replace, str(escape(text))))

