"""Issue 14, item 3 on a phone (360 px): the lone-worker alert settings page, and the duress code -- set on the
account page, typed in the check-out's code box with no signal, kept on the phone until it is sent but never shown
on /outbox, and once sent, an ordinary check-out on the phone and an alert for the lead and link officers."""
from __future__ import annotations

from playwright.sync_api import expect

from visits.extensions import db
from visits.models import AlertEvent, AlertKind

from ..support.browser import (
    assert_accessible, keep_screenshot, outbox, sign_in, wait_for_kept_pages, wait_for_worker, wait_until,
    wait_until_all_sent,
)
from .test_recording import happening_now

CODE = "27182818"


def test_the_alert_settings_page_on_a_phone(page, team):
    sign_in(page, team.link)
    page.goto(f"/alerts/settings?review={team.review.id}")
    expect(page.locator("#no-out-of-hours-email")).to_be_visible()
    assert_accessible(page, "alerts-settings")
    page.get_by_label("Lead and link officers after").fill("30")
    page.get_by_label("Out-of-hours contact after").fill("20")
    page.get_by_label("Out-of-hours email").fill("not an address")
    page.get_by_role("button", name="Save the alert settings").click()
    expect(page.locator("#error-summary")).to_contain_text("comes after")
    expect(page.locator("#error-summary")).to_contain_text("email address")
    assert_accessible(page, "alerts-settings-errors")
    page.get_by_label("Lead and link officers after").fill("10")
    page.get_by_label("Out-of-hours contact after").fill("25")
    page.get_by_label("Out-of-hours email").fill("edt@council.example")
    page.get_by_role("button", name="Save the alert settings").click()
    expect(page.locator("p.notice")).to_contain_text("Saved")
    expect(page.locator("#no-out-of-hours-email")).to_have_count(0)


def test_a_duress_check_out_with_no_signal_looks_like_any_other(page, context, team):
    happening_now(team.home_visit)
    sign_in(page, team.reviewer)
    page.goto("/account")
    page.get_by_role("link", name="Duress code for check-outs").click()
    page.wait_for_url("**/account/duress-code")
    assert_accessible(page, "duress-code")
    page.get_by_label("Code", exact=True).fill(CODE)
    page.get_by_label("The code again").fill(CODE)
    page.get_by_role("button", name="Save the code").click()
    expect(page.locator("p.notice")).to_contain_text("Your duress code is saved")
    assert CODE not in page.content()

    url = f"/visits/{team.home_visit.id}"
    page.goto(url)
    wait_for_worker(page)
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_role("button", name="Check out")).to_be_visible()
    wait_until_all_sent(page)  # the check-in has reached the server, so the page it serves has the code box
    page.reload()
    wait_for_kept_pages(page, [url, "/outbox"])
    code_box = page.get_by_label("Code (optional)")
    expect(code_box).to_be_visible()
    assert code_box.get_attribute("type") == "password"
    assert_accessible(page, "duress-check-out-field")

    context.set_offline(True)
    page.reload()
    page.get_by_label("Code (optional)").fill(CODE)
    page.get_by_role("button", name="Check out").click()
    wait_until(page, "(async () => (await FieldworkOutbox.opsOf(document.body.getAttribute('data-user-key')))"
                     ".some(o => o.type === 'visit.check_out'))()")
    (waiting,) = [op for op in outbox(page) if op["type"] == "visit.check_out"]
    assert waiting["data"]["code"] == CODE  # on the phone until it is sent (IndexedDB)...
    page.goto("/outbox")
    expect(page.locator("main")).to_contain_text("Checked out at")
    assert CODE not in page.content()  # ...but never shown on the list of waiting changes
    keep_screenshot(page, path="test-artifacts/duress-outbox.png", full_page=True)

    context.set_offline(False)
    page.goto(url)
    wait_until_all_sent(page)
    db.session.rollback()
    (event,) = db.session.scalars(db.select(AlertEvent)).all()
    assert event.kind is AlertKind.duress and event.user_id == team.reviewer.id
    page.reload()
    expect(page.locator("#check")).to_contain_text("Checked out at")
    assert "help" not in page.locator("#check").inner_text().lower()
    assert page.locator("#team-alerted").count() == 0
