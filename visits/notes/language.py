"""The language a conversation was held in, and whether the Welsh "active offer" was made (issue 13).

Joint reviews of Welsh councils fall under the Welsh Language Standards: people are offered Welsh without having
to ask for it (the "active offer", y Cynnig Rhagweithiol), and the lead needs to know, for the report, which
conversations were held in Welsh and where the offer was made. A note records both (`Note.language`, a
ConversationLanguage code, and `Note.active_offer`); a feedback questionnaire records the offer beside the language
the person answered in (`Feedback.active_offer`).

Both belong to the note: they are shown, filtered and exported only where the note itself may be read
(permissions.can_read_note, evidence_scope). None means "not recorded", never "no".

One place for the codes and their words: the note form, the note as shown, the evidence filters and the exports
all use these.
"""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..models import ConversationLanguage

LANGUAGE_CODES: tuple[str, ...] = tuple(member.value for member in ConversationLanguage)

# The evidence filters' value for "the note does not say" (a code no ConversationLanguage can take).
NOT_RECORDED = "none"
# The evidence filter "Active offer made": yes, no, or not recorded.
OFFER_CHOICES: tuple[str, ...] = ("yes", "no", NOT_RECORDED)

_LANGUAGE_WORDS = {
    ConversationLanguage.welsh.value: _l("Welsh"),
    ConversationLanguage.english.value: _l("English"),
    ConversationLanguage.other.value: _l("Another language"),
    ConversationLanguage.interpreter.value: _l("With an interpreter"),
}


def sent_conversation(data: dict, language: Optional[str], offer: Optional[bool]) -> tuple:
    """The (language, active_offer) a note.save leaves a note with, from the note's own (`language`, `offer`):
    a value left out (or null, or "" -- the schema drops those) keeps the note's; NOT_RECORDED ("none") takes it
    back to None, "not recorded"."""
    sent_language, sent_offer = data.get("language"), data.get("active_offer")
    if sent_language is not None:
        language = None if sent_language == NOT_RECORDED else sent_language
    if sent_offer is not None:
        offer = None if sent_offer == NOT_RECORDED else sent_offer
    return language, offer


def merge_conversation(note, conflict_copies) -> tuple[Optional[str], Optional[bool]]:
    """Where the merge form starts: the saved note's language and offer, and where it records none, the newest
    conflict copy's that records one (`conflict_copies` newest first). Both are shown beside their texts; the
    person can choose otherwise."""
    language, offer = note.language, note.active_offer
    for copy in conflict_copies:
        if language is None:
            language = copy.language
        if offer is None:
            offer = copy.active_offer
    return language, offer


def language_choices() -> list[tuple[str, str]]:
    """The note form's radio buttons, in the order offered: Welsh first (the Standards: never less favourably)."""
    return [(code, str(_LANGUAGE_WORDS[code])) for code in LANGUAGE_CODES]


def language_words(code: Optional[str]) -> str:
    """A note's conversation language in words; "Not recorded" for None (or a code no longer known)."""
    words = _LANGUAGE_WORDS.get(code or "")
    return str(words) if words is not None else _("Not recorded")


def offer_words(made: Optional[bool]) -> str:
    """Whether the Welsh active offer was made, as a cell or a filter's choice says it."""
    if made is None:
        return _("Not recorded")
    return _("Yes") if made else _("No")


def offer_filter_choices() -> list[tuple[str, str]]:
    return [("yes", _("Yes")), ("no", _("No")), (NOT_RECORDED, _("Not recorded"))]


def language_filter_choices() -> list[tuple[str, str]]:
    return language_choices() + [(NOT_RECORDED, _("Not recorded"))]


def conversation_line(code: Optional[str], made: Optional[bool]) -> str:
    """One line for a note as shown and in the evidence pack, or "" when neither is recorded:
    "Conversation in Welsh. The Welsh active offer was made." """
    parts = []
    if code in _LANGUAGE_WORDS:
        parts.append(_("Language of the conversation: %(language)s.", language=language_words(code)))
    if made is True:
        parts.append(_("The Welsh active offer was made."))
    elif made is False:
        parts.append(_("The Welsh active offer was not made."))
    return " ".join(parts)
