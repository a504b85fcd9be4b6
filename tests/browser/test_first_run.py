"""A real review from an empty database, with nothing but the CLI and a browser (issue 9's "done when"): an
administrator made from the terminal sets a password and enrols two-factor, creates a review and invites its
lead reviewer, a reviewer and the link officer; each follows their link, sets a password (a common one is refused),
signs in; the link officer imports a programme and the reviewer sees their visit."""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pyotp
from playwright.sync_api import expect

from visits.extensions import db
from visits.models import Review, User, Visit

from ..support.browser import assert_accessible, fill_password_step

PASSWORD_OF = {"admin": "a kettle on the windowsill", "lead": "seven hills of rhondda", "reviewer":
               "blue door by the chapel", "link": "tea urn in the civic centre"}


def path_of(url: str) -> str:
    return urlsplit(url).path


def choose_password(page, link_path: str, password: str, *, try_common_first: bool = False):
    page.goto(link_path)
    if try_common_first:
        page.get_by_label("Password", exact=True).fill("qwertyuiop123")
        page.get_by_role("button", name="Set password").click()
        expect(page.get_by_text("one of the most common").first).to_be_visible()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/login**")


def enrol_two_factor(page) -> None:
    page.wait_for_url("**/account/two-factor")
    secret = page.locator("#totp-secret").text_content().strip()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(lambda url: "/account/two-factor" not in url)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login**")


def invite(page, review_id: int, email: str, name: str, role: str) -> str:
    page.goto(f"/admin/reviews/{review_id}")
    page.locator("#member-email").fill(email)
    page.locator("#member-name").fill(name)
    page.locator("#member-role").select_option(role)
    page.get_by_role("button", name="Add to the team").click()
    link = page.locator("#issued-link")
    expect(link).to_be_visible()
    return path_of(link.input_value())


def test_a_review_is_set_up_from_an_empty_database_with_the_cli_and_a_browser(page, app, tmp_path):
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    made = app.test_cli_runner().invoke(args=["create-admin", "ann@inspectorate.example", "--name", "Ann Admin"])
    assert made.exit_code == 0, made.output
    admin_link = re.search(r"https?://\S+/invite/\S+", made.output).group(0)

    # The administrator: password, then two-factor before anything else.
    choose_password(page, path_of(admin_link), PASSWORD_OF["admin"])
    page.goto("/login")
    page.get_by_label("Email").fill("ann@inspectorate.example")
    page.get_by_label("Password").fill(PASSWORD_OF["admin"])
    page.get_by_role("button", name="Sign in").click()
    enrol_two_factor(page)

    today = datetime.now(ZoneInfo("Europe/London")).date()
    page.goto("/admin")
    page.get_by_label("Council").fill("Cyngor Bro Morgannwg")
    page.get_by_label("First day on site").fill(today.isoformat())
    page.get_by_label("Last day on site").fill(today.isoformat())
    page.get_by_role("button", name="Create the review").click()
    page.wait_for_url(re.compile(r".*/admin/reviews/\d+(\?.*)?$"))
    review_id = int(re.search(r"/admin/reviews/(\d+)", page.url).group(1))
    assert db.session.get(Review, review_id).council_name == "Cyngor Bro Morgannwg"

    links = {
        "lead": invite(page, review_id, "lowri@inspectorate.example", "Lowri Lead", "lead_reviewer"),
        "reviewer": invite(page, review_id, "rhys@inspectorate.example", "Rhys Reviewer", "reviewer"),
        "link": invite(page, review_id, "lisa@council.example", "Lisa Link", "link_officer"),
    }
    assert_accessible(page, "first-run-review-team")
    sign_out(page)

    # The lead: a common password is refused in words, a good one accepted; two-factor; an empty itinerary.
    choose_password(page, links["lead"], PASSWORD_OF["lead"], try_common_first=True)
    fill_password_step(page, db.session.scalar(db.select(User).filter_by(email="lowri@inspectorate.example")),
                       PASSWORD_OF["lead"])
    enrol_two_factor(page)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sign_out(page)

    # The link officer: two-factor, a place, then the programme from a spreadsheet.
    link_officer = db.session.scalar(db.select(User).filter_by(email="lisa@council.example"))
    choose_password(page, links["link"], PASSWORD_OF["link"])
    fill_password_step(page, link_officer, PASSWORD_OF["link"])
    enrol_two_factor(page)
    page.goto(f"/programme/setup?review={review_id}")
    page.locator("#place-name").fill("Civic Centre")
    page.locator("#place-kind").select_option("council_office")
    page.get_by_role("button", name="Add the place").click()
    expect(page.get_by_role("rowheader", name="Civic Centre")).to_be_visible()
    spreadsheet = tmp_path / "programme.csv"
    spreadsheet.write_text(
        "date,start,end,kind,title,location,team,participants,case,status,briefing\n"
        f"{today.isoformat()},10:00,11:00,team_visit,Visit to the duty team,Civic Centre,Rhys Reviewer,,,planned,\n",
        encoding="utf-8")
    page.goto(f"/programme/import?review={review_id}")
    page.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 1 visit").click()
    page.wait_for_url("**/programme?*")
    assert db.session.scalar(db.select(db.func.count(Visit.id)).filter_by(review_id=review_id)) == 1
    sign_out(page)

    # The reviewer (two-factor optional for them): their visit is on today's itinerary.
    reviewer = db.session.scalar(db.select(User).filter_by(email="rhys@inspectorate.example"))
    choose_password(page, links["reviewer"], PASSWORD_OF["reviewer"])
    fill_password_step(page, reviewer, PASSWORD_OF["reviewer"])
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_text("Visit to the duty team").first).to_be_visible()
    assert_accessible(page, "first-run-reviewer-itinerary")
