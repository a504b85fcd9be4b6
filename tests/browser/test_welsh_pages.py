"""Every page in Welsh (issue 13, the Welsh Language Standards): each role signs in, chooses Cymraeg with the
language switch and opens every page it may reach — its itinerary, a visit, a note's history, the programme, the
board, needs, evidence, concerns, feedback, administration, its account, privacy, the glossary, the outbox and
the offline page, found from the app's URL map and ROUTE_DECISIONS — and each says `<html lang="cy">`, shows no
English message of the catalogue and passes axe. Then with no signal: a kept page opens in Welsh.

The second half points the app at a pseudo-Welsh catalogue (every message = "Ŵ·" + its English): any text on a
page without the marker, once user data is taken out, never went through gettext and can never be translated.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from ..support.apps import sqlite_app
from ..support.browser import assert_accessible, sign_in, wait_for_kept_pages, wait_for_worker, wait_until
from ..support.i18n import (
    MARKER, ROLES, SAME_IN_BOTH, WELSH_PO, english_left, english_messages, extract_messages, fresh_translations,
    page_texts, pages_for, person, read_catalogue, unmarked, untranslated_report,
    user_data_of_database, welsh_date_words, with_welsh, write_pseudo_translations,
)
from ..support.i18n import welsh_world as make_welsh_world

# The pages the issue names, checked with axe and kept as a 360 px screenshot; every other page a role may open is
# checked for its language and for English left (axe on all of them would take the file past 90 s).
MAIN_PAGES = re.compile(r"^GET (/itinerary|/visits/<int:visit_id>|/notes/<note_id>/history|/programme|/attendance|"
                        r"/needs|/evidence|/concerns|/feedback|/admin|/admin/accounts|"
                        r"/admin/reviews/<int:review_id>/team|/account|/privacy|/glossary|/outbox|/offline)$")


# Main pages that are the same whoever opens them: checked with axe for the first role that opens them in a run.
SAME_FOR_EVERYONE = ("GET /account", "GET /privacy", "GET /glossary", "GET /outbox", "GET /offline")
_checked_once: set[str] = set()


def needs_axe(key: str) -> bool:
    if not MAIN_PAGES.match(key):
        return False
    if key in SAME_FOR_EVERYONE:
        if key in _checked_once:
            return False
        _checked_once.add(key)
    return True


@pytest.fixture
def welsh_world(app):
    return make_welsh_world()


def choose_welsh(page):
    """As a person does: the "Cymraeg" link of the language switch."""
    page.get_by_role("link", name="Cymraeg").first.click()
    # Not wait_for_function: while the 303 and the page it leads to load there is a moment with no <html> at all
    # (it failed CI once with "Cannot read properties of null"); expect() looks again until the new page is there.
    expect(page.locator("html")).to_have_attribute("lang", "cy")


# --- The real catalogue ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def welsh_english(tmp_path_factory):
    """The English of every message the code marks whose Welsh differs or is missing, as patterns (read once)."""
    extracted = extract_messages(tmp_path_factory.mktemp("pot"))
    return english_messages(with_welsh(extracted, read_catalogue(WELSH_PO)))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_is_in_welsh(page, welsh_world, welsh_english, role):
    sign_in(page, person(welsh_world, role))
    choose_welsh(page)
    user_data = user_data_of_database()
    problems = []
    for url, key in pages_for(role, welsh_world.ids):
        response = page.goto(url)
        assert response.ok, f"{url}: {response.status}"
        lang = page.evaluate("document.documentElement.lang")
        if lang != "cy":
            problems.append(f"{url}: <html lang={lang!r}>")
        problems += [f"{url}: {left}" for left in english_left(page_texts(page), welsh_english, user_data)]
        if needs_axe(key):
            assert_accessible(page, f"cy-{role}-{slug(key)}")
    assert not problems, (f"English left on Welsh pages ({len(problems)}; the first 100):\n"
                          + "\n".join(problems[:100]))


def test_a_kept_page_opens_in_welsh_with_no_signal(page, context, welsh_world, welsh_english):
    """Rhys's phone keeps his day and his visit in English; he chooses Cymraeg; with no signal both open in
    Welsh (the worker fetched them again after the change), and so does a page never kept (the offline page)."""
    reviewer = welsh_world.reviewer
    sign_in(page, reviewer)
    wait_for_worker(page)
    day = f"/itinerary?date={welsh_world.day.isoformat()}"
    visit = f"/visits/{welsh_world.home_visit.id}"
    wait_for_kept_pages(page, [visit, day])
    choose_welsh(page)
    # The first load after the change fetches the kept pages again, in Welsh.
    wait_until(page, f"""(async () => {{
        const kept = await (await caches.open('pages')).match({visit!r});
        return !!kept && (await kept.text()).includes('<html lang="cy"');
    }})()""")
    user_data = user_data_of_database()
    context.set_offline(True)
    for url in (visit, day, "/glossary"):  # the glossary was never kept: the offline page answers
        response = page.goto(url)
        assert response.from_service_worker, url
        assert page.evaluate("document.documentElement.lang") == "cy", url
        left = english_left(page_texts(page), welsh_english, user_data)
        assert not left, f"{url} with no signal:\n" + "\n".join(left[:50])
    context.set_offline(False)


def slug(rule: str) -> str:
    """"GET /notes/<note_id>/history" -> "notes-history": one screenshot name per page, run after run."""
    path = re.sub(r"<[^>]+>", "", rule.split(" ", 1)[-1])
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:60] or "home"


# --- Pseudo-Welsh: what never goes through gettext ------------------------------------------------------------------


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory):
    return write_pseudo_translations(tmp_path_factory.mktemp("pseudo"))


@pytest.fixture
def app(request, tmp_path):
    """The usual app (tests/conftest.py), or — parametrized indirectly with "pseudo" — one reading the pseudo-Welsh
    catalogue. Flask-Babel's loaded catalogues are forgotten around it (fresh_translations): they are shared by
    every app in the process."""
    settings = {}
    if getattr(request, "param", None) == "pseudo":
        settings["BABEL_TRANSLATION_DIRECTORIES"] = str(request.getfixturevalue("pseudo_translations"))
    with fresh_translations(), sqlite_app(tmp_path, **settings) as app:
        yield app


@pytest.mark.skipif(not (os.environ.get("FIELDWORK_PSEUDO_WELSH") or os.environ.get("FIELDWORK_UNTRANSLATED_REPORT")),
                    reason="about 70 s: tests/i18n/test_every_string_through_gettext.py checks the same from the "
                           "HTML in `make test`; FIELDWORK_PSEUDO_WELSH=1 runs it in Chromium")
@pytest.mark.parametrize("app", ["pseudo"], indirect=True)
def test_every_visible_string_on_every_page_goes_through_the_catalogue(browser, live_server, welsh_world,
                                                                       pseudo_translations):
    """Each role's pages with every message pseudo-translated: a text without the marker (user data, Babel's
    Welsh dates and the product's name aside) is hard-coded English in a template, Python or a script, a
    `_(variable)` on a literal nobody marked, or a JSON block built without gettext."""
    user_data = user_data_of_database()
    allowed = (*welsh_date_words(), *SAME_IN_BOTH)
    english = english_messages(read_catalogue(pseudo_translations / "cy" / "LC_MESSAGES" / "messages.po"))
    found: dict[str, dict[str, set[str]]] = {}
    for role in ROLES:
        context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server.url,
                                      locale="en-GB", timezone_id="Europe/London")
        page = context.new_page()
        sign_in(page, person(welsh_world, role))
        choose_welsh(page)
        for url, _rule in pages_for(role, welsh_world.ids):
            page.goto(url)
            shown = urlsplit(page.url).path
            texts = page_texts(page)
            # What the Welsh test relies on holds: lang="cy", and english_left takes no text that is not a
            # message (user data, dates, numbers) for English.
            assert page.evaluate("document.documentElement.lang") == "cy", url
            assert not english_left([t for t in texts if MARKER not in t["text"]], english, user_data), url
            for text in unmarked(texts, user_data, allowed):
                key = f"{text['kind']}: {text['text']!r} in {text['where']}"
                found.setdefault(shown, {}).setdefault(key, set()).add(role)
        context.close()
    report = untranslated_report(found)
    if os.environ.get("FIELDWORK_UNTRANSLATED_REPORT"):
        Path(os.environ["FIELDWORK_UNTRANSLATED_REPORT"]).write_text(report, encoding="utf-8")
    assert not found, "Text that never goes through gettext (cannot be translated):\n" + report
