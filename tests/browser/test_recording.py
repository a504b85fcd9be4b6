"""A reviewer does a home visit's work on the visit page of a phone -- checks in, writes the note, marks
attendance, checks out -- and the link officer's view of the same visit shows the attendance and the check-out
but never the note.

Three ways the same forms run, all ending in visits.sync.apply_operation:
- as shipped: static/js/op_forms.js puts each change in the IndexedDB outbox and sends it to /api/sync;
- htmx alone (the outbox script not loaded): the form posts to /visits/<id>/ops and its section is swapped;
- no JavaScript: the form posts, the server redirects back to the page.
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from visits.extensions import db
from visits.models import Operation

from ..support import factories as f
from ..support.browser import ARTIFACTS, assert_accessible, keep_screenshot, sign_in, wait_until_all_sent

NOTE = "Mrs Jones showed us her care plan; she has not seen her social worker since June."


def applied_in_ledger(op_type: str, count: int, timeout: float = 10.0) -> None:
    """Until the server's ledger holds `count` applied operations of this type (sent by the outbox)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # read what the server thread committed
        results = db.session.scalars(select(Operation.result).where(Operation.type == op_type)).all()
        if sum(result["status"] == "applied" for result in results) >= count:
            return
        assert not [r for r in results if r["status"] != "applied"], results
        time.sleep(0.1)
    raise AssertionError(f"{op_type} never reached the server")


def act(page, mode: str, op_type: str, count: int = 1) -> None:
    """After a tap: with the outbox, wait until the change is on the server and load the page again."""
    if mode == "outbox":
        applied_in_ledger(op_type, count)
        wait_until_all_sent(page)
        page.reload()


def happening_now(visit) -> None:
    """The visit starts five minutes ago, so checking in now is on time (a time far from it is asked about:
    tests/browser/test_check_times.py)."""
    now = datetime.now(ZoneInfo("Europe/London")).replace(tzinfo=None, second=0, microsecond=0)
    visit.starts_at, visit.ends_at = now - timedelta(minutes=5), now + timedelta(minutes=55)
    db.session.commit()


def unfold(page, name: str) -> None:
    """Open a folded part of the visit page (a native <details>), as a person taps its title."""
    fold = page.locator(f"#fold-{name}")
    if fold.get_attribute("open") is None:
        fold.locator("> summary").click()


def record_the_visit(page, team, mode: str):
    happening_now(team.home_visit)
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{team.home_visit.id}")

    page.get_by_role("button", name="Check in", exact=True).click()
    act(page, mode, "visit.check_in")
    expect(page.get_by_text("You checked in at")).to_be_visible()

    unfold(page, "notes")
    page.get_by_label("Kind of note").select_option("home_visit")
    page.get_by_label("Note", exact=True).fill(NOTE)
    page.get_by_role("button", name="Save note").click()
    act(page, mode, "note.save")
    if mode != "outbox":
        expect(page.get_by_text("Note saved (version 1).")).to_be_visible()
    expect(page.locator("#notes")).to_contain_text(NOTE)

    unfold(page, "attendance")
    attendance = page.get_by_role("group", name="Attendance of Mrs Eira Jones")
    attendance.get_by_role("button", name="Attended").click()
    act(page, mode, "attendance.set")
    if mode != "outbox":
        expect(page.get_by_text("Attendance recorded.")).to_be_visible()
    unfold(page, "attendance")
    attendance = page.get_by_role("group", name="Attendance of Mrs Eira Jones")
    expect(attendance.get_by_role("button", name="Attended")).to_have_attribute("aria-pressed", "true")

    page.get_by_role("button", name="Check out").click()
    act(page, mode, "visit.check_out")
    expect(page.locator("#check")).to_contain_text("Checked out at")  # with "Undo" for a few minutes
    if mode == "htmx":
        # The section was swapped in place and focus moved to its answer, so a screen reader hears it.
        expect(page.locator("#check [role=status]")).to_be_focused()
        assert "/ops" not in page.url
    if mode == "plain":
        assert page.url.endswith(f"/visits/{team.home_visit.id}#check")  # redirected back after the post
    if mode == "outbox":
        expect(page.locator("#attention")).to_be_hidden()  # nothing refused


def the_link_officer_sees_attendance_and_check_out_but_not_the_note(browser, browser_context_args, team):
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    sign_in(page, team.link)
    page.goto(f"/visits/{team.home_visit.id}")
    expect(page.locator("#attendance")).to_contain_text("Mrs Eira Jones")
    expect(page.locator("#attendance .badge.attendance-attended")).to_have_text("Attended")
    expect(page.locator("#check")).to_contain_text("Rhys Reviewer: checked out at")
    expect(page.locator("#check")).to_contain_text("Lena Lay: not checked in")
    assert NOTE not in page.content()
    expect(page.get_by_role("heading", name="Notes")).to_have_count(0)
    assert_accessible(page, "recording-link-officer-view")
    context.close()


def test_reviewer_records_a_home_visit_and_the_link_officer_sees_all_but_the_note(page, browser,
                                                                                  browser_context_args, team):
    record_the_visit(page, team, "outbox")
    assert_accessible(page, "recording-reviewer-after-visit")
    the_link_officer_sees_attendance_and_check_out_but_not_the_note(browser, browser_context_args, team)


def record_in_a_browser_of_its_own(browser, browser_context_args, team, how: str, *, blocked: str | None = None,
                                   **options) -> None:
    """Record the visit in a context with its own `options` (and the scripts matching `blocked` not loaded), then
    check what the link officer sees."""
    context = browser.new_context(**{**browser_context_args, **options})
    if blocked:
        context.route(blocked, lambda route: route.abort())
    record_the_visit(context.new_page(), team, how)
    context.close()
    the_link_officer_sees_attendance_and_check_out_but_not_the_note(browser, browser_context_args, team)


def test_the_same_visit_with_htmx_alone(browser, browser_context_args, team):
    record_in_a_browser_of_its_own(browser, browser_context_args, team, "htmx",
                                   blocked="**/static/js/{worker,op_forms,sync_bar,logout}.js*")


def test_the_same_visit_without_javascript(browser, browser_context_args, team):
    record_in_a_browser_of_its_own(browser, browser_context_args, team, "plain", java_script_enabled=False)


def test_a_note_that_cannot_be_saved_shows_why_next_to_the_field(browser, browser_context_args, team):
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    page = context.new_page()
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{team.home_visit.id}")
    unfold(page, "notes")
    page.get_by_label("Note", exact=True).fill("   ")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#new-note-body-error")).to_have_text("Write something before saving.")
    expect(page.get_by_label("Note", exact=True)).to_have_attribute("aria-describedby", "new-note-body-error")
    context.close()


def test_the_visit_page_fits_a_phone_and_passes_axe(page, team):
    f.gen_note(team.home_visit, team.reviewer, body="Earlier note: kitchen clean, fridge stocked.",
               kind="home_visit")
    f.gen_need(team.service_user, "interpreting", "Welsh")
    f.gen_concern(team.home_visit, team.reviewer, rating="amber")
    db.session.commit()
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{team.home_visit.id}")
    ARTIFACTS.mkdir(exist_ok=True)
    keep_screenshot(page, path=str(ARTIFACTS / "recording-visit-page-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sideways on a 360 px phone
    # Open every fold and the raise/arrange forms in them, so axe checks them too.
    page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")
    assert_accessible(page, "recording-visit-page")


def test_a_need_raised_on_the_phone_reaches_the_server_through_the_outbox(page, team):
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{team.home_visit.id}")
    unfold(page, "needs")
    page.get_by_text("Raise a need").click()
    page.get_by_label("What is needed").select_option("interpreting")
    page.get_by_label("Detail").fill("Polish")
    page.get_by_role("button", name="Raise the need").click()
    applied_in_ledger("need.set", 1)


def htmx_alone(browser, browser_context_args):
    context = browser.new_context(**browser_context_args)
    context.route("**/static/js/{worker,op_forms,sync_bar,logout}.js*", lambda route: route.abort())
    return context, context.new_page()


def test_with_htmx_alone_an_expired_form_token_is_renewed_and_the_note_sent(browser, browser_context_args,
                                                                            team):
    context, page = htmx_alone(browser, browser_context_args)
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{team.home_visit.id}")
    page.evaluate("""() => {
        document.querySelector('meta[name="csrf-token"]').content = 'expired-token';
        document.querySelectorAll('input[name="csrf_token"]').forEach(input => input.value = 'expired-token');
    }""")
    unfold(page, "notes")
    page.get_by_label("Note", exact=True).fill(NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note saved (version 1).")).to_be_visible()
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(Operation)) == 1
    context.close()


@pytest.mark.parametrize("ending", ["ended on the server", "cookie lapsed"])
def test_with_htmx_alone_an_ended_session_goes_to_sign_in_and_back_to_the_visit(browser, browser_context_args,
                                                                                team, ending):
    from visits.sessions import end_all_sessions

    happening_now(team.home_visit)
    context, page = htmx_alone(browser, browser_context_args)
    sign_in(page, team.reviewer)
    url = f"/visits/{team.home_visit.id}"
    page.goto(url)
    if ending == "cookie lapsed":  # after SESSION_DAYS the cookie, and the CSRF secret in it, are gone
        context.clear_cookies()
    else:
        end_all_sessions(team.reviewer)
        db.session.commit()
    page.get_by_role("button", name="Check in", exact=True).click()
    page.wait_for_url(lambda address: "/login" in address and "next=" in address)
    expect(page.get_by_label("Email")).to_be_visible()  # the whole page, not a form swapped into a section
    assert page.locator("#check").count() == 0
    page.get_by_label("Email").fill(team.reviewer.email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{url}")
    context.close()
