"""Someone new follows their invitation on a phone: a common password is refused in words they can act on, a good
one is set, they sign in and later change it; and the account pages pass axe at 360 px."""
from __future__ import annotations

from visits.accounts import service

from ..support import factories as f
from ..support.browser import assert_accessible, sign_in

GOOD_PASSWORD = "marmalade kettle orchard seventeen"
NEWER_PASSWORD = "lighthouse bramble copper violin"


def test_an_invited_reviewer_sets_a_password_signs_in_and_changes_it(page, live_server, commit):
    review = f.gen_review()
    user = service.create_account("nia@example.test", "Nia Newcomer", by=None)
    f.join(user, review, "reviewer")
    user.is_demo = False  # a real account: reviewers need no second factor, so the password is enough
    link = service.invite(user, by=None)
    commit()
    path = "/" + link.url.split("/", 3)[3]

    page.goto(path)
    page.get_by_role("heading", name="Choose your password").wait_for()
    assert "nia@example.test" in page.content()
    assert_accessible(page, "account-invitation")
    page.get_by_label("Password", exact=True).fill("password1234")
    page.get_by_role("button", name="Set password").click()
    page.get_by_text("one of the most common ones").first.wait_for()
    assert_accessible(page, "account-invitation-refused")

    page.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/login")
    page.get_by_text("Password set. Sign in.").wait_for()
    sign_in(page, user, GOOD_PASSWORD)

    page.goto("/account")
    page.get_by_role("heading", name="Your account").wait_for()
    assert_accessible(page, "account-page")
    page.get_by_role("link", name="Change your password").click()
    page.wait_for_url("**/account/password")
    assert_accessible(page, "account-password")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill(NEWER_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("That is not your current password.").first.wait_for()
    assert_accessible(page, "account-password-refused")
    page.get_by_label("Current password").fill(GOOD_PASSWORD)
    page.get_by_label("New password").fill(NEWER_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url("**/account")
    page.get_by_text("Your password is changed").wait_for()

    page.get_by_role("link", name="Where you are signed in").click()
    page.wait_for_url("**/account/sessions")
    page.get_by_text("This device", exact=True).wait_for()
    assert_accessible(page, "account-sessions")


def test_the_reset_request_and_invalid_link_pages_are_accessible(page, live_server):
    page.goto("/login")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_url("**/password-reset")
    assert_accessible(page, "account-reset-request")
    page.get_by_label("Email").fill("someone@example.test")
    page.get_by_role("button", name="Send me a link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    assert_accessible(page, "account-reset-requested")
    page.goto("/password-reset/not-a-real-token")
    page.get_by_role("heading", name="This link does not work").wait_for()
    assert_accessible(page, "account-link-invalid")
