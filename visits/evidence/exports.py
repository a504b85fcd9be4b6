"""The evidence pack for writing the report (DESIGN section 12): `/evidence/export.docx` and `/evidence/export.csv`.

What goes in is decided elsewhere: queries.readable_notes gives the notes the person may read, with the evidence
page's filters. This module words them for a reader outside the review team, and one rule matters most here:
service users and carers are named by their case reference only, unless the lead reviewer asks for names
(permissions.can_name_service_users_in_export). By default the pack

- never lists who a visit was with (no participant list at all, names or not);
- titles a visit about a service user (a home visit, a visit with a case set, or one a service user or carer was
  booked on) by its kind and case reference ("Home visit · AD-014"), since titles such as "Home visit: Mrs Jones"
  are common;
- replaces, in every title, note text and prompt answer, each service user's and carer's name of the review as
  written in full, without its title ("Mrs", "Mr", ...) and as title and surname, with "Service user (AD-014)"
  (visits/identity.person_name's words). Free text can still hold a nickname or a first name alone: the pack
  says so on its first page, for whoever shares it.

Pure functions over plain values (EvidenceItem, Person): the routes in export_views.py load, audit and send.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Optional, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# The same guard as the programme's export (visits/programme/importer.py, OWASP): a cell a spreadsheet would read
# as a formula is prefixed with ' so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Honorifics that may stand before a name in the setup's list of people and in what the team wrote.
TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "lady", "lord")

# Characters XML 1.0 cannot hold (a .docx is XML): C0 controls but tab, newline and carriage return.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# The spreadsheet's header row, in the reader's language (issue 13: everything that leaves the app is in the
# person's language): lazy, so each export translates them for its own request.
CSV_HEADINGS = (_l("Note id"), _l("Visit id"), _l("Date"), _l("Time"), _l("Kind of visit"), _l("Visit"),
                _l("Written by"), _l("Themes"), _l("Text"), _l("Headings"), _l("Language of the conversation"),
                _l("Welsh active offer made"))


def csv_headings() -> list[str]:
    return [str(heading) for heading in CSV_HEADINGS]


@dataclass(frozen=True)
class Person:
    """A service user or carer of the review, and the words that stand for them in an export without names."""

    name: str
    stand_in: str           # e.g. "Service user (AD-014)"


@dataclass(frozen=True)
class EvidenceItem:
    """One note as the pack cites it, already worded for the chosen naming (see `word_item`)."""

    note_id: str
    visit_id: int
    starts_at: datetime     # the visit's start, wall-clock time of the review
    visit_kind: str         # words, e.g. "Home visit"
    visit_title: str
    author: str
    themes: tuple[str, ...]
    body: str
    prompts: tuple[tuple[str, str], ...]   # (heading, answer) in the order shown on the phone
    consent_withdrawn: bool = False
    # Issue 13, in words (visits/notes/language.py): the conversation's language and whether the Welsh active
    # offer was made ("" when not recorded), and the line the Word pack gives them ("" when neither is).
    language: str = ""
    active_offer: str = ""
    conversation: str = ""


# --- naming ------------------------------------------------------------------------------------------------


def name_variants(name: str) -> list[str]:
    """The ways a person's name is likely written in a note: in full, without a leading title, and (when it has
    one) title and surname. "Mrs Gwen Jones" -> ["Mrs Gwen Jones", "Gwen Jones", "Mrs Jones"]. A name of one
    word, with or without a title, is looked for as the setup holds it."""
    words = name.split()
    if not words:
        return []
    variants = [" ".join(words)]
    # A title and one word ("Mr May") is looked for as written only: "May" alone is too often another word.
    if words[0].rstrip(".").lower() in TITLES and len(words) > 2:
        variants.append(" ".join(words[1:]))
        variants.append(f"{words[0]} {words[-1]}")
    return list(dict.fromkeys(variant for variant in variants if len(variant) > 1))


class Redactor:
    """Replaces service users' and carers' names in free text by their stand-ins. Matching ignores case and
    spacing between words, and only takes whole words ("Jones" inside "Jonesborough" is left alone); the longest
    form wins where two overlap. With `names_shown`, text passes unchanged."""

    def __init__(self, people: Iterable[Person], names_shown: bool = False):
        self.names_shown = names_shown
        stand_ins: dict[str, str] = {}
        for person in people:
            for variant in name_variants(person.name):
                stand_ins.setdefault(_key(variant), person.stand_in)
        self._stand_ins = stand_ins
        forms = sorted(stand_ins, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<!\w)(" + "|".join(r"\s+".join(map(re.escape, form.split())) for form in forms) + r")(?!\w)",
            re.IGNORECASE) if forms and not names_shown else None

    def __call__(self, text: Optional[str]) -> str:
        text = text or ""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self._stand_ins[_key(match.group(0))], text)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def visit_title(title: str, kind_words: str, case_reference: Optional[str], about_private_people: bool,
                redact: Redactor) -> str:
    """A visit's title in the pack: as written when names are shown; otherwise a visit about a service user is
    called by its kind and case reference, and any other title loses the names it holds."""
    if redact.names_shown:
        return title or kind_words
    if about_private_people:
        return f"{kind_words} · {case_reference}" if case_reference else kind_words
    return redact(title) or kind_words


def word_item(*, note_id: str, visit_id: int, starts_at: datetime, visit_kind: str, title: str,
              case_reference: Optional[str], about_private_people: bool, author: str, themes: Sequence[str],
              body: str, prompts: Sequence[tuple[str, str]], consent_withdrawn: bool,
              redact: Redactor, language: str = "", active_offer: str = "", conversation: str = "") -> EvidenceItem:
    """One note worded for the pack: the title by `visit_title`, every piece of free text through `redact`."""
    return EvidenceItem(
        note_id=note_id, visit_id=visit_id, starts_at=starts_at, visit_kind=visit_kind,
        visit_title=visit_title(title, visit_kind, case_reference, about_private_people, redact),
        author=author, themes=tuple(themes), body=redact(body),
        prompts=tuple((heading, redact(answer)) for heading, answer in prompts),
        consent_withdrawn=consent_withdrawn, language=language, active_offer=active_offer,
        conversation=conversation,
    )


# --- grouping ------------------------------------------------------------------------------------------------


def group_by_theme(items: Iterable[EvidenceItem], theme_order: Sequence[str],
                   no_theme: str) -> list[tuple[str, list[EvidenceItem]]]:
    """The pack's sections: one per theme in the review's order (then any other theme a note carries, by name),
    each holding its notes in the order given; a note with two themes is in both; notes without one come last
    under `no_theme`. Themes no note carries are left out."""
    groups: dict[str, list[EvidenceItem]] = {}
    unthemed: list[EvidenceItem] = []
    for item in items:
        if not item.themes:
            unthemed.append(item)
        for theme in item.themes:
            groups.setdefault(theme, []).append(item)
    ordered = [theme for theme in theme_order if theme in groups]
    ordered += sorted(theme for theme in groups if theme not in theme_order)
    sections = [(theme, groups[theme]) for theme in ordered]
    if unthemed:
        sections.append((no_theme, unthemed))
    return sections


# --- CSV ---------------------------------------------------------------------------------------------------


def neutralise(cell: str) -> str:
    """A cell that a spreadsheet would run as a formula (= + - @, or a tab or carriage return first) stays text."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_text(items: Iterable[EvidenceItem]) -> str:
    """One row per note, UTF-8 with a byte-order mark so Excel reads Welsh and accented text; prompts are one
    cell, a "Heading: answer" line each; themes are separated by "; "."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(heading) for heading in csv_headings()])
    for item in items:
        row = (item.note_id, str(item.visit_id), item.starts_at.date().isoformat(), item.starts_at.strftime("%H:%M"),
               item.visit_kind, item.visit_title, item.author, "; ".join(item.themes), item.body,
               "\n".join(f"{heading}: {answer}" for heading, answer in item.prompts), item.language,
               item.active_offer)
        writer.writerow([neutralise(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


# --- Word ------------------------------------------------------------------------------------------------


def xml_safe(text: str) -> str:
    """Text a .docx can hold: control characters a phone keyboard or a paste may bring are dropped."""
    return _NOT_IN_XML.sub("", text or "")


@dataclass(frozen=True)
class PackCover:
    """What the first page says about the pack."""

    council_name: str
    made_at: datetime        # in the review's time zone
    made_by: str
    filters: str             # the filters in words, "" for none
    names_shown: bool
    note_count: int


def docx_bytes(cover: PackCover, sections: Sequence[tuple[str, Sequence[EvidenceItem]]],
               format_date) -> bytes:
    """The evidence pack as a Word document: a cover paragraph, then a heading per theme and, under it, each note
    with the visit, date, kind and author it is cited by, its text and its prompts' answers, and its themes.
    `format_date(datetime) -> str` words a date in the reader's language."""
    from docx import Document  # imported here: only an export needs it

    document = Document()
    properties = document.core_properties
    properties.title = xml_safe(_("Evidence pack: %(council)s", council=cover.council_name))
    properties.author = "Fieldwork"
    properties.last_modified_by = "Fieldwork"
    properties.comments = ""
    # Word keeps these in UTC (python-docx writes a naive datetime as UTC).
    properties.created = properties.modified = cover.made_at.astimezone(timezone.utc).replace(tzinfo=None)

    document.add_heading(properties.title, level=0)
    document.add_paragraph(xml_safe(_("Made on %(when)s by %(who)s. %(count)s notes.",
                                       when=format_date(cover.made_at), who=cover.made_by, count=cover.note_count)))
    if cover.filters:
        document.add_paragraph(xml_safe(_("Filtered by: %(filters)s", filters=cover.filters)))
    if cover.names_shown:
        document.add_paragraph(_("This pack names service users and carers, as the lead reviewer asked. Keep it "
                                 "within the review team."))
    else:
        document.add_paragraph(_("Service users and carers are named by their case reference. Their names were "
                                 "taken out of titles and notes where written in full or as title and surname; "
                                 "read the text for other ways of naming someone before sharing it."))
    if not sections:
        document.add_paragraph(_("No notes match."))

    for theme, items in sections:
        document.add_heading(xml_safe(theme), level=1)
        for item in items:
            document.add_heading(xml_safe(item.visit_title), level=2)
            citation = " · ".join((format_date(item.starts_at), item.visit_kind, item.author))
            document.add_paragraph().add_run(xml_safe(citation)).italic = True
            if item.consent_withdrawn:
                document.add_paragraph(_("Written before someone on this visit withdrew consent; kept as the "
                                         "team's record."))
            if item.conversation:
                document.add_paragraph(xml_safe(item.conversation))
            for heading, answer in item.prompts:
                paragraph = document.add_paragraph()
                paragraph.add_run(xml_safe(heading) + ": ").bold = True
                paragraph.add_run(xml_safe(answer))
            if item.body and item.prompts:
                paragraph = document.add_paragraph()
                paragraph.add_run(_("Anything else") + ": ").bold = True
                paragraph.add_run(xml_safe(item.body))
            elif item.body:
                document.add_paragraph(xml_safe(item.body))
            if item.themes:
                document.add_paragraph(xml_safe(_("Themes: %(themes)s", themes=", ".join(item.themes))))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
