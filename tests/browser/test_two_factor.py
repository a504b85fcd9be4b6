"""Two-factor sign-in in a real browser: a lead enrols an authenticator app before anything else; a reviewer's
passkey (Chromium's virtual authenticator) as the second step and on its own; and an outbox kept through a
session that lapsed while offline, sent once the person has signed in again with a password and a code.

Served on `localhost`, not 127.0.0.1: an IP address is not a valid WebAuthn relying-party id (both are secure
contexts, so the service worker runs the same)."""
from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from visits.clock import system_utcnow
from visits.extensions import db
from visits.models import LoginSession, Note, Passkey

from ..support import factories as f
from ..support.browser import unfold
from ..support.browser import (
    LiveServer, assert_accessible, fill_code_step, fill_password_step, outbox, sign_in, wait_for_kept_pages,
    wait_for_worker, wait_until,
)
from ..support.clients import totp_code

NOTE = "The carer says the morning calls are often missed."


@pytest.fixture
def live_server(app):
    server = LiveServer(app, host="localhost")
    yield server
    server.stop()


def real_account(user):
    """Not a demo account: the second factor applies (tests' users are demo accounts unless told otherwise)."""
    user.is_demo = False
    db.session.commit()
    return user


def enrol(user) -> str:
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = system_utcnow()
    db.session.commit()
    return user.totp_secret


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login**")


def test_a_lead_is_sent_to_enrol_types_the_key_and_sees_recovery_codes(page, team):
    lead = real_account(f.gen_member(team.review, "lead_reviewer"))
    page.goto("/login")
    fill_password_step(page, lead)
    page.wait_for_url("**/account/two-factor")
    page.goto("/")  # any other page sends them back
    page.wait_for_url("**/account/two-factor")
    expect(page.locator("svg.qr-code")).to_be_visible()
    assert_accessible(page, "two-factor-enrolment")

    secret = page.locator("#totp-secret").text_content().strip()
    page.get_by_label("Code from the app").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#code-error")).to_contain_text("not right")
    assert_accessible(page, "two-factor-enrolment-error")

    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(lambda url: "/account/two-factor" not in url)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    sign_out(page)
    page.goto("/login")
    fill_password_step(page, lead)
    page.wait_for_url("**/login/two-factor")
    assert_accessible(page, "two-factor-second-step")
    fill_code_step(page, "12345")
    expect(page.locator("#code-error")).to_be_visible()
    assert_accessible(page, "two-factor-second-step-error")
    fill_code_step(page, totp_code(secret, lead))
    page.wait_for_url(lambda url: "/login" not in url)


def add_virtual_authenticator(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return cdp


def test_a_reviewer_registers_a_passkey_and_signs_in_with_it_after_the_password_and_alone(page, context, team):
    reviewer = real_account(team.reviewer)
    add_virtual_authenticator(context, page)
    sign_in(page, reviewer)  # no second factor yet: the password alone
    page.goto("/account/two-factor")
    page.get_by_label("Name for a new passkey").fill("Pixel phone")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url("**passkey_added=1")
    expect(page.locator(".passkey strong")).to_have_text("Pixel phone")
    assert_accessible(page, "two-factor-passkeys")
    db.session.expire_all()
    assert [p.name for p in db.session.scalars(db.select(Passkey).filter_by(user_id=reviewer.id))] == ["Pixel phone"]

    sign_out(page)
    page.goto("/login")
    fill_password_step(page, reviewer)
    page.wait_for_url("**/login/two-factor")  # a passkey is a second factor: the password is not enough now
    assert_accessible(page, "two-factor-second-step-passkey")
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    sign_out(page)
    page.get_by_role("button", name="Use a passkey instead").click()
    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.locator(".who")).to_have_text(reviewer.name)
    db.session.expire_all()
    assert db.session.scalars(db.select(Passkey).filter_by(user_id=reviewer.id)).one().last_used_at is not None


def test_an_outbox_kept_through_a_lapsed_session_is_sent_after_signing_in_with_a_code(page, context, team):
    reviewer = real_account(team.reviewer)
    secret = enrol(reviewer)
    sign_in(page, reviewer, totp_secret=secret)
    url = f"/visits/{team.home_visit.id}"
    page.goto(url)
    wait_for_worker(page)
    wait_for_kept_pages(page, [url])

    context.set_offline(True)
    unfold(page, "notes")
    page.get_by_label("Kind of note").select_option("home_visit")
    page.get_by_label("Note", exact=True).fill(NOTE)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#sync-text")).to_contain_text("1 change waiting", timeout=15000)

    for login in db.session.scalars(db.select(LoginSession).filter_by(user_id=reviewer.id)):
        login.revoked_at = system_utcnow()
    db.session.commit()
    context.set_offline(False)
    expect(page.locator("#sync-text")).to_contain_text("sign in to send", timeout=15000)
    assert len(outbox(page)) == 1

    page.get_by_role("link", name="Sign in to send").click()
    page.wait_for_url("**/login**")
    fill_password_step(page, reviewer)
    page.wait_for_url("**/login/two-factor")
    fill_code_step(page, totp_code(secret, reviewer))
    page.wait_for_url(f"**{url}")
    expect(page.locator("#sync-text")).to_contain_text("All synced", timeout=15000)
    wait_until(page, "async () => (await FieldworkOutbox.opsOf(document.body.getAttribute('data-user-key')))"
                     ".length === 0")
    db.session.expire_all()
    assert len(db.session.scalars(db.select(Note).filter_by(body=NOTE)).all()) == 1
