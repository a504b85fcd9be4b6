"""Cymraeg with no signal (issue 13): once a person switches to Welsh, the pages their phone keeps, the offline
page and every word the sync bar and the list of waiting changes show are Welsh, offline too; switching back to
English brings them back in English.

The Welsh expected is the catalogue's, read in the app (`force_locale("cy")`): while a message is not translated
yet its Welsh entry is its English, and the test still proves the page took it from the Welsh catalogue, with
<html lang="cy">, which the scripts' dates and plural rules follow."""
from __future__ import annotations

from flask_babel import force_locale, gettext, ngettext
from playwright.sync_api import expect

from ..support.browser import assert_accessible, sign_in, wait_for_kept_pages, wait_for_worker, wait_until

OFFLINE_HEADING = "No signal, and this page is not on your phone"
OUTBOX_HEADING = "Changes waiting on this phone"
NOTE = "Nodyn: mae'r lifft grisiau wedi torri."


def words(app, locale: str, message: str, **values) -> str:
    with app.test_request_context("/"), force_locale(locale):
        return gettext(message, **values)


def counted(app, locale: str, singular: str, plural: str, count: int) -> str:
    with app.test_request_context("/"), force_locale(locale):
        return ngettext(singular, plural, count, count=count)


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def wait_for_kept_language(page, urls, lang: str):
    """Until every kept page and the kept offline page are in `lang` (their <html lang>): the prefetch after the
    switch has run."""
    wait_until(page, f"""async () => {{
        const pages = await caches.open('pages');
        for (const url of {list(urls)!r}) {{
            const kept = await pages.match(url);
            if (!kept || !(await kept.text()).includes('<html lang="{lang}"')) return false;
        }}
        const shells = (await caches.keys()).filter((name) => name.startsWith('shell-'));
        for (const name of shells) {{
            const offline = await (await caches.open(name)).match('/offline', {{ignoreVary: true}});
            if (!offline || offline.headers.get('Content-Language') !== '{lang}') return false;
        }}
        return shells.length > 0;
    }}""", timeout=20)


def assert_welsh_clock(page):
    """Fieldwork.clock (static/js/fieldwork.js) writes a time three days ago with its day and month, in the page's
    language: the names Welsh gives them (CLDR, as Babel has them), not English's."""
    from babel import Locale

    when = page.evaluate("""() => {
        const d = new Date(Date.now() - 3 * 86400000);
        d.setHours(20, 14, 0, 0);
        return {text: Fieldwork.clock(d.toISOString()), weekday: d.getDay(), month: d.getMonth() + 1,
                today: Fieldwork.clock(new Date().toISOString())};
    }""")
    welsh = Locale.parse("cy")
    day = welsh.days["format"]["abbreviated"][(when["weekday"] + 6) % 7]  # Babel's week starts on Monday
    month = welsh.months["format"]["abbreviated"][when["month"]]
    assert day in when["text"] and month in when["text"] and "20:14" in when["text"], when
    assert len(when["today"]) == 5 and when["today"][2] == ":", when  # today's: the time alone


def write_note(page, app, text: str):
    form = page.locator("#notes form.note-form:not([data-waiting-edit])")
    form.get_by_label(words(app, "cy", "Kind of note")).select_option("home_visit")
    form.get_by_label(words(app, "cy", "Note"), exact=True).fill(text)
    form.get_by_role("button", name=words(app, "cy", "Save note")).click()


def test_a_phone_switched_to_cymraeg_opens_its_kept_pages_in_welsh_offline_and_back_in_english(page, context, app,
                                                                                                 team):
    sign_in(page, team.reviewer)
    visit = f"/visits/{team.home_visit.id}"
    kept = ["/", visit, "/outbox"]
    page.goto(visit)
    wait_for_worker(page)
    wait_for_kept_pages(page, kept)
    assert html_lang(page) == "en-GB"

    # The switch: the same page, in Welsh; the phone's kept pages and offline page follow.
    page.get_by_role("link", name="Cymraeg", exact=True).click()
    # The switch answers 303 to the URL the page is already on, so wait_for_url would return at once: wait for the
    # new page's <html> instead.
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    wait_for_kept_language(page, kept, "cy")
    # The manifest the shell keeps follows too (its description is translated; an installed app shows it).
    description = words(app, "cy", "Your review itinerary and visit notes, on and off line.")
    wait_until(page, f"""async () => {{
        const shells = (await caches.keys()).filter((name) => name.startsWith('shell-'));
        const kept = shells.length && await (await caches.open(shells[0])).match('/manifest.webmanifest');
        return !!kept && (await kept.json()).description === {description!r};
    }}""", timeout=20)
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "welsh-itinerary-360")
    # The times the scripts write ("saved on this phone ..."): another day's names it in Welsh.
    assert_welsh_clock(page)
    # Counted messages carry Welsh's six plural forms, and the browser picks among them by Welsh rules.
    forms = page.evaluate("JSON.parse(document.getElementById('ui-strings').textContent).waiting")
    assert set(forms) == {"zero", "one", "two", "few", "many", "other"}
    assert page.evaluate("[0, 1, 2, 3, 6, 7].map(n => new Intl.PluralRules(document.documentElement.lang)"
                         ".select(n))") == ["zero", "one", "two", "few", "many", "other"]

    context.set_offline(True)
    response = page.goto(visit)
    assert response.from_service_worker and html_lang(page) == "cy"
    expect(page.locator("#sync-now")).to_have_text(words(app, "cy", "Sync now"))

    # Saved with no signal: the words the scripts show are the page's Welsh, counted by Welsh's plural rules
    # (two notes: Welsh's "two" form, which English lacks).
    page.evaluate("document.querySelectorAll('details').forEach(fold => { fold.open = true; })")
    write_note(page, app, NOTE)
    write_note(page, app, NOTE + " Eto.")
    expect(page.locator("#sync-text")).to_contain_text(
        counted(app, "cy", "%(count)s change waiting", "%(count)s changes waiting", 2), timeout=15000)
    waiting_since = words(app, "cy", "Waiting to send — saved on this phone %(time)s", time="{time}")
    expect(page.locator("#notes [data-waiting-item]").first).to_contain_text(waiting_since.split("{time}")[0])

    # The list of what waits, with no signal: in Welsh.
    response = page.goto("/outbox")
    assert response.from_service_worker and html_lang(page) == "cy"
    expect(page.get_by_role("heading", level=1)).to_have_text(words(app, "cy", OUTBOX_HEADING))
    expect(page.locator("#outbox-list > li")).to_have_count(2)
    expect(page.locator("#outbox-list > li").first).to_contain_text(waiting_since.split("{time}")[0])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "welsh-outbox-offline-360")

    # A page never kept: the offline page, in Welsh.
    page.goto("/visits/999999")
    assert html_lang(page) == "cy"
    expect(page.get_by_role("heading", level=1)).to_have_text(words(app, "cy", OFFLINE_HEADING))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "welsh-offline-page-360")

    # Back in English: the notes go, the phone follows, and offline it is English again.
    context.set_offline(False)
    page.goto(visit)
    synced = words(app, "cy", "All synced %(time)s", time="{time}").split("{time}")[0]
    expect(page.locator("#sync-text")).to_contain_text(synced, timeout=15000)
    page.get_by_role("link", name="English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    wait_for_kept_language(page, kept, "en-GB")
    context.set_offline(True)
    assert page.goto(visit).from_service_worker and html_lang(page) == "en-GB"
    expect(page.locator("#sync-now")).to_have_text("Sync now")
    page.goto("/visits/999999")
    assert html_lang(page) == "en-GB"
    expect(page.get_by_role("heading", level=1)).to_have_text(OFFLINE_HEADING)


def test_the_workers_own_last_resort_text_is_in_the_language_of_the_last_page(page, context, app, team):
    """With even the offline page gone from the phone, the worker's own words: the last page's language."""
    page.goto("/login?lang=cy")
    assert html_lang(page) == "cy"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "welsh-sign-in-360")
    wait_for_worker(page)
    wait_until(page, """async () => {
        const shells = (await caches.keys()).filter((name) => name.startsWith('shell-'));
        if (!shells.length) return false;
        const told = await (await caches.open(shells[0])).match('/__fieldwork/page-language');
        return !!told && (await told.text()) === 'cy';
    }""")
    page.evaluate("""async () => {
        for (const name of await caches.keys()) await (await caches.open(name)).delete('/offline');
    }""")
    context.set_offline(True)
    page.goto("/visits/999999")
    assert page.locator("body").inner_text().strip() == words(app, "cy", OFFLINE_HEADING)
