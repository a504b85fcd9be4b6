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
from visits.calendar.feed import new_token, token_hash
from visits.extensions import db
from visits.models import CalendarFeed

from ..support import factories as f
from ..support.apps import sqlite_app
from ..support.browser import assert_accessible, sign_in, wait_for_kept_pages, wait_for_worker, wait_until
from ..support.i18n import (
    WELSH_PO, english_left, english_messages, extract_messages, fresh_translations, page_texts,
    pseudo_catalogue, read_catalogue, unmarked, user_data_of_database, welsh_date_words, write_translations,
)
from ..support.routes import ADMIN_GETS, OK, ROUTE_DECISIONS, url_for_rule
from ..support.world import two_reviews_world

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


def pages_for(role: str, ids: dict) -> list[tuple[str, str]]:
    """Every page `role` may open (ROUTE_DECISIONS), with the world's ids in it, and its rule ("GET /visits/<int:
    visit_id>"); the site administrator (in no review) gets the pages everyone signed in gets and the
    administration's."""
    rules = sorted(key for key in ROUTE_DECISIONS if key.startswith("GET ") and not NOT_PAGES.search(key))
    if role == "admin":
        keys = [key for key in rules if ROUTE_DECISIONS[key]["other_review"] == OK]
        keys += [f"GET {path.replace('{review}', '<int:review_id>')}" for path in ADMIN_GETS]
    else:
        keys = [key for key in rules if ROUTE_DECISIONS[key][role] == OK]
    return [(url_for_rule(key, ids), key) for key in keys]


@pytest.fixture
def welsh_world(app):
    """review A's day (two_reviews_world) with a note and a concern on Rhys's home visit, his calendar feed, a
    site administrator, and the ids the pages are opened with."""
    world = two_reviews_world()
    world.note = f.gen_note(world.home_visit, world.reviewer, "Nodyn: mae'r gegin yn oer.", kind="home_visit")
    world.concern = f.gen_concern(world.home_visit, world.reviewer, "Pryder: drws tân ar agor.")
    world.admin = f.gen_user(name="Alun Admin", is_admin=True)
    db.session.add(CalendarFeed(user_id=world.reviewer.id, token_hash=token_hash(new_token())))
    db.session.commit()
    world.ids = {"review_id": world.review.id, "user_id": world.reviewer2.id, "visit_id": world.home_visit.id,
                 "case_id": world.case.id, "participant_id": world.service_user.id, "location_id": world.home.id,
                 "note_id": world.note.id, "day": world.day.isoformat(), "session_id": 999_999,
                 "token": "none"}
    return world


def person(world, role: str):
    return world.admin if role == "admin" else world.member(WHO[role])


def choose_welsh(page):
    """As a person does: the "Cymraeg" link of the language switch."""
    page.get_by_role("link", name="Cymraeg").first.click()
    page.wait_for_function("document.documentElement.lang === 'cy'")


# --- The real catalogue ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def welsh_english():
    """The English messages of the Welsh catalogue whose Welsh differs, as patterns (read once)."""
    return english_messages(read_catalogue(WELSH_PO))


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
            assert_accessible(page, f"cy-{role}-{slug(url)}")
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
        page.goto(url)
        assert page.evaluate("document.documentElement.lang") == "cy", url
        left = english_left(page_texts(page), welsh_english, user_data)
        assert not left, f"{url} with no signal:\n" + "\n".join(left[:50])
    context.set_offline(False)


def slug(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-")[:60] or "home"


# --- Pseudo-Welsh: what never goes through gettext ------------------------------------------------------------------


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pseudo")
    return write_translations(folder / "translations", pseudo_catalogue(extract_messages(folder)))


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
            # The checks of the Welsh test hold on a complete catalogue: no false alarm from user data or dates.
            assert page.evaluate("document.documentElement.lang") == "cy", url
            assert not english_left(texts, english, user_data), url
            for text in unmarked(texts, user_data, allowed):
                key = f"{text['kind']}: {text['text']!r} in {text['where']}"
                found.setdefault(shown, {}).setdefault(key, set()).add(role)
        context.close()
    report = untranslated_report(found)
    if os.environ.get("FIELDWORK_UNTRANSLATED_REPORT"):
        Path(os.environ["FIELDWORK_UNTRANSLATED_REPORT"]).write_text(report, encoding="utf-8")
    assert not found, "Text that never goes through gettext (cannot be translated):\n" + report


def untranslated_report(found: dict[str, dict[str, set[str]]]) -> str:
    """Grouped by page (what shows on most pages once, first), each text with where it was, the roles that saw
    it, and the files that seem to hold it."""
    pages_with = {}
    for texts in found.values():
        for text in texts:
            pages_with[text] = pages_with.get(text, 0) + 1
    everywhere = {text for text, count in pages_with.items() if count >= max(3, len(found) // 2)}
    groups = {"(on most pages: base.html and its partials)": {t: set() for t in everywhere}}
    for url, texts in found.items():
        for text, roles in texts.items():
            group = groups["(on most pages: base.html and its partials)"] if text in everywhere else \
                groups.setdefault(url, {})
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
    root = Path(__file__).resolve().parents[2]
    needles = [text] + sorted(re.split(r"[^\w' -]+", text), key=len, reverse=True)[:1]
    for needle in (n.strip() for n in needles):
        if len(needle) < 3:
            continue
        hits = []
        for folder, pattern in (("templates", "*.html"), ("visits", "*.py"), ("static/js", "*.js"),
                                ("service_worker", "*.js")):
            for path in (root / folder).rglob(pattern):
                if needle in path.read_text(encoding="utf-8", errors="replace"):
                    hits.append(str(path.relative_to(root)))
        if hits:
            return hits[:4]
    return []
