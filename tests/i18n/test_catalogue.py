"""The Welsh catalogue is complete (issue 13): every message the code marks — extracted here exactly as `make
messages` extracts it — has a Welsh entry that is not fuzzy, with every form written (Welsh's six for a counted
message), the placeholders of the English kept, and Babel's plural rule for Welsh in the header; that is, `pybabel
compile --statistics` would say 100 % for cy. A new string with no Welsh entry fails here, naming it.

The checker itself is checked on a pseudo-translated copy (complete, so it must pass) and on copies broken one way
at a time (so each rule can fail)."""
from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from ..support.i18n import (
    HOW_TO_FIX, MARKER, WELSH_PO, check_catalogue, extract_messages, placeholders, pseudo, pseudo_catalogue,
    read_catalogue, write_translations,
)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    return extract_messages(tmp_path_factory.mktemp("pot"))


def test_every_message_the_app_shows_has_a_complete_welsh_entry(extracted):
    problems = check_catalogue(extracted, read_catalogue(WELSH_PO))
    assert not problems, (f"The Welsh catalogue ({WELSH_PO.relative_to(WELSH_PO.parents[3])}) is incomplete:\n"
                          + problems.report())


def test_the_compiled_catalogue_is_the_one_written(extracted):
    """The app reads the .mo: one older than the .po shows yesterday's Welsh (`make translations` builds it)."""
    compiled = WELSH_PO.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= WELSH_PO.stat().st_mtime, (
        "translations/cy/LC_MESSAGES/messages.mo is missing or older than messages.po: run `make translations`")


# --- The checker, checked ------------------------------------------------------------------------------------------


@pytest.fixture
def complete(extracted, tmp_path) -> Catalog:
    """A fully filled Welsh catalogue, written to a .po and read back as the real one is."""
    folder = write_translations(tmp_path / "translations", pseudo_catalogue(extracted))
    return read_catalogue(folder / "cy" / "LC_MESSAGES" / "messages.po")


def some(catalogue: Catalog, plural: bool, with_placeholder: bool = False):
    for message in catalogue:
        if message.id and message.pluralizable == plural and (not with_placeholder or placeholders(
                message.id if not plural else message.id[0])):
            return message
    raise AssertionError("the catalogue has no such message")


def test_a_complete_catalogue_passes(extracted, complete):
    problems = check_catalogue(extracted, complete)
    assert not problems, problems.report()
    assert problems.percent == 100 and problems.total == len([m for m in extracted if m.id])


def test_a_message_with_no_welsh_entry_is_named_with_what_to_do(extracted, complete):
    message = some(complete, plural=False)
    complete.delete(message.id)
    problems = check_catalogue(extracted, complete)
    assert problems.missing == [message.id]
    assert message.id in problems.report() and HOW_TO_FIX in problems.report()
    assert problems.translated == problems.total - 1 and problems


def test_empty_and_fuzzy_entries_fail(extracted, complete):
    empty, fuzzy = [m for m in complete if m.id and not m.pluralizable][:2]
    empty.string = ""
    fuzzy.flags.add("fuzzy")
    problems = check_catalogue(extracted, complete)
    assert problems.empty == [empty.id] and problems.fuzzy == [fuzzy.id]


def test_a_plural_needs_all_six_welsh_forms_filled(extracted, complete):
    counted = some(complete, plural=True)
    forms = list(counted.string)
    counted.string = tuple(forms[:2])  # English's two
    assert check_catalogue(extracted, complete).wrong_plural_count == [counted.id[0]]
    counted.string = (*forms[:5], "")   # six, one empty
    assert check_catalogue(extracted, complete).empty == [counted.id[0]]


def test_placeholders_the_english_lacks_or_drops_fail(extracted, complete):
    message = some(complete, plural=False, with_placeholder=True)
    english = message.id
    message.string = MARKER + "heb ddim"  # every named placeholder dropped
    assert [p for p in check_catalogue(extracted, complete).placeholders if "drops" in p]
    message.string = pseudo(english) + " %(nobody)s <script>"
    found = check_catalogue(extracted, complete).placeholders
    assert any("%(nobody)" in p and "<script>" in p for p in found), found


def test_a_plural_form_may_leave_the_number_out_but_invent_none(extracted, complete):
    counted = some(complete, plural=True, with_placeholder=True)
    forms = list(counted.string)
    forms[1] = MARKER + "un"  # Welsh "one" may say the word instead of the number
    counted.string = tuple(forms)
    assert not check_catalogue(extracted, complete).placeholders
    forms[2] = forms[2] + " {whom}"
    counted.string = tuple(forms)
    assert check_catalogue(extracted, complete).placeholders


def test_the_plural_rule_must_be_babels_for_welsh(extracted, complete):
    complete._num_plurals, complete._plural_expr = 2, "(n != 1)"
    complete.mime_headers = [*[(k, v) for k, v in complete.mime_headers if k != "Plural-Forms"]]
    problems = check_catalogue(extracted, complete)
    assert problems.plural_forms_header and "nplurals=6" in problems.plural_forms_header
