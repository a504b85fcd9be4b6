"""Every string on every page goes through the catalogue (issue 13): with a pseudo-Welsh catalogue (every message
"Ŵ·" + its English) each role opens every page it may reach in Welsh, and any text without the marker — once user
data (names, titles, addresses, notes), Babel's Welsh dates, codes and the product's name are taken out — is
English that no translation can reach: hard-coded in a template or in Python, a `_(variable)` on a literal nobody
marked, or a JSON block for the page's scripts built without gettext.

Read from the HTML the server sends (fast: every page of every role in a few seconds); what the page's scripts
show comes from its JSON blocks, which are read too. tests/browser/test_welsh_pages.py does the same in Chromium
when FIELDWORK_PSEUDO_WELSH=1, and writes the list to FIELDWORK_UNTRANSLATED_REPORT if that names a file."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from ..support.apps import sqlite_app
from ..support.clients import Client
from ..support.routes import OK, ROUTE_DECISIONS, url_for_rule
from ..support.i18n import (
    MARKER, ROLES, SAME_IN_BOTH, english_left, english_messages, fresh_translations, html_texts,
    json_strings, pages_for, person, read_catalogue, unmarked, untranslated_report,
    user_data_of_database, welsh_date_words, welsh_world, write_pseudo_translations,
)


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory):
    return write_pseudo_translations(tmp_path_factory.mktemp("pseudo"))


@pytest.fixture
def app(tmp_path, pseudo_translations):
    with fresh_translations(), sqlite_app(tmp_path, BABEL_TRANSLATION_DIRECTORIES=str(pseudo_translations)) as app:
        yield app


def in_welsh(app, user) -> Client:
    client = Client(app)
    client.login(user)
    assert client.get("/?lang=cy").status_code == 303  # the switch's link: stored on the account
    return client


def test_every_visible_string_on_every_page_goes_through_the_catalogue(app, pseudo_translations):
    world = welsh_world()
    user_data = user_data_of_database()
    allowed = (*welsh_date_words(), *SAME_IN_BOTH)
    english = english_messages(read_catalogue(pseudo_translations / "cy" / "LC_MESSAGES" / "messages.po"))
    found: dict[str, dict[str, set[str]]] = {}
    pages = 0
    for role in ROLES:
        client = in_welsh(app, person(world, role))
        for url, _rule in pages_for(role, world.ids):
            response = client.get(url, follow_redirects=True)
            assert response.status_code == 200, f"{role} {url}: {response.status_code}"
            lang, texts = html_texts(response.get_data(as_text=True))
            pages += 1
            # What the Welsh test relies on holds: lang="cy", and english_left takes no text that is not a
            # message (user data, dates, numbers) for English.
            assert lang == "cy", f"{role} {url}: <html lang={lang!r}>"
            assert not english_left([t for t in texts if MARKER not in t["text"]], english, user_data), url
            shown = urlsplit(response.request.url).path if response.request else url
            for text in unmarked(texts, user_data, allowed):
                key = f"{text['kind']}: {text['text']!r} in {text['where']}"
                found.setdefault(shown, {}).setdefault(key, set()).add(role)
    assert pages > 100, pages  # every role's pages were walked
    assert not found, ("Text that never goes through gettext, so it can never be in Welsh (mark it with _(), _l() "
                       "or N_(), README: Welsh):\n" + untranslated_report(found))


def test_text_without_the_marker_is_found(app, pseudo_translations):
    """The check can fail: a hard-coded word on a page, a button's label, a JSON string for a script."""
    html = (f'<html lang="cy"><body><p>{MARKER}Wedi cadw</p><p>Saved</p><button aria-label="Close">x</button>'
            '<a lang="en" href="?lang=en">English only here</a><code>visit_id</code>'
            '<script type="application/json" id="ui-strings">{"a": "Sync now", "b": "note.save"}</script>'
            '</body></html>')
    lang, texts = html_texts(html)
    left = [(text["kind"], text["text"]) for text in unmarked(texts)]
    assert lang == "cy"
    assert left == [("text", "Saved"), ("aria-label", "Close"), ("json", "Sync now")]


# Writes that would end the walk or undo the world it walks (signing out, ending sessions, removing people).
ENDS_THE_WALK = re.compile(r"/logout$|/disable$|/remove$|/end-others$|/end$|/revoke$|/withdraw$")


def test_every_answer_to_a_form_sent_empty_goes_through_the_catalogue(app, pseudo_translations):
    """Field messages (schemas, rules), flash messages after a redirect, refusals: each write a role may make,
    sent empty, answers in the catalogue's words (JSON answers too: the outbox shows their messages); and so does
    the page for an address that does not exist."""
    world = welsh_world()
    user_data = user_data_of_database()
    allowed = (*welsh_date_words(), *SAME_IN_BOTH)
    found: dict[str, dict[str, set[str]]] = {}
    answers = 0
    for role in ROLES:
        client = in_welsh(app, person(world, role))
        for key, decision in sorted(ROUTE_DECISIONS.items()):
            method, rule = key.split(" ", 1)
            if method == "GET" or ENDS_THE_WALK.search(rule) or decision.get(
                    "other_review" if role == "admin" else role) != OK:
                continue
            url = url_for_rule(key, world.ids)
            response = client.http.open(url, method=method, data={"csrf_token": client.csrf()},
                                        headers={"X-CSRFToken": client.csrf()}, follow_redirects=True)
            assert response.status_code < 500, f"{role} {key}: {response.status_code}"
            answers += 1
            if response.is_json:
                texts = [{"kind": "json", "text": text, "where": "answer"}
                         for text in json_strings(response.get_json()) if " " in text.strip()]
            elif response.mimetype == "text/html":
                texts = html_texts(response.get_data(as_text=True))[1]
            else:
                continue
            for text in unmarked(texts, user_data, allowed):
                found.setdefault(key, {}).setdefault(f"{text['kind']}: {text['text']!r} in {text['where']}",
                                                     set()).add(role)
        missing = client.get("/no-such-page")
        for text in unmarked(html_texts(missing.get_data(as_text=True))[1], user_data, allowed):
            found.setdefault("GET /no-such-page (404)", {}).setdefault(
                f"{text['kind']}: {text['text']!r} in {text['where']}", set()).add(role)
    assert answers > 50, answers
    assert not found, ("Answers to a form that never go through gettext, so they can never be in Welsh:\n"
                       + untranslated_report(found))
