"""english_left, the check of tests/browser/test_welsh_pages.py: which texts of a Welsh page are still an English
message of the catalogue. It must find English, whole or inside a longer text, with placeholders filled in, and
must not take user data, a message the same in both languages, or Welsh for English."""
from __future__ import annotations

from babel.messages.catalog import Catalog

from ..support.i18n import english_left, html_texts, with_welsh


def catalogue(*entries) -> Catalog:
    welsh = Catalog(locale="cy")
    for english, cymraeg in entries:
        welsh.add(english, cymraeg)
    return welsh


WELSH = catalogue(
    ("Sign out", "Allgofnodi"),
    ("Checked in at %(time)s.", "Wedi cyrraedd am %(time)s."),
    ("Nothing waiting on this phone", "Dim byd yn aros ar y ffôn hwn"),
    ("Fieldwork", "Fieldwork"),                 # the same in both: cannot be told apart
    ("Read <a href=\"%(url)s\">the privacy notice</a> first.", ""),  # not yet translated
    (("%(num)s note", "%(num)s notes"), ("", "", "", "", "", "")),
    ("%(browser)s on %(system)s", ""),          # too little of its own to recognise
)


def texts(*strings: str) -> list[dict]:
    return [{"kind": "text", "text": text, "where": "p"} for text in strings]


def test_english_whole_or_inside_a_text_is_found_with_its_placeholders_filled():
    left = english_left(texts("Sign out", "Checked in at 10:05.", "Heddiw · Nothing waiting on this phone",
                              "the privacy notice", "3 notes"), WELSH)
    assert len(left) == 5, left


def test_welsh_user_data_and_messages_the_same_in_both_are_not_english():
    left = english_left(texts("Allgofnodi", "Wedi cyrraedd am 10:05.", "Fieldwork", "Firefox on Android",
                              "Sign out of the council's system", "Sign out"),
                        WELSH, user_data=["Sign out of the council's system"])
    assert left == ["text 'Sign out' is the English 'Sign out' (p)"]


def test_a_short_message_inside_a_longer_text_is_not_english_on_its_own():
    # "Sign out" is two words: only a whole text equal to it counts, or every "sign" in Welsh prose would.
    assert not english_left(texts("Mae'r botwm Sign out ar y dde"), WELSH)


def test_the_html_reader_skips_code_scripts_and_other_languages_and_reads_labels_and_json():
    lang, found = html_texts(
        '<html lang="cy"><head><title>Teitl</title></head><body><p>Testun</p><code>visit_id</code>'
        '<a lang="en" hreflang="en">English</a><button aria-label="Cau">×</button><input type="submit" value="Cadw">'
        '<script>var a = "Sign out";</script>'
        '<script type="application/json" id="ui-strings">{"a": "Dim byd", "b": "note.save", "c": ["Un", 2]}</script>'
        '</body></html>')
    assert lang == "cy"
    assert [(f["kind"], f["text"]) for f in found] == [
        ("title", "Teitl"), ("text", "Testun"), ("aria-label", "Cau"), ("text", "×"), ("value", "Cadw"),
        ("json", "Dim byd"), ("json", "Un")]


def test_a_message_the_catalogue_does_not_have_yet_is_looked_for_too():
    extracted = catalogue(("Sign out", ""), ("Added since the catalogue was updated", ""))
    merged = with_welsh(extracted, WELSH)
    left = english_left(texts("Allgofnodi", "Added since the catalogue was updated"), merged)
    assert left == ["text 'Added since the catalogue was updated' is the English "
                    "'Added since the catalogue was updated' (p)"]
