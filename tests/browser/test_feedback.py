"""Service users' feedback on a phone, in real Chromium: a lay assessor hands over the easy-read questionnaire at a
day centre with no signal, using only the keyboard; the answers wait in the outbox and reach the server once when
the signal returns. The questionnaire and the lead's and link officer's pages are axe-clean at 360 px, and the
questionnaire still fits at 200 % zoom."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from visits.extensions import db
from visits.models import Feedback, Operation

from ..support import factories as f
from ..support.browser import (
    assert_accessible, keep_screenshot, outbox, sign_in, unfold, wait_for_kept_pages, wait_for_worker,
)

COMMENT = "The lift was broken again."


@pytest.fixture
def centre_visit(app, team):
    """Lena the lay assessor's visit to a day centre today, where she meets Mrs Jones."""
    centre = f.gen_location(team.review, "day_facility", name="Maes Day Centre")
    team.setting_visit = f.gen_visit(team.review, team=[team.lay], participants=[team.service_user],
                                     kind="setting_visit", location=centre, title="Setting visit: Maes Day Centre")
    db.session.commit()
    return team


def focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        return {tag: e.tagName, name: e.getAttribute('name') || '', value: e.value || '',
                text: (e.innerText || e.textContent || '').trim(), type: e.type || ''}; }""")


def tab_to(page, wanted, limit: int = 60) -> dict:
    """Press Tab until the focused element matches `wanted` (a predicate on focused()), as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            return now
    raise AssertionError(f"never reached by Tab; last focus {focused(page)}")


def answer(page, presses: list[str]) -> None:
    """Tab into this screen's choices, choose with the arrow keys or Space, then Enter for the next screen."""
    tab_to(page, lambda e: e["type"] == "radio")
    for key in presses:
        page.keyboard.press(key)
    page.keyboard.press("Enter")


def sticking_out(page) -> list[str]:
    """The elements that reach past the right edge of the screen (they would make the page scroll sideways)."""
    return page.evaluate("""() => { const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return [];
        return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1
            && e.getClientRects().length).map(e => e.tagName + '.' + e.className + ' ' + e.id
            + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 15); }""")


def saved_feedback():
    db.session.expire_all()
    return db.session.scalars(db.select(Feedback)).all()


def test_lay_assessor_records_feedback_offline_with_the_keyboard_and_it_reaches_the_server_once(
        page, context, centre_visit):
    team = centre_visit
    visit_url = f"/visits/{team.setting_visit.id}"
    questionnaire = f"{visit_url}/feedback"
    sign_in(page, team.lay)
    page.goto(visit_url)
    wait_for_worker(page)
    wait_for_kept_pages(page, [visit_url, questionnaire])

    context.set_offline(True)
    page.reload()
    unfold(page, "feedback")
    tab_to(page, lambda e: e["text"] == "Ask for feedback")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{questionnaire}")
    expect(page.get_by_text("Page 1 of")).to_be_visible()
    expect(page.get_by_role("group", name="Can we ask you a few questions about today?")).to_be_visible()

    answer(page, ["Space"])                      # consent: "Yes, I will answer"
    # At a day centre the phone names nobody: the person answering may not see who else is there.
    expect(page.get_by_role("group", name="Who is answering?")).to_have_count(0)
    assert "Mrs Eira Jones" not in page.content()
    expect(page.get_by_role("group", name="Were you treated with respect?")).to_be_visible()
    answer(page, ["ArrowDown"] * 4)               # Very good
    answer(page, ["ArrowDown"] * 3)               # Did staff listen? Good
    answer(page, ["ArrowUp"])                     # information: "I'd rather not say" (wraps to the last)
    answer(page, ["Space"])                       # getting in: Very bad
    expect(page.get_by_role("group", name="Did you have a say in your care?")).to_be_visible()
    tab_to(page, lambda e: e["text"] == "Next")   # skipped: no answer is kept for it
    page.keyboard.press("Enter")
    answer(page, ["ArrowDown", "ArrowDown"])      # overall: OK
    expect(page.get_by_role("group", name="Which language did you answer in?")).to_be_visible()
    tab_to(page, lambda e: e["text"] == "Next")
    page.keyboard.press("Enter")
    answer(page, ["ArrowDown", "ArrowDown", "ArrowDown"])   # supported by: a carer
    tab_to(page, lambda e: e["tag"] == "TEXTAREA")
    page.keyboard.type(COMMENT)
    tab_to(page, lambda e: e["text"] == "Finish")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Thank you")).to_be_focused()
    expect(page.get_by_text("Your answers are saved on this phone")).to_be_visible()
    waiting = outbox(page)
    assert [op["type"] for op in waiting] == ["feedback.record"] and saved_feedback() == []
    assert waiting[0]["data"]["answers"] == {"respect": "5", "listened": "4", "information": "declined",
                                             "getting_in": "1", "overall": "3"}

    context.set_offline(False)
    expect(page.locator("#sync-text")).to_contain_text("All synced", timeout=15000)
    (stored,) = saved_feedback()
    assert stored.answers == {"respect": 5, "listened": 4, "information": "declined", "getting_in": 1, "overall": 3}
    assert stored.comment == COMMENT and stored.supported_by.value == "carer" and stored.language == "en"
    assert stored.participant_id is None and stored.recorded_by_id == team.lay.id
    assert db.session.scalar(db.select(db.func.count()).select_from(Operation)
                             .where(Operation.type == "feedback.record")) == 1
    assert outbox(page) == []

    # The next person: the same page, a fresh questionnaire; "No, thank you" records nothing at all.
    page.get_by_role("button", name="Ask someone else").click()
    page.get_by_text("No, thank you").click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Nothing was written down")).to_be_visible()
    assert outbox(page) == [] and len(saved_feedback()) == 1


def test_the_questionnaire_is_accessible_on_a_phone_and_fits_at_200_percent_zoom(page, centre_visit):
    team = centre_visit
    sign_in(page, team.lay)
    page.goto(f"/visits/{team.setting_visit.id}/feedback")
    assert_accessible(page, "feedback-consent-360")
    page.get_by_text("Yes, I will answer").click()
    page.get_by_role("button", name="Next").click()
    page.locator("[data-fb-step]:not([hidden])").get_by_text("Very good").click()
    assert_accessible(page, "feedback-question-360")

    # 200 % zoom on a 360 px phone: 180 CSS pixels across. Nothing scrolls sideways; every choice and both
    # buttons are whole on screen and still at least 48 px tall.
    page.set_viewport_size({"width": 180, "height": 370})
    assert sticking_out(page) == []
    for target in [page.get_by_role("button", name="Back"), page.get_by_role("button", name="Next"),
                   *page.locator("[data-fb-step]:not([hidden]) .fb-choice").all()]:
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 180 and box["height"] >= 48, box
    keep_screenshot(page, path="test-artifacts/feedback-question-200-percent.png", full_page=True)

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/visits/{team.setting_visit.id}/feedback")
    page.get_by_text("No, thank you").click()
    page.get_by_role("button", name="Next").click()
    assert_accessible(page, "feedback-declined-360")


def test_the_leads_summary_and_the_link_officers_counts_are_accessible(page, app, centre_visit):
    team = centre_visit
    for score, comment in ((5, "Kind staff"), (2, ""), ("declined", "Too noisy at lunch")):
        db.session.add(Feedback(visit_id=team.setting_visit.id, recorded_by_id=team.lay.id, consent=True,
                                answers={"respect": score, "overall": 4}, comment=comment))
    db.session.commit()
    sign_in(page, team.lead)
    page.goto(f"/feedback?review={team.review.id}")
    expect(page.get_by_text("Too noisy at lunch")).to_be_visible()
    assert_accessible(page, "feedback-summary-lead-360")
    page.get_by_label("Add what was done").fill("Asked for a quiet room at lunchtime")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Asked for a quiet room at lunchtime")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, "feedback-summary-lead-1280")
    page.goto(f"/feedback/questions?review={team.review.id}")
    assert_accessible(page, "feedback-questions-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    assert_accessible(page, "feedback-questions-360")

    page.context.clear_cookies()
    sign_in(page, team.link)
    page.goto(f"/feedback?review={team.review.id}")
    expect(page.get_by_role("cell", name="Maes Day Centre")).to_be_visible()
    assert "Too noisy" not in page.content() and "Kind staff" not in page.content()
    assert_accessible(page, "feedback-counts-link-360")


def test_what_a_lay_assessor_recorded_is_listed_for_them_accessibly(page, centre_visit):
    team = centre_visit
    db.session.add(Feedback(visit_id=team.setting_visit.id, recorded_by_id=team.lay.id, consent=True,
                            answers={"respect": 4, "overall": "declined"}, comment="Warm welcome"))
    db.session.commit()
    sign_in(page, team.lay)
    page.goto(f"/visits/{team.setting_visit.id}")
    expect(page.locator("#feedback")).to_contain_text("You recorded 1 person’s feedback here.")
    unfold(page, "feedback")
    page.get_by_role("link", name="All the feedback you recorded").click()
    expect(page.get_by_text("Warm welcome")).to_be_visible()
    expect(page.get_by_text("Were you treated with respect? Good")).to_be_visible()
    assert_accessible(page, "feedback-own-lay-360")
