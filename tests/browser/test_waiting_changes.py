"""Changes made with no signal read as saved and can be found (issue 12, item 6): a note saved offline is listed
with the visit's notes, marked waiting, and can be edited there while the form is free for the next one; other
waiting changes are marked on the visit page; /outbox lists everything waiting on the phone, opens with no
signal, and is where a change the server turned back is read, fixed or (after a confirmation) discarded.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from playwright.sync_api import expect

from visits.clock import LONDON
from visits.extensions import db
from visits.models import Note, Operation

from ..support.browser import assert_accessible, keep_screenshot, open_kept_visit, outbox

FIRST = "First note: Mrs Jones says the carers come late."
EDITED = "First note, edited: the carers come late most mornings, never at night."
SECOND = "Second note: the stair lift is broken."
FIXED = "Written again after the server turned back an empty note."


def open_visit_ready_for_offline(page, team):
    url = open_kept_visit(page, team.reviewer, team.home_visit, also=["/outbox"])
    unfold(page)
    return url


def unfold(page):
    """The visit page folds its sections on a phone: open them all, as a person would tap them open."""
    page.evaluate("document.querySelectorAll('details').forEach(fold => { fold.open = true; })")


def write_note(page, text):
    form = page.locator("#notes form.note-form:not([data-waiting-edit])")
    form.get_by_label("Kind of note").select_option("home_visit")
    form.get_by_label("Note", exact=True).fill(text)
    form.get_by_role("button", name="Save note").click()


def expect_bar(page, text):
    expect(page.locator("#sync-text")).to_contain_text(text, timeout=15000)


def bodies():
    db.session.expire_all()
    return sorted(db.session.scalars(db.select(Note.body)).all())


def test_two_notes_saved_offline_are_listed_as_waiting_one_is_edited_and_both_arrive_once(page, context, team):
    url = open_visit_ready_for_offline(page, team)
    context.set_offline(True)
    waiting = page.locator("#notes [data-waiting-item]")

    write_note(page, FIRST)
    expect(waiting).to_have_count(1)
    expect(waiting.first).to_contain_text(FIRST)
    expect(waiting.first).to_contain_text("Waiting to send — saved on this phone")
    expect(page.locator("#new-note-body")).to_have_value("")  # the form is free for another note
    expect(page.get_by_text("No notes yet.")).to_be_hidden()

    write_note(page, SECOND)
    expect(waiting).to_have_count(2)
    expect(waiting.nth(1)).to_contain_text(SECOND)

    # Note 1 is edited while it waits: the same note, the same waiting change.
    first_id = outbox(page)[0]["data"]["note_id"]
    waiting.nth(0).get_by_role("button", name="Edit").click()
    editing = waiting.nth(0).locator("form")
    expect(editing.get_by_label("Note", exact=True)).to_have_value(FIRST)
    editing.get_by_label("Note", exact=True).fill(EDITED)
    keep_screenshot(waiting.nth(0), path="test-artifacts/waiting-note-editing-360.png")
    editing.get_by_role("button", name="Save note").click()
    expect(waiting.nth(0)).to_contain_text(EDITED)
    expect(waiting).to_have_count(2)
    ops = outbox(page)
    assert [op["data"]["body"] for op in ops] == [EDITED, SECOND]
    assert ops[0]["data"]["note_id"] == first_id
    expect_bar(page, "2 changes waiting")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "waiting-notes-on-the-visit-360")
    keep_screenshot(page.locator("#notes"), path="test-artifacts/waiting-notes-section-360.png")

    # The bar's count leads to the list of everything waiting, which opens with no signal.
    page.locator("#sync-text a").click()
    page.wait_for_url("**/outbox")
    items = page.locator("#outbox-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(EDITED)
    expect(items.nth(0)).to_contain_text(team.home_visit.title)  # the visit it was written on
    expect(items.nth(1)).to_contain_text(SECOND)
    expect(items.nth(0)).to_contain_text("Waiting to send — saved on this phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "outbox-offline-360")

    page.goto(url)
    unfold(page)
    assert bodies() == []
    context.set_offline(False)
    expect_bar(page, "All synced")
    expect(waiting).to_have_count(0)
    expect(page.locator("#notes")).to_contain_text(EDITED)
    expect(page.locator("#notes")).to_contain_text(SECOND)
    assert bodies() == sorted([EDITED, SECOND])
    assert db.session.scalar(db.select(db.func.count()).select_from(Operation)) == 2
    assert outbox(page) == []


def test_a_change_the_server_turns_back_is_read_fixed_and_resent_or_discarded_after_asking(page, context, team):
    url = open_visit_ready_for_offline(page, team)
    context.set_offline(True)
    # Two notes saved with nothing written: the server turns both back.
    for _ in range(2):
        page.locator("#notes form.note-form:not([data-waiting-edit])").get_by_role("button", name="Save note").click()
    expect_bar(page, "2 changes waiting")
    context.set_offline(False)
    expect_bar(page, "2 need your attention")
    assert bodies() == []

    page.locator("#sync-text a").click()
    page.wait_for_url("**/outbox")
    items = page.locator("#outbox-list > li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Not accepted: Note: ")  # the field as the page words it, not "body"
    assert_accessible(page, "outbox-refused-360")

    # Fixed: the text is written, and it is sent again.
    items.nth(0).get_by_role("button", name="Fix it").click()
    items.nth(0).get_by_label("Note", exact=True).fill(FIXED)
    items.nth(0).get_by_role("button", name="Send again").click()
    expect_bar(page, "1 needs your attention")
    expect(items).to_have_count(1)
    assert bodies() == [FIXED]

    # Discarded: only after saying so; "Keep it" keeps it.
    items.nth(0).get_by_role("button", name="Discard this change").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Discard this change?")
    assert_accessible(page, "outbox-discard-dialog-360")
    dialog.get_by_role("button", name="Keep it").click()
    expect(items).to_have_count(1)
    items.nth(0).get_by_role("button", name="Discard this change").click()
    dialog.get_by_role("button", name="Discard it").click()
    expect(items).to_have_count(0)
    expect(page.get_by_text("Nothing is waiting on this phone.")).to_be_visible()
    expect_bar(page, "All synced")
    assert outbox(page) == []
    assert bodies() == [FIXED]
    assert db.session.scalar(db.select(db.func.count()).select_from(Note)) == 1
    page.goto(url)
    unfold(page)
    expect(page.locator("#notes")).to_contain_text(FIXED)


def test_attendance_and_a_check_in_made_offline_are_marked_waiting_not_confirmed(page, context, team):
    # The visit is now, so checking in needs no "are you sure" about the time.
    start = datetime.now(LONDON).replace(tzinfo=None, second=0, microsecond=0) - timedelta(minutes=5)
    team.home_visit.starts_at, team.home_visit.ends_at = start, start + timedelta(hours=1)
    db.session.commit()
    open_visit_ready_for_offline(page, team)
    context.set_offline(True)

    person = page.locator("#attendance li").filter(has_text="Mrs Eira Jones")
    person.get_by_role("button", name="Attended").click()
    expect(person.get_by_role("button", name="Attended")).to_have_attribute("aria-pressed", "true")
    expect(person.locator("[data-op-state]")).to_contain_text("waiting")

    page.locator("#check").get_by_role("button", name="Check in").click()
    check = page.locator("#check [data-waiting-item]")
    expect(check).to_contain_text("Checked in at")
    expect(check).to_contain_text("Waiting to send — saved on this phone")
    expect(page.locator("#check")).not_to_contain_text("You checked in at")  # not as if the server had it

    concerns = page.locator("#concerns")
    concerns.get_by_label("Health and safety").check()
    concerns.get_by_label("Amber").check()
    concerns.get_by_label("What you saw or heard").fill("The stair lift is broken.")
    concerns.get_by_role("button", name="Raise the concern").click()
    expect(concerns.get_by_label("What you saw or heard")).to_have_value("")  # free for another concern
    needs = page.locator("#needs")
    needs.get_by_label("What is needed").select_option("interpreting")
    needs.get_by_label("Detail").fill("Welsh")
    needs.get_by_role("button", name="Raise the need").click()
    expect(page.locator("#needs [data-waiting-item]")).to_contain_text("Welsh")
    expect_bar(page, "4 changes waiting")

    page.reload()  # from the phone's copy: the marks are laid over it again
    unfold(page)
    expect(page.locator("#check [data-waiting-item]")).to_contain_text("Waiting to send")
    expect(person.locator("[data-op-state]")).to_contain_text("waiting")
    expect(page.locator("#concerns [data-waiting-item]")).to_contain_text("The stair lift is broken.")
    expect(page.locator("#concerns [data-waiting-item]")).to_contain_text("Waiting to send")
    expect(page.locator("#needs [data-waiting-item]")).to_contain_text("Welsh")
    expect(page.locator("#needs [data-waiting-item]")).to_contain_text("Waiting to send")
    expect(page.get_by_text("No concerns raised on this visit.")).to_be_hidden()
    keep_screenshot(page.locator("#check"), path="test-artifacts/waiting-check-in-360.png")
    keep_screenshot(page.locator("#concerns"), path="test-artifacts/waiting-concern-360.png")
    assert_accessible(page, "waiting-marks-on-the-visit-360")

    page.goto("/outbox")
    expect(page.locator("#outbox-list > li")).to_have_count(4)
    expect(page.locator("#outbox-list")).to_contain_text("Attended")
    expect(page.locator("#outbox-list")).to_contain_text("Checked in at")
    expect(page.locator("#outbox-list")).to_contain_text("The stair lift is broken.")

    context.set_offline(False)
    expect_bar(page, "All synced")
    expect(page.locator("#outbox-list > li")).to_have_count(0)
