"""The glossary in Welsh (issue 13, item 5): each term by the form Welsh public bodies use (AGGCC for SSIW, SAC for
WAO, GIG for NHS, IAP for BSL, AGC for CIW), its expansion the catalogue's Welsh, the English acronym beside it; the
`abbr` filter explains the English and the Welsh acronyms in Welsh text. English is unchanged."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from visits.extensions import db
from visits.glossary.terms import TERMS, abbreviate, all_terms

from ..support import factories as f
from ..support.i18n import app_with_welsh
from ..support.clients import signed_in

# What the catalogue will hold (translations/cy/TERMS.md); a small catalogue of these stands in for it here.
WELSH = {
    "National Health Service": "Gwasanaeth Iechyd Gwladol",
    "Social Services Inspectorate for Wales": "Arolygiaeth Gwasanaethau Cymdeithasol Cymru",
    "General practitioner": "Meddyg teulu",
    "English: %(abbreviation)s": "Saesneg: %(abbreviation)s",
}
TERMS_MD = Path(__file__).resolve().parents[2] / "translations" / "cy" / "TERMS.md"


@pytest.fixture
def welsh_app(tmp_path):
    with app_with_welsh(tmp_path, WELSH) as app:
        yield app


def test_the_welsh_acronyms_are_those_of_the_term_list():
    welsh = {term.abbreviation: term.welsh for term in TERMS}
    assert welsh["SSIW"] == "AGGCC" and welsh["WAO"] == "SAC" and welsh["NHS"] == "GIG"
    assert welsh["BSL"] == "IAP" and welsh["CIW"] == "AGC"
    assert welsh["GP"] == "" and welsh["CAMHS"] == ""   # "meddyg teulu" is words; CAMHS stays CAMHS
    term_list = TERMS_MD.read_text(encoding="utf-8")
    for term in TERMS:
        if term.welsh:
            assert re.search(rf"\({term.abbreviation}\) \| .*\({term.welsh}\)", term_list), term.abbreviation


def test_in_welsh_an_acronym_is_explained_in_welsh_with_both_acronyms(welsh_app):
    with welsh_app.test_request_context(), force_locale("cy"):
        text = abbreviate("Mae'r NHS a'r GIG yn un; SSIW yw AGGCC; y GP")
    assert '<abbr title="Gwasanaeth Iechyd Gwladol (GIG, NHS)">NHS</abbr>' in text
    assert '<abbr title="Gwasanaeth Iechyd Gwladol (GIG, NHS)">GIG</abbr>' in text
    assert ('<abbr title="Arolygiaeth Gwasanaethau Cymdeithasol Cymru (AGGCC, SSIW)">AGGCC</abbr>' in text)
    assert '<abbr title="Meddyg teulu (GP)">GP</abbr>' in text


def test_in_english_nothing_changes_and_welsh_acronyms_are_not_looked_for(welsh_app):
    with welsh_app.test_request_context(), force_locale("en_GB"):
        text = abbreviate("The NHS, the GIG")
    assert '<abbr title="National Health Service">NHS</abbr>' in text and "the GIG" in text


def test_the_glossary_page_in_welsh_shows_the_welsh_form_and_the_english_acronym(welsh_app):
    user = f.gen_user()
    db.session.commit()
    client = signed_in(welsh_app, user)
    assert client.get("/glossary", query_string={"lang": "cy"}).status_code == 303
    html = client.get("/glossary").get_data(as_text=True)
    assert '<abbr title="Gwasanaeth Iechyd Gwladol (GIG, NHS)">GIG</abbr>' in html
    assert '<span class="term-other">Saesneg: NHS</span>' in html
    assert "<strong>Gwasanaeth Iechyd Gwladol</strong>" in html
    assert '<abbr title="Meddyg teulu (GP)">GP</abbr></dt>' in html
    # Listed by the acronym the reader looks up: AGGCC (SSIW) among the A's, before BSL's IAP.
    assert html.index(">AGGCC<") < html.index(">CAMHS<") < html.index(">GIG<") < html.index(">IAP<")
    english = signed_in(welsh_app, user)
    english.get("/glossary", query_string={"lang": "en"})
    html = english.get("/glossary").get_data(as_text=True)
    assert '<abbr title="National Health Service">NHS</abbr></dt>' in html and "Saesneg" not in html


def test_the_order_follows_the_readers_acronyms(welsh_app):
    with welsh_app.test_request_context():
        with force_locale("cy"):
            welsh = [term.shown() for term in all_terms()]
        with force_locale("en_GB"):
            english = [term.shown() for term in all_terms()]
    assert welsh == sorted(welsh, key=str.casefold) and "GIG" in welsh and "NHS" not in welsh
    assert english == sorted(english, key=str.casefold) and "NHS" in english and "GIG" not in english
