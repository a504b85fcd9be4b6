"""Working with no signal: changes made offline wait on the phone, survive the tab closing, a failing server, an
expired session and a deploy, and reach the server exactly once; logout leaves nothing behind.

The network is cut with `context.set_offline(True)` (the phone's view: no signal, `navigator.onLine` false, the
`online` event on return). Where the point is the server failing while the phone has signal, the server itself
answers 500 or is stopped, so the browser sees real failed requests.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from visits.extensions import db
from visits.models import Attendance, AttendanceStatus, LoginSession, Note, NoteRevision, Operation
from visits.sessions import end_all_sessions

from ..support import factories as f
from ..support.browser import LiveServer, assert_accessible, open_kept_visit, sign_in, unfold
from ..support.browser import kept_pages_text, outbox, wait_for_kept_pages, wait_for_worker, wait_until

NOTE = "Mrs Jones says the carers come late most mornings."


def open_visit_ready_for_offline(page, team):
    return open_kept_visit(page, team.reviewer, team.home_visit)


def write_note(page, text=NOTE):
    unfold(page, "notes")
    page.get_by_label("Kind of note").select_option("home_visit")
    page.get_by_label("Note", exact=True).fill(text)
    page.get_by_role("button", name="Save note").click()


def attended_button(page):
    unfold(page, "attendance")
    return page.locator("#attendance li").filter(has_text="Mrs Eira Jones").get_by_role("button", name="Attended")


def expect_bar(page, text):
    expect(page.locator("#sync-text")).to_contain_text(text, timeout=15000)


def notes_with(body):
    db.session.expire_all()
    return db.session.scalars(db.select(Note).filter_by(body=body)).all()


def attendance_of(team):
    db.session.expire_all()
    return db.session.scalars(db.select(Attendance).filter_by(visit_id=team.home_visit.id,
                                                              participant_id=team.service_user.id)).one()


def test_changes_made_offline_wait_survive_a_new_tab_and_arrive_exactly_once(page, context, team):
    url = open_visit_ready_for_offline(page, team)
    context.set_offline(True)

    write_note(page)
    expect(page.locator("#notes [data-op-state]")).to_have_text("Saved on this phone — waiting to sync")
    attended_button(page).click()
    expect(attended_button(page)).to_have_attribute("aria-pressed", "true")
    expect_bar(page, "2 changes waiting")

    page.close()
    tab = context.new_page()
    response = tab.goto(url)
    assert response.from_service_worker
    # The note reads as saved: listed with the visit's notes, marked waiting, the form free for another one.
    expect(tab.locator("#notes [data-waiting-item]")).to_contain_text(NOTE)
    expect(tab.get_by_label("Note", exact=True)).to_have_value("")
    expect(attended_button(tab)).to_have_attribute("aria-pressed", "true")
    expect_bar(tab, "2 changes waiting")
    assert notes_with(NOTE) == []

    context.set_offline(False)
    expect_bar(tab, "All synced")
    expect(tab.locator("#notes")).to_contain_text(NOTE)
    assert len(notes_with(NOTE)) == 1
    assert attendance_of(team).status is AttendanceStatus.attended
    assert outbox(tab) == []


class FailingSync:
    """Middleware: the server applies sync batches but the answer is lost (500) while `failures` lasts —
    the worst case for exactly-once. `calls` counts the batches applied and answered 500. The live server is
    threaded, so two batches may arrive at once: the counters change under a lock."""

    def __init__(self, app, failures):
        self.app, self.failures, self.calls = app, failures, 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/api/sync":
            with self.lock:
                fail = self.failures > 0
                if fail:
                    self.failures -= 1
            if fail:
                body = b"".join(self.app(environ, lambda *args, **kwargs: None))
                del body
                start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")])
                with self.lock:
                    self.calls += 1
                return [b"lost"]
        return self.app(environ, start_response)

    def lost(self) -> int:
        with self.lock:
            return self.calls


def sync_now_until(page, done, what: str, timeout: float = 20.0):
    """Tap "Sync now" (it does not wait for the backoff) until `done()` is true, letting each tap's round finish
    before the next; fail after `timeout` seconds, however many taps a slow machine needed."""
    text = page.locator("#sync-text")
    deadline = time.monotonic() + timeout
    while not done():
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{what}: not so after {timeout:.0f} s of tapping Sync now "
                                 f"(the bar says {text.inner_text()!r})")
        page.get_by_role("button", name="Sync now").click()
        expect(text).not_to_have_text("Sending…", timeout=max(left, 1) * 1000)


def bar_says(page, words: str):
    return lambda: words in page.locator("#sync-text").inner_text()


def test_a_failing_server_loses_and_duplicates_nothing(page, context, team, app, live_server):
    open_visit_ready_for_offline(page, team)
    failing = FailingSync(app.wsgi_app, failures=2)
    app.wsgi_app = failing

    write_note(page)
    expect(page.locator("#notes [data-op-state]")).to_have_text("Saved on this phone — waiting to sync")
    page.wait_for_function("() => document.body.getAttribute('data-sync-waiting') === '1'")
    # The first answers are lost: the server applied the batch, the phone heard 500 and keeps the change.
    sync_now_until(page, lambda: failing.lost() == 2, "two batches applied with their answers lost")
    assert failing.calls == 2 and failing.failures == 0
    # Answered at last ("duplicate"), and it leaves the phone.
    sync_now_until(page, bar_says(page, "All synced"), "the change synced once the server answers")

    # Then the server goes away altogether, and comes back on the same address.
    port = live_server.server.server_port
    live_server.stop()
    attended_button(page).click()
    expect_bar(page, "1 change waiting")
    restarted = LiveServer(app, port=port)
    try:
        sync_now_until(page, bar_says(page, "All synced"), "the change synced once the server is back")
    finally:
        restarted.stop()

    assert len(notes_with(NOTE)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(NoteRevision).join(Note)
                             .where(Note.body == NOTE)) == 1
    assert attendance_of(team).status is AttendanceStatus.attended
    assert db.session.scalar(db.select(db.func.count()).select_from(Operation)) == 2


@pytest.mark.parametrize("ending", ["lapsed", "revoked"])
def test_a_session_that_expires_offline_keeps_the_outbox_until_sign_in(page, context, team, app, ending):
    url = open_visit_ready_for_offline(page, team)
    context.set_offline(True)
    write_note(page)
    expect_bar(page, "1 change waiting")

    # The session ends on the server while the phone is offline: its SESSION_DAYS run out, or it is ended.
    if ending == "lapsed":
        for login in db.session.scalars(db.select(LoginSession).filter_by(user_id=team.reviewer.id)):
            login.created_at -= app.permanent_session_lifetime + timedelta(minutes=1)
    else:
        end_all_sessions(team.reviewer)
    db.session.commit()
    context.set_offline(False)
    expect_bar(page, "sign in to send")
    assert len(outbox(page)) == 1 and notes_with(NOTE) == []

    page.get_by_role("link", name="Sign in to send").click()
    page.wait_for_url("**/login**")
    # Landing on the sign-in page: the lapsed person's kept pages go (their waiting change stays for them, and
    # is sent below once they are signed in again).
    wait_until(page, "async () => (await (await caches.open('pages')).keys()).length === 0")
    page.get_by_label("Email").fill(team.reviewer.email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{url}")
    expect_bar(page, "All synced")
    assert len(notes_with(NOTE)) == 1


def test_two_devices_editing_one_note_offline_end_in_a_merge_not_an_overwrite(browser, browser_context_args, team):
    note = f.gen_note(team.home_visit, team.reviewer, body="First thoughts.", kind="home_visit")
    db.session.commit()
    edit_url = f"/visits/{team.home_visit.id}?edit={note.id}"
    devices = []
    for _ in range(2):
        context = browser.new_context(**browser_context_args)
        page = context.new_page()
        sign_in(page, team.reviewer)
        page.goto(edit_url)
        wait_for_worker(page)
        wait_for_kept_pages(page, [edit_url])
        context.set_offline(True)
        devices.append((context, page))

    for (context, page), text in zip(devices, ("Phone: she was upbeat.", "Tablet: she seemed tired.")):
        editing = page.locator(f"#note-{note.id}")
        editing.get_by_label("Note", exact=True).fill(text)
        editing.get_by_role("button", name="Save note").click()
        expect_bar(page, "1 change waiting")

    (phone_context, phone), (tablet_context, tablet) = devices
    phone_context.set_offline(False)
    expect_bar(phone, "All synced")
    tablet_context.set_offline(False)
    expect_bar(tablet, "1 needs your attention")
    expect(tablet.get_by_role("link", name="Open the merge view")).to_be_visible()

    db.session.expire_all()
    stored = db.session.get(Note, note.id)
    assert stored.body == "Phone: she was upbeat." and stored.in_conflict
    conflicts = [r.body for r in stored.revisions if r.is_conflict]
    assert conflicts == ["Tablet: she seemed tired."]

    assert_accessible(tablet, "sync-bar-needs-attention")
    tablet.get_by_role("link", name="Open the merge view").click()
    expect(tablet.get_by_text("Tablet: she seemed tired.").first).to_be_visible()
    expect(tablet.get_by_text("Phone: she was upbeat.").first).to_be_visible()
    assert_accessible(tablet, "note-merge-view")
    for context, _ in devices:
        context.close()


def test_a_deploy_replaces_the_shell_cache_and_the_outbox_survives(page, context, team, app, tmp_path):
    import shutil

    from visits import templating
    from visits.offline.build import build_version

    static_copy = tmp_path / "static"
    shutil.copytree(app.static_folder, static_copy)
    app.static_folder = str(static_copy)

    open_visit_ready_for_offline(page, team)
    old_caches = page.evaluate("caches.keys()")
    old_shell = [name for name in old_caches if name.startswith("shell-")]
    assert len(old_shell) == 1

    context.route("**/api/sync", lambda route: route.abort())  # the change stays waiting
    write_note(page)
    expect_bar(page, "1 change waiting")

    # The deploy: one static file changes, and the process starts afresh.
    with open(static_copy / "css" / "app.css", "a") as css:
        css.write("\n/* deploy 2 */\n")
    templating._asset_versions.clear()
    build_version.cache_clear()

    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    expect(page.get_by_role("button", name="Update")).to_be_visible(timeout=15000)
    assert len(outbox(page)) == 1  # the new worker waits: nothing swapped under the form
    with page.expect_navigation():
        page.get_by_role("button", name="Update").click()
    page.wait_for_function("!!navigator.serviceWorker.controller")

    shells = [name for name in page.evaluate("caches.keys()") if name.startswith("shell-")]
    assert len(shells) == 1 and shells != old_shell
    assert len(outbox(page)) == 1

    context.unroute("**/api/sync")
    page.get_by_role("button", name="Sync now").click()
    expect_bar(page, "All synced")
    assert len(notes_with(NOTE)) == 1


ALL_STORED_TEXT = """async () => {
    const texts = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            texts.push(await (await cache.match(request)).text());
        }
    }
    const names = (await indexedDB.databases()).map(d => d.name);
    for (const name of names) {
        const db = await new Promise((ok, fail) => {
            const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error);
        });
        for (const store of db.objectStoreNames) {
            const rows = await new Promise(ok => {
                const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result);
            });
            texts.push(JSON.stringify(rows));
        }
        db.close();
    }
    return texts.join('\\n');
}"""


def test_logout_with_waiting_changes_warns_and_then_leaves_no_note_text(page, context, team):
    f.gen_note(team.home_visit, team.reviewer, body="SYNCED-SECRET about Mrs Jones", kind="home_visit")
    db.session.commit()
    open_visit_ready_for_offline(page, team)
    context.route("**/api/sync", lambda route: route.abort())
    write_note(page, "WAITING-SECRET about Mrs Jones")
    expect_bar(page, "1 change waiting")
    stored = page.evaluate(ALL_STORED_TEXT)
    assert "SYNCED-SECRET" in stored and "WAITING-SECRET" in stored  # the test can see what it looks for

    page.get_by_role("button", name="Sign out").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("1 change has not reached the server")
    # Still no signal: "Sync now" says so rather than closing or doing nothing.
    dialog.get_by_role("button", name="Sync now").click()
    expect(dialog).to_contain_text("Still not sent: there is no connection")
    assert_accessible(page, "logout-dialog")
    expect(dialog.get_by_role("button", name="Sign out anyway")).to_be_disabled()
    dialog.get_by_label("I understand these changes will be lost").check()
    dialog.get_by_role("button", name="Sign out anyway").click()
    page.wait_for_url("**/login?signed_out=1")
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    # The signed-out page finishes its own clean-up a moment after it shows: poll rather than guess how long.
    wait_until(page, f"async () => !(await ({ALL_STORED_TEXT})()).includes('SECRET')")
    assert "SECRET" not in page.evaluate(ALL_STORED_TEXT)
    assert page.evaluate("localStorage.getItem('htmx-history-cache')") is None


def test_without_indexeddb_a_change_is_posted_directly_not_lost(page, context, team):
    context.add_init_script("indexedDB.open = () => { throw new Error('storage refused'); };")
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{team.home_visit.id}")
    write_note(page)
    expect(page.get_by_text("Note saved (version 1).")).to_be_visible()
    assert len(notes_with(NOTE)) == 1
    # Signing out does not wait on the storage that refused to open.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?signed_out=1")


def test_a_stale_csrf_token_is_renewed_and_the_batch_retried(page, context, team):
    open_visit_ready_for_offline(page, team)
    context.set_offline(True)
    write_note(page)
    expect_bar(page, "1 change waiting")
    # The page stayed open for a day: its token no longer matches anything the server signed.
    page.evaluate("""() => {
        document.querySelector('meta[name="csrf-token"]').content = 'expired-token';
        document.querySelectorAll('input[name="csrf_token"]').forEach(input => input.value = 'expired-token');
    }""")
    context.set_offline(False)
    expect_bar(page, "All synced")
    assert len(notes_with(NOTE)) == 1
    assert page.evaluate("document.querySelector('meta[name=\"csrf-token\"]').content") != "expired-token"


def test_another_person_signing_in_on_the_same_phone_never_sees_the_first_ones_pages(page, context, team):
    url = open_visit_ready_for_offline(page, team)
    assert "Mrs Eira Jones" in page.content()
    # The reviewer's session lapses on the server without a logout; the lay assessor signs in on the phone.
    end_all_sessions(team.reviewer)
    db.session.commit()
    context.clear_cookies()
    sign_in(page, team.lay)
    wait_until(page, """async () => {
        const cache = await caches.open('pages');
        const owner = await cache.match('/__fieldwork/current-user');
        return !!owner && (await owner.text()) === document.body.getAttribute('data-user-key');
    }""")
    kept = kept_pages_text(page)
    assert "Rhys Reviewer</span>" not in kept  # the reviewer's signed-in header is gone with his pages
    context.set_offline(True)
    page.goto(url)  # the lay assessor is on this visit too: she gets her own copy or the offline page
    assert "Sign out" in page.content() or "not on your phone" in page.content()
    assert "Rhys Reviewer</span>" not in page.content()
