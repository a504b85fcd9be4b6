"""The Welsh catalogue as tests see it (issue 13): the messages the code marks, extracted as `make messages` does;
the Welsh entries checked against them; a "pseudo-Welsh" catalogue (every message = a marker + its English) an
app can be pointed at, to find text that never goes through gettext; and `english_left`, the rendered text that is
still an English message of the catalogue.

Plain functions: tests/i18n/ checks the catalogue with them, tests/browser/test_welsh_pages.py the pages."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from html.parser import HTMLParser
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
WELSH_PO = ROOT / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
# The Makefile's `messages` target, word for word (keep them alike).
EXTRACT_ARGS = ["-F", "babel.cfg", "-k", "_l", "-k", "N_", "-k", "plural_forms:1,2", "--no-location",
                "--sort-output"]
HOW_TO_FIX = "run `make messages` and translate them (README, Welsh)"

# Put before every run of text of a pseudo-Welsh message (after each HTML tag too, so a link inside a message is
# marked as well): the text of a page that lacks it never went through the catalogue.
MARKER = "Ŵ·"


# --- The messages ------------------------------------------------------------------------------------------------


def extract_messages(folder: Path) -> Catalog:
    """Every message the code marks, extracted in this process exactly as `make messages` does (into `folder`)."""
    pot = Path(folder) / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", *EXTRACT_ARGS, "-o", str(pot), str(ROOT)])
    with pot.open("rb") as stream:
        return read_po(stream)


def read_catalogue(path: Path = WELSH_PO) -> Catalog:
    with Path(path).open("rb") as stream:
        return read_po(stream, locale="cy")


def message_key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, (tuple, list)) else message.id


def english_forms(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]


def welsh_forms(message: Message) -> list[str]:
    if isinstance(message.string, (tuple, list)):
        return list(message.string)
    return [message.string or ""]


# Named placeholders: %(name)s and {name}; HTML tags by name (a link keeps being a link).
_NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{(\w+)\}")
_POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifr]")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>")


def placeholders(text: str) -> set[str]:
    found = {f"%({a})" if a else f"{{{b}}}" for a, b in _NAMED.findall(text)}
    found |= {f"<{slash}{name.lower()}>" for slash, name in _TAG.findall(text)}
    return found


def positional_count(text: str) -> int:
    return len(_POSITIONAL.findall(_NAMED.sub("", text.replace("%%", ""))))


@dataclass
class Problems:
    """What stands between the Welsh catalogue and a complete one; empty lists when there is nothing."""
    missing: list[str]          # extracted msgids with no Welsh entry at all
    fuzzy: list[str]
    empty: list[str]            # an entry with at least one empty form
    wrong_plural_count: list[str]
    placeholders: list[str]     # "msgid: what is wrong"
    plural_forms_header: str    # "" when the header is Babel's for cy
    translated: int
    total: int

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.translated * 100 // self.total

    def report(self) -> str:
        lines = []
        for title, msgids in (("Messages with no Welsh entry", self.missing), ("Fuzzy entries", self.fuzzy),
                              ("Entries with an empty Welsh form", self.empty),
                              ("Plural entries without six forms", self.wrong_plural_count),
                              ("Placeholders the Welsh changes", self.placeholders)):
            if msgids:
                lines.append(f"{title} ({len(msgids)}):")
                lines += [f"  {msgid!r}" for msgid in msgids[:200]]
                if len(msgids) > 200:
                    lines.append(f"  ... and {len(msgids) - 200} more")
        if self.plural_forms_header:
            lines.append(self.plural_forms_header)
        lines.append(f"{self.translated} of {self.total} messages translated ({self.percent} %): {HOW_TO_FIX}.")
        return "\n".join(lines)

    def __repr__(self) -> str:  # pytest shows the object beside report(): keep it to the counts
        return (f"Problems({len(self.missing)} missing, {len(self.fuzzy)} fuzzy, {len(self.empty)} empty, "
                f"{self.translated}/{self.total} translated)")

    def __bool__(self) -> bool:
        return bool(self.missing or self.fuzzy or self.empty or self.wrong_plural_count or self.placeholders
                    or self.plural_forms_header or self.translated < self.total)


def check_catalogue(extracted: Catalog, welsh: Catalog) -> Problems:
    """The Welsh catalogue against the messages the code marks: every msgid present, not fuzzy, every form
    filled (six for a plural), placeholders kept, and the header's plural rule Babel's for Welsh."""
    nplurals = Catalog(locale="cy").num_plurals
    missing, fuzzy, empty, wrong_count, changed = [], [], [], [], []
    translated = total = 0
    for message in extracted:
        if not message.id:
            continue
        total += 1
        key = message_key(message)
        entry = welsh.get(message.id)
        if entry is None:
            missing.append(key)
            continue
        forms = welsh_forms(entry)
        complete = True
        if entry.fuzzy:
            fuzzy.append(key)
            complete = False
        if message.pluralizable and len(forms) != nplurals:
            wrong_count.append(key)
            complete = False
        if not all(form.strip() for form in forms):
            empty.append(key)
            complete = False
        else:
            changed += _placeholder_problems(message, forms)
        translated += complete
    expected = Catalog(locale="cy").plural_forms
    header = dict(welsh.mime_headers).get("Plural-Forms", "")
    header_problem = "" if _same_rule(header, expected) else (
        f"The catalogue's Plural-Forms is {header!r}; Babel's for cy is {expected!r}")
    return Problems(missing, fuzzy, empty, wrong_count, changed, header_problem, translated, total)


def _same_rule(header: str, expected: str) -> bool:
    return re.sub(r"[\s;]", "", header) == re.sub(r"[\s;]", "", expected)


def _placeholder_problems(message: Message, forms: list[str]) -> list[str]:
    english = english_forms(message)
    allowed = set().union(*(placeholders(text) for text in english))
    problems = []
    for form in forms:
        extra = placeholders(form) - allowed
        if extra:
            problems.append(f"{message_key(message)!r}: the Welsh has {sorted(extra)} the English lacks")
    if not message.pluralizable:
        lost = placeholders(english[0]) - placeholders(forms[0])
        if lost:
            problems.append(f"{message_key(message)!r}: the Welsh drops {sorted(lost)}")
        if positional_count(english[0]) != positional_count(forms[0]):
            problems.append(f"{message_key(message)!r}: the Welsh has a different number of %s/%d")
    return problems


def with_welsh(extracted: Catalog, welsh: Catalog) -> Catalog:
    """The messages the code marks today, each with its Welsh from the catalogue ("" where it has none yet): what
    a page can show, so a message added since the catalogue was last updated is looked for too."""
    merged = Catalog(locale="cy")
    for message in extracted:
        if not message.id:
            continue
        entry = welsh.get(message.id)
        string = entry.string if entry is not None and not entry.fuzzy else (
            ("",) * merged.num_plurals if message.pluralizable else "")
        merged.add(message.id, string, context=message.context)
    return merged


# --- Pseudo-Welsh ------------------------------------------------------------------------------------------------


def pseudo(text: str) -> str:
    """The marker before every run of text (at the start and after each tag), the rest unchanged."""
    if not text:
        return text
    marked = re.sub(r"(>)(?=[^<\s])", r"\1" + MARKER, text)
    return MARKER + marked


def pseudo_catalogue(extracted: Catalog) -> Catalog:
    """A complete Welsh catalogue whose every form is the marker + the English (form 1, Welsh's "one", the
    singular; the others the plural)."""
    catalogue = Catalog(locale="cy")
    nplurals = catalogue.num_plurals
    for message in extracted:
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id[0], message.id[1]
            string = tuple(pseudo(singular if index == 1 else plural) for index in range(nplurals))
        else:
            string = pseudo(message.id)
        catalogue.add(message.id, string, flags=message.flags, context=message.context)
    return catalogue


def write_translations(folder: Path, catalogue: Catalog) -> Path:
    """`folder`/cy/LC_MESSAGES/messages.po and .mo: a translations directory for BABEL_TRANSLATION_DIRECTORIES."""
    messages = Path(folder) / "cy" / "LC_MESSAGES"
    messages.mkdir(parents=True, exist_ok=True)
    with (messages / "messages.po").open("wb") as stream:
        write_po(stream, catalogue)
    with (messages / "messages.mo").open("wb") as stream:
        write_mo(stream, catalogue)
    return Path(folder).resolve()


@contextmanager
def fresh_translations():
    """Flask-Babel keeps loaded catalogues on its one Babel object, keyed by locale alone: shared by every app of
    the process. Forget them before and after, so an app pointed at another translations directory reads its own,
    and the next app (the real catalogue) does not inherit the pseudo one."""
    from visits.extensions import babel

    def forget():
        domain = babel.__dict__.get("domain_instance")  # a cached_property, made on first use
        if domain is not None:
            domain.cache.clear()

    forget()
    try:
        yield
    finally:
        forget()


def write_pseudo_translations(folder: Path) -> Path:
    """A translations directory in `folder` holding the pseudo-Welsh catalogue of every message marked today."""
    folder = Path(folder)
    return write_translations(folder / "translations", pseudo_catalogue(extract_messages(folder)))


@contextmanager
def app_with_welsh(folder: Path, welsh: dict[str, str]):
    """An app on SQLite in `folder` whose Welsh catalogue holds only `welsh` (English -> Welsh): a test of where
    translations reach that does not depend on the wording of the real catalogue."""
    from .apps import sqlite_app

    catalogue = Catalog(locale="cy")
    for english, text in welsh.items():
        catalogue.add(english, text)
    directory = write_translations(Path(folder) / "translations", catalogue)
    with fresh_translations(), sqlite_app(folder, BABEL_TRANSLATION_DIRECTORIES=str(directory)) as app:
        yield app


# --- What a page shows -------------------------------------------------------------------------------------------

# Every piece of text a person meets on the page: text nodes (even in folded or hidden parts the scripts show),
# the title, aria-label/title/placeholder/alt, the value of input buttons, and the strings in JSON blocks the
# scripts read (#ui-strings and the like; not their codes and URLs). Skipped: scripts' code, styles, literal
# code (<code>, <kbd>, <samp>: a CSV column's name), and anything marked as another language (lang="en" on
# "English" in the language switch) or as not for translation (translate="no").
PAGE_TEXTS_SCRIPT = r"""() => {
  const pageLang = document.documentElement.lang;
  const found = [];
  const skipped = (element) => {
    if (!element) return false;
    if (element.closest('script, style, template, noscript, code, kbd, samp, [translate="no"]')) return true;
    const langHolder = element.closest('[lang]');
    return langHolder && langHolder !== document.documentElement && langHolder.lang !== pageLang;
  };
  const where = (element) => {
    const parts = [];
    for (let e = element; e && e !== document.body && parts.length < 3; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (e.classList.length ? '.' + [...e.classList].slice(0, 2).join('.') : ''));
    }
    return parts.join(' > ');
  };
  found.push({kind: 'title', text: document.title, where: 'title'});
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.replace(/\s+/g, ' ').trim();
    if (text && !skipped(node.parentElement)) found.push({kind: 'text', text, where: where(node.parentElement)});
  }
  const labelled = '[aria-label], [title], [placeholder], [alt], input[type=submit], input[type=button], '
                   + 'input[type=reset]';
  const clean = (text) => text.replace(/\s+/g, ' ').trim();
  for (const element of document.body.querySelectorAll(labelled)) {
    if (skipped(element)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = element.getAttribute(name);
      if (value && value.trim()) found.push({kind: name, text: clean(value), where: where(element)});
    }
    if (element.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(element.type) && element.value) {
      found.push({kind: 'value', text: element.value, where: where(element)});
    }
  }
  // A JSON block holds codes and URLs as well as words to show: only the words are judged.
  const identifier = /^[a-z0-9_.:\/?=&#%-]+$/;
  const strings = (value, out) => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach(v => strings(v, out));
    else if (value && typeof value === 'object') Object.values(value).forEach(v => strings(v, out));
    return out;
  };
  for (const block of document.querySelectorAll('script[type="application/json"]')) {
    let parsed;
    try { parsed = JSON.parse(block.textContent); } catch (e) { continue; }
    for (const text of strings(parsed, [])) {
      if (!text.trim() || identifier.test(text.trim())) continue;
      found.push({kind: 'json', text: clean(text), where: 'script#' + (block.id || '?')});
    }
  }
  return found;
}"""


def page_texts(page) -> list[dict]:
    """[{kind, text, where}] for every piece of text on the page (PAGE_TEXTS_SCRIPT)."""
    return page.evaluate(PAGE_TEXTS_SCRIPT)


def user_data_of_database() -> list[str]:
    """What people typed or were given (names, titles, addresses, note bodies...): shown as it is in every
    language, so it is taken out of a text before the text is judged. Longest first, so a name inside a title
    goes with the title."""
    from visits.extensions import db
    from visits import models as m

    columns = [m.User.name, m.User.email, m.User.phone, m.Review.council_name, m.Review.out_of_hours_number,
               m.Review.out_of_hours_email, m.Location.name, m.Location.address, m.Location.parking_notes,
               m.Location.access_notes, m.Participant.name, m.Participant.job_title, m.Participant.team,
               m.Participant.organisation, m.Participant.phone, m.Case.reference, m.Visit.title,
               m.Visit.briefing, m.Visit.cancel_reason, m.AgendaSegment.title, m.Note.body, m.NoteRevision.body,
               m.NeedFlag.detail, m.NeedFlag.arrangement, m.Concern.text, m.Concern.referral_text,
               m.Concern.referred_to, m.Concern.not_referred_reason, m.Concern.outcome, m.Theme.name,
               m.Feedback.comment, m.FeedbackAction.text, m.Passkey.name, m.GlossaryTerm.abbreviation]
    values: set[str] = set()
    for column in columns:
        for value in db.session.scalars(db.select(column).distinct()):
            if value and value.strip():
                values.add(re.sub(r"\s+", " ", value).strip())
    return sorted(values, key=len, reverse=True)


def without_user_data(text: str, user_data) -> str:
    """`text` with every whole-word occurrence of the values taken out (the longest first)."""
    values = [value for value in user_data if value and value in text]
    for value in sorted(values, key=len, reverse=True):
        text = re.sub(r"(?<!\w)" + re.escape(value) + r"(?!\w)", " ", text)
    return text


_LETTERS = re.compile(r"[^\W\d_]{2,}")


def has_words(text: str) -> bool:
    return bool(_LETTERS.search(text))


# --- English left on a Welsh page ----------------------------------------------------------------------------------


@dataclass
class EnglishMessage:
    english: str
    whole: re.Pattern        # the whole of a text equal to the message (placeholders match anything)
    inside: re.Pattern | None  # the message inside a longer text: only for messages of 3 words or more


def _pattern(english: str) -> str:
    parts = re.split(r"(%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w+\}|%[sd])", english)
    return "".join(".+?" if index % 2 else re.escape(part) for index, part in enumerate(parts))


def _fragments(english: str) -> list[str]:
    """The runs of text of a message, split at its HTML tags (each is a text node of its own on the page)."""
    return [re.sub(r"\s+", " ", part).strip() for part in _TAG.split(english)[::3] if part.strip()]


class EnglishMessages(list):
    """The EnglishMessage list, with all of them in one pattern each way: a text that matches none (most of a
    translated page) is passed over in one search instead of thousands."""

    @cached_property
    def any_whole(self) -> re.Pattern:
        return re.compile("|".join(f"(?:{m.whole.pattern})" for m in self) or r"(?!)")

    @cached_property
    def any_inside(self) -> re.Pattern:
        return re.compile("|".join(f"(?:{m.inside.pattern})" for m in self if m.inside) or r"(?!)")


def english_messages(catalogue: Catalog) -> EnglishMessages:
    """The English of every entry whose Welsh is different (an entry the same in both languages — a name, "OK"
    — cannot be told apart on the page), as patterns to look for in a rendered text."""
    found = []
    for message in catalogue:
        if not message.id:
            continue
        welsh = {re.sub(r"\s+", " ", form).strip() for form in welsh_forms(message)}
        for english in english_forms(message):
            for fragment in _fragments(english):
                if fragment in welsh or not has_words(_NAMED.sub("", fragment)):
                    continue
                pattern = _pattern(fragment)
                literal = _LETTERS.findall(_NAMED.sub(" ", fragment))
                words = len(literal)
                if len("".join(literal)) < 4 and _NAMED.search(fragment):
                    continue  # "%(browser)s on %(system)s" would match any text with "on" in it
                inside = re.compile(r"(?<!\w)" + pattern + r"(?!\w)") if words >= 3 else None
                found.append(EnglishMessage(fragment, re.compile(pattern + r"\Z"), inside))
    return EnglishMessages(found)


def english_left(texts: list[dict], catalogue: Catalog | list[EnglishMessage],
                 user_data: list[str] = ()) -> list[str]:
    """The texts of a page (page_texts) that are still an English message of the catalogue: a whole text equal
    to one (placeholders as wildcards), or an English message of three words or more inside one. User data is
    taken out first, so a visit's title or a person's name is never taken for a message."""
    messages = catalogue if isinstance(catalogue, EnglishMessages) else (
        EnglishMessages(catalogue) if isinstance(catalogue, list) else english_messages(catalogue))
    left = []
    for found in texts:
        text = re.sub(r"\s+", " ", without_user_data(found["text"], user_data)).strip()
        if not has_words(text) or not (messages.any_whole.match(text) or messages.any_inside.search(text)):
            continue
        for message in messages:
            if message.whole.match(text) or (message.inside is not None and message.inside.search(text)):
                left.append(f"{found['kind']} {found['text']!r} is the English {message.english!r} "
                            f"({found['where']})")
                break
    return left


# Not words of any language: ids, codes to type (a recovery code, an authenticator's key in groups of four), and
# acronyms standing alone (the glossary's terms, which the glossary itself explains in each language).
_NOT_WORDS = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
                        r"|\b(?=[A-Z]*\d)[A-Z0-9]{4,}\b|^[A-Z]{2,8}s?$")


def unmarked(texts: list[dict], user_data: list[str] = (), allowed: tuple[str, ...] = ()) -> list[dict]:
    """With the pseudo-Welsh catalogue: the texts that lack the marker once user data, the allowed words (dates'
    Welsh month and day names from Babel, the app's name...) and codes are taken out: text that never went
    through gettext."""
    left = []
    for found in texts:
        if MARKER in found["text"]:
            continue
        text = _NOT_WORDS.sub(" ", without_user_data(found["text"], [*user_data, *allowed]).strip())
        if has_words(text):
            left.append(found)
    return left


def welsh_date_words() -> tuple[str, ...]:
    """The words Babel's Welsh data writes dates and times with: never in the catalogue, already Welsh."""
    from babel import Locale

    welsh = Locale.parse("cy")
    words: set[str] = set()

    def collect(names):
        if isinstance(names, str):
            words.add(names)
        elif hasattr(names, "values"):
            for value in names.values():
                collect(value)

    for names in (welsh.days, welsh.months, welsh.quarters, welsh.eras, welsh.day_periods):
        collect(names)
    return tuple(sorted(words, key=len, reverse=True))


# --- The same texts from the HTML alone (no browser: the fast check of every page) ---------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SKIPPED = {"script", "style", "template", "noscript", "code", "kbd", "samp"}
_IDENTIFIER = re.compile(r"^[a-z0-9_.:/?=&#%-]+$")  # "note.save", "visit_id", a URL: not words to show


class _PageTexts(HTMLParser):
    """PAGE_TEXTS_SCRIPT's rules on the HTML as the server sent it (what scripts add later is not there: their
    words come from the JSON blocks, which are read here)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[dict] = []
        self.page_lang = ""
        self.skip: list[list] = []   # [tag, depth] of the elements whose text is not judged
        self.json: list[str] | None = None
        self.title: list[str] | None = None
        self.where = "body"

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.page_lang = attributes.get("lang", "")
            return
        if self.skip and self.skip[-1][0] == tag:
            self.skip[-1][1] += 1
        elif tag not in _VOID and (tag in _SKIPPED or attributes.get("translate") == "no"
                                   or ("lang" in attributes and attributes["lang"] != self.page_lang)):
            self.skip.append([tag, 1])
        if tag == "script" and attributes.get("type") == "application/json":
            self.json = []
            self.where = f"script#{attributes.get('id', '?')}"
        if tag == "title":
            self.title = []
        if attributes.get("id"):
            self.where = f"{tag}#{attributes['id']}"
        if self.skip:
            return
        for name in ("aria-label", "title", "placeholder", "alt"):
            value = attributes.get(name)
            if value and value.strip():
                self.found.append({"kind": name, "text": _clean(value), "where": f"{tag} in {self.where}"})
        if tag == "input" and attributes.get("type") in ("submit", "button", "reset") and attributes.get("value"):
            self.found.append({"kind": "value", "text": _clean(attributes["value"]), "where": self.where})

    def handle_endtag(self, tag):
        if tag == "script" and self.json is not None:
            try:
                parsed = json.loads("".join(self.json))
            except ValueError:
                parsed = None
            for text in json_strings(parsed):
                if text.strip() and not _IDENTIFIER.match(text.strip()):
                    self.found.append({"kind": "json", "text": _clean(text), "where": self.where})
            self.json = None
        if tag == "title" and self.title is not None:
            self.found.append({"kind": "title", "text": _clean("".join(self.title)), "where": "title"})
            self.title = None
        if self.skip and self.skip[-1][0] == tag:
            self.skip[-1][1] -= 1
            if not self.skip[-1][1]:
                self.skip.pop()

    def handle_data(self, data):
        if self.json is not None:
            self.json.append(data)
        elif self.title is not None:
            self.title.append(data)
        elif not self.skip and data.strip():
            self.found.append({"kind": "text", "text": _clean(data), "where": self.where})


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in json_strings(item)]
    return []


def html_texts(html: str) -> tuple[str, list[dict]]:
    """The page's <html lang> and its texts, as page_texts finds them in a browser (from the HTML alone)."""
    parser = _PageTexts()
    parser.feed(html)
    parser.close()
    return parser.page_lang, parser.found


# --- Who opens which pages ---------------------------------------------------------------------------------------

ROLES = ("lead", "reviewer", "lay", "link", "coordinator", "admin")
WHO = {"lead": "lead_reviewer", "reviewer": "reviewer", "lay": "lay_assessor", "link": "link_officer",
       "coordinator": "coordinator"}
# Rules that are not a page a person reads: data, files, fragments a page loads into itself, and the steps of
# signing in or of a link from an email (which need a token nobody has here).
NOT_PAGES = re.compile(r"^GET (/api/|/static/|/sw\.js|/manifest|/healthz|/login|/invite/|/password-reset/|"
                       r"/calendar/<token>)|\.(csv|json|ics|docx)$|/board-fragment$|/sections/<name>$|"
                       r"^GET /evidence/export$")
# Text deliberately the same in both languages: the product's name, and each language's own name in the switch.
SAME_IN_BOTH = ("Fieldwork", "Cymraeg", "English")


def pages_for(role: str, ids: dict) -> list[tuple[str, str]]:
    """Every page `role` may open (ROUTE_DECISIONS), with the world's ids in it, and its rule ("GET /visits/<int:
    visit_id>"); the site administrator (in no review) gets the pages everyone signed in gets and the
    administration's."""
    from .routes import ADMIN_GETS, OK, ROUTE_DECISIONS, url_for_rule

    rules = sorted(key for key in ROUTE_DECISIONS if key.startswith("GET ") and not NOT_PAGES.search(key))
    if role == "admin":
        keys = [key for key in rules if ROUTE_DECISIONS[key]["other_review"] == OK]
        keys += [f"GET {path.replace('{review}', '<int:review_id>')}" for path in ADMIN_GETS]
    else:
        keys = [key for key in rules if ROUTE_DECISIONS[key][role] == OK]
    return [(url_for_rule(key, ids), key) for key in keys]


def welsh_world():
    """Review A's day (two_reviews_world) with a note and a concern on Rhys's home visit, his calendar feed and a
    site administrator (committed); `world.ids` are the ids pages are opened with. The note and the concern are
    written in Welsh, so no English message can be taken from them.

    The app's clock stands at 19:30 that day, after the 18:00 home visit was due back: the pages always carry the
    overdue alerts and past-visit wording, whatever the hour the suite runs (with the real clock they came and
    went at 19:15)."""
    from flask import current_app

    from visits.calendar.feed import new_token, token_hash
    from visits.extensions import db
    from visits.models import CalendarFeed

    from . import factories as f
    from .clock import london, set_clock
    from .world import two_reviews_world

    world = two_reviews_world()
    world.note = f.gen_note(world.home_visit, world.reviewer, "Nodyn: mae'r gegin yn oer.", kind="home_visit")
    world.concern = f.gen_concern(world.home_visit, world.reviewer, "Pryder: drws tân ar agor.")
    world.admin = f.gen_user(name="Alun Admin", is_admin=True)
    db.session.add(CalendarFeed(user_id=world.reviewer.id, token_hash=token_hash(new_token())))
    db.session.commit()
    set_clock(current_app, london(world.day, 19, 30))
    world.ids = {"review_id": world.review.id, "user_id": world.reviewer2.id, "visit_id": world.home_visit.id,
                 "case_id": world.case.id, "participant_id": world.service_user.id, "location_id": world.home.id,
                 "note_id": world.note.id, "day": world.day.isoformat(), "session_id": 999_999, "token": "none"}
    return world


def person(world, role: str):
    return world.admin if role == "admin" else world.member(WHO[role])


def untranslated_report(found: dict[str, dict[str, set[str]]]) -> str:
    """Texts without the marker, grouped by page (those on most pages once, first), each with where it was, the
    roles that saw it, and the files that seem to hold it."""
    pages_with: dict[str, int] = {}
    for texts in found.values():
        for text in texts:
            pages_with[text] = pages_with.get(text, 0) + 1
    common = "(on most pages or answers: base.html, its partials, error.html)"
    everywhere = {text for text, count in pages_with.items() if count >= max(3, len(found) // 2)}
    groups: dict[str, dict[str, set[str]]] = {common: {}}
    for url, texts in found.items():
        for text, roles in texts.items():
            group = groups[common] if text in everywhere else groups.setdefault(url, {})
            group.setdefault(text, set()).update(roles)
    lines = []
    for url, texts in groups.items():
        if not texts:
            continue
        lines.append(f"== {url}")
        for text, roles in sorted(texts.items()):
            shown = re.match(r"\w[\w-]*: '(.*)' in ", text)
            sources = ", ".join(source_of(shown.group(1) if shown else text)) or "?"
            lines.append(f"  {text}  [{', '.join(sorted(roles))}]  <- {sources}")
    return "\n".join(lines) + "\n"


def source_of(text: str) -> list[str]:
    """The files (templates, Python, scripts) that hold `text` or its longest run of words: a best guess."""
    needles = [text] + sorted(re.split(r"[^\w' -]+", text), key=len, reverse=True)[:1]
    for needle in (n.strip() for n in needles):
        if len(needle) < 3:
            continue
        hits = []
        for folder, pattern in (("templates", "*.html"), ("visits", "*.py"), ("static/js", "*.js"),
                                ("service_worker", "*.js")):
            for path in (ROOT / folder).rglob(pattern):
                if needle in path.read_text(encoding="utf-8", errors="replace"):
                    hits.append(str(path.relative_to(ROOT)))
        if hits:
            return hits[:4]
    return []
