"""Issue 12, item 7 on a phone: checking in far from the visit's time is asked about before anything is queued
(offline too: the question and the window come with the page), and a check-out can be undone for a few minutes."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from visits.extensions import db
from visits.models import CheckIn, Operation, VisitStatus

from ..support.browser import assert_accessible, open_kept_visit, outbox, sign_in, wait_until_all_sent
from .test_recording import applied_in_ledger, happening_now


def tomorrow_at_this_time(visit) -> None:
    now = datetime.now(ZoneInfo("Europe/London")).replace(tzinfo=None, second=0, microsecond=0)
    visit.starts_at, visit.ends_at = now + timedelta(days=1), now + timedelta(days=1, hours=1)
    db.session.commit()


def test_checking_in_on_tomorrow_s_visit_asks_first_even_offline(page, context, team):
    tomorrow_at_this_time(team.home_visit)
    open_kept_visit(page, team.reviewer, team.home_visit)
    context.set_offline(True)
    page.reload()

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_role("button", name="Check in", exact=True)).to_be_visible()
    assert questions and "Check in anyway?" in questions[0]
    assert outbox(page) == []  # "No": nothing queued

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.get_by_role("button", name="Check out")).to_be_visible()
    (waiting,) = outbox(page)
    assert waiting["data"]["confirmed"] == "true"

    context.set_offline(False)
    applied_in_ledger("visit.check_in", 1)
    db.session.rollback()
    assert db.session.scalar(select(CheckIn)).checked_in_at is not None


def test_checking_in_on_time_asks_nothing_and_a_check_out_can_be_undone(page, team):
    happening_now(team.home_visit)
    sign_in(page, team.reviewer)
    page.goto(f"/visits/{team.home_visit.id}")
    page.on("dialog", lambda dialog: (_ for _ in ()).throw(AssertionError(f"asked: {dialog.message}")))

    page.get_by_role("button", name="Check in", exact=True).click()
    applied_in_ledger("visit.check_in", 1)
    wait_until_all_sent(page)
    page.reload()
    page.get_by_role("button", name="Check out").click()
    applied_in_ledger("visit.check_out", 1)
    wait_until_all_sent(page)
    page.reload()
    expect(page.locator("#check")).to_contain_text("Checked out at")
    undo = page.get_by_role("button", name="Undo the check-out")
    expect(undo).to_be_visible()
    assert_accessible(page, "visit-page-check-out-undo")

    undo.click()
    applied_in_ledger("visit.undo_check_out", 1)
    wait_until_all_sent(page)
    page.reload()
    expect(page.get_by_text("You checked in at")).to_be_visible()
    expect(page.get_by_role("button", name="Check out")).to_be_visible()
    db.session.rollback()
    assert db.session.get(type(team.home_visit), team.home_visit.id).status is VisitStatus.in_progress
    assert db.session.scalar(select(db.func.count()).select_from(Operation)) == 3
