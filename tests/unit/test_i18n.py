"""The language of a request, and the switch's links (visits/i18n.py), without a browser."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_babel import format_date, force_locale, gettext

from visits.i18n import adopt_phone_choice, chosen_language, language_code, language_links, language_url, locale_for


@pytest.mark.parametrize("stored, code", [("cy", "cy"), ("en", "en"), ("en_GB", "en"), ("cy_GB", None),
                                          ("fr", None), ("", None), (None, None)])
def test_a_stored_choice_or_a_babel_locale_names_a_language_or_none(stored, code):
    assert language_code(stored) == code


def test_someone_written_to_gets_their_accounts_language_else_english():
    assert locale_for(SimpleNamespace(locale="cy")) == "cy"
    assert locale_for(SimpleNamespace(locale=None)) == "en_GB"
    assert locale_for(SimpleNamespace(locale="xx")) == "en_GB"


@pytest.mark.parametrize("headers, cookie, expected", [
    ({"Accept-Language": "cy-GB,cy;q=0.9"}, None, "cy"),
    ({"Accept-Language": "cy"}, None, "cy"),
    ({"Accept-Language": "en-GB,en;q=0.9,cy;q=0.8"}, None, "en"),
    ({"Accept-Language": "de"}, None, "en"),
    ({}, None, "en"),
    ({"Accept-Language": "cy"}, "en", "en"),  # the phone's choice beats the browser's
    ({"Accept-Language": "en"}, "cy", "cy"),
    ({"Accept-Language": "cy"}, "xx", "cy"),  # a cookie naming no language of ours is not a choice
])
def test_before_sign_in_the_phones_choice_then_the_browsers_decides(app, headers, cookie, expected):
    if cookie:
        headers = {**headers, "Cookie": f"lang={cookie}"}
    with app.test_request_context("/login", headers=headers):
        assert chosen_language() == expected


def test_the_switch_on_a_get_keeps_the_query_and_puts_the_language_in_it(app):
    with app.test_request_context("/itinerary?date=2026-12-07&lang=en"):
        # A reference to this very address: the browser keeps the path it shows, the query is the new one.
        assert language_url("cy") == "?date=2026-12-07&lang=cy"
        links = language_links()
    assert [(link["code"], link["name"], link["current"]) for link in links] == [
        ("en", "English", True), ("cy", "Cymraeg", False)]


def test_the_switch_on_a_forms_answer_leads_to_a_get_page_never_the_post(app):
    # A form shown again with its errors: its own address when that answers a GET, with none of the form's fields.
    with app.test_request_context("/login?next=/itinerary", method="POST", data={"email": "a@b.c"}):
        assert language_url("cy") == "?lang=cy"
    # A POST-only address: the itinerary.
    with app.test_request_context("/logout", method="POST"):
        assert language_url("cy") == "/?lang=cy"


@pytest.mark.parametrize("path", ["//evil.example", "///evil.example/x", "/\\evil.example", "/\\\\evil.example",
                                  "/\t/evil.example"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_switch_never_makes_a_link_to_another_host(app, path, method):
    """A browser reads "/\\host" as "//host": the switch never writes the path, only a query for this address."""
    with app.test_request_context("/", method=method, environ_overrides={"PATH_INFO": path}):
        href = language_url("cy")
    assert href in ("?lang=cy", "/?lang=cy")


def test_a_link_with_a_secret_in_its_path_is_not_repeated_by_the_switch(app):
    """/invite/<token>: the page must read the same whether the token was used or never existed."""
    with app.test_request_context("/invite/cc3tyKGnvmbayY8I9Y5"):
        assert "cc3ty" not in language_url("cy")


@pytest.mark.parametrize("path", ["//evil.example", "/\\evil.example", "/\\\\evil.example"])
def test_choosing_a_language_never_sends_anyone_to_another_host(app, path):
    """?lang= answers with the same address without it, quoted: a browser reading "/\\host" as "//host" stays."""
    from urllib.parse import urljoin, urlsplit

    from visits.i18n import _store_choice

    with app.test_request_context("/", query_string="lang=cy", environ_overrides={"PATH_INFO": path}):
        location = _store_choice().headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    assert urlsplit(urljoin("https://fieldwork.example/", location)).netloc == "fieldwork.example"


def test_signing_in_adopts_the_phones_choice_only_onto_an_account_without_one(app):
    with app.test_request_context("/login", headers={"Cookie": "lang=cy"}):
        # The phone's language alone may be the last person's on a shared phone: not a choice of this one.
        assert not adopt_phone_choice(SimpleNamespace(locale=None))
    with app.test_request_context("/login", headers={"Cookie": "lang=cy; lang_chosen=cy"}):
        newcomer = SimpleNamespace(locale=None)
        assert adopt_phone_choice(newcomer) and newcomer.locale == "cy"
        settled = SimpleNamespace(locale="en")
        assert not adopt_phone_choice(settled) and settled.locale == "en"
    with app.test_request_context("/login"):
        nothing_chosen = SimpleNamespace(locale=None)
        assert not adopt_phone_choice(nothing_chosen) and nothing_chosen.locale is None


def test_dates_are_written_in_the_pages_language_not_strftimes_english(app):
    from datetime import date

    with app.test_request_context("/"):
        with force_locale("cy"):
            welsh = format_date(date(2026, 12, 5), "d MMMM yyyy")
        with force_locale("en_GB"):
            english = format_date(date(2026, 12, 5), "d MMMM yyyy")
    assert english == "5 December 2026" and welsh == "5 Rhagfyr 2026"


def test_the_worker_has_its_own_words_in_every_language(app):
    """BUILD.words (visits/offline/views.py): the worker's last-resort text and an alert's title, per language."""
    from visits.i18n import LANGUAGES
    from visits.offline.views import worker_words

    with app.test_request_context("/sw.js"):
        words = worker_words()
        for code, locale in LANGUAGES.items():
            with force_locale(locale):
                expected = gettext("No signal, and this page is not on your phone")
            assert words[code]["offline_text"] == expected and words[code]["app_name"]
    assert set(words) == {"cy", "en"}


def test_the_scripts_name_days_and_months_with_the_pages_words(app):
    """#date-words (visits/templating.py): Chromium's Intl writes Welsh dates in English, so the page gives the
    names; weekdays from Sunday, as JavaScript's getDay() counts."""
    from visits.templating import date_words

    with app.test_request_context("/"):
        with force_locale("cy"):
            welsh = date_words()
        with force_locale("en_GB"):
            english = date_words()
    assert english["weekdays"][0] == "Sun" and english["weekdays"][5] == "Fri" and english["months"][11] == "Dec"
    assert welsh["weekdays"][5] == "Gwen" and welsh["months"][11] == "Rhag"
    assert len(welsh["weekdays"]) == 7 and len(welsh["months"]) == 12
