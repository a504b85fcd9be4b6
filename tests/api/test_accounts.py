"""One's own account (DESIGN section 10): invitation and reset links, asking for a reset (by a real SMTP server on
loopback), changing one's password, and the devices one is signed in on."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from visits.accounts import service
from visits.clock import system_utcnow
from visits.extensions import db
from visits.models import AccountToken, AuditEvent, LoginSession, TokenPurpose

from ..support import factories as f
from ..support.apps import sqlite_app
from ..support.clients import Client, csrf_from
from ..support.factories import PASSWORD
from ..support.smtp import body_of, link_in, mail_app, smtp_server  # noqa: F401 (fixtures)

GOOD_PASSWORD = "marmalade kettle orchard seventeen"
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36")
LAPTOP_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def invited(email="nia@example.test", name="Nia Newcomer") -> tuple:
    user = service.create_account(email, name, by=None)
    link = service.invite(user, by=None)
    db.session.commit()
    return user, path_of(link.url)


def reset_link(user) -> str:
    link = service.issue_reset(user, by=None)
    db.session.commit()
    return path_of(link.url)


def set_password(client: Client, path: str, password: str):
    return client.post(path, data={"password": password})


def device(app, user, user_agent: str, password: str = PASSWORD) -> Client:
    """Signed in from a browser that names itself `user_agent`."""
    client = Client(app)
    client.http.environ_base["HTTP_USER_AGENT"] = user_agent
    page = client.http.get("/login")
    response = client.http.post("/login", data={"email": user.email, "password": password,
                                                "csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def without_csrf(page: str) -> str:
    return re.sub(r'(name="csrf[-_]token" (?:content|value)=")[^"]+"', r'\1"', page)


@pytest.fixture
def reviewer(app):
    review = f.gen_review()
    user = f.gen_member(review, "reviewer", name="Rhys Reviewer", email="rhys@example.test")
    db.session.commit()
    return user


# --- Invitations ----------------------------------------------------------------------------------------------

def test_an_invited_person_chooses_a_password_and_then_signs_in(app, client):
    user, path = invited()
    page = client.get(path)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "nia@example.test" in text and 'autocomplete="new-password"' in text
    assert 'name="username" autocomplete="username" value="nia@example.test"' in text

    response = set_password(client, path, GOOD_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Password set. Sign in." in client.get("/login").get_data(as_text=True)
    client.login(user, password=GOOD_PASSWORD)
    assert client.get("/account").status_code == 200
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="invitation_accepted", user_id=user.id))


def test_a_common_password_is_refused_beside_the_field_and_the_link_still_works(app, client):
    _, path = invited()
    response = set_password(client, path, "password1234")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "one of the most common" in text
    assert 'aria-invalid="true"' in text and 'aria-describedby="password-hint password-error"' in text
    assert set_password(client, path, "Nia Newcomer 2026!").status_code == 400  # her own name
    assert set_password(client, path, "short").status_code == 400
    assert set_password(client, path, "").status_code == 400
    assert set_password(client, path, "x" * 5000).status_code == 400  # bounded before any hashing
    assert set_password(client, path, GOOD_PASSWORD).status_code == 302


def test_a_link_works_once_and_used_expired_unknown_or_wrong_purpose_links_get_one_page(app, client):
    user, path = invited()
    assert set_password(client, path, GOOD_PASSWORD).status_code == 302
    used = client.get(path)
    unknown = client.get("/invite/not-a-real-token")
    assert used.status_code == unknown.status_code == 404
    assert without_csrf(used.get_data(as_text=True)) == without_csrf(unknown.get_data(as_text=True))
    assert "This link does not work" in used.get_data(as_text=True)
    assert set_password(client, path, "another good passphrase here").status_code == 404

    reset_path = reset_link(user)
    assert client.get(reset_path.replace("/password-reset/", "/invite/")).status_code == 404
    db.session.query(AccountToken).filter_by(user_id=user.id, used_at=None).update(
        {"expires_at": system_utcnow() - timedelta(seconds=1)})
    db.session.commit()
    expired = client.get(reset_path)
    assert expired.status_code == 404
    assert without_csrf(expired.get_data(as_text=True)) == without_csrf(unknown.get_data(as_text=True))


def test_a_disabled_accounts_link_is_the_invalid_page(app, client):
    admin = f.gen_user(is_admin=True)
    user, path = invited()
    service.disable(user, by=admin)
    db.session.commit()
    assert client.get(path).status_code == 404
    assert set_password(client, path, GOOD_PASSWORD).status_code == 404


# --- Resets ---------------------------------------------------------------------------------------------------

def test_a_reset_request_answers_the_same_for_known_and_unknown_emails(app, client, reviewer):
    known = client.post("/password-reset", data={"email": "rhys@example.test"})
    unknown = client.post("/password-reset", data={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.get_data(as_text=True)) == without_csrf(unknown.get_data(as_text=True))
    # The known one did get a link (written to the log: no mail server here); the unknown one made nothing.
    assert db.session.query(AccountToken).filter_by(purpose=TokenPurpose.reset).count() == 1


def test_without_a_mail_server_the_reset_pages_say_to_ask_the_coordinator(app, client, reviewer):
    assert "Ask your review’s coordinator" in client.get("/password-reset").get_data(as_text=True)
    answer = client.post("/password-reset", data={"email": "rhys@example.test"}).get_data(as_text=True)
    assert "cannot send mail" in answer and "Ask your review’s coordinator" in answer


def test_a_malformed_email_is_a_field_message(app, client):
    response = client.post("/password-reset", data={"email": "not an email"})
    assert response.status_code == 400
    assert "Enter an email address like name@example.org." in response.get_data(as_text=True)
    assert client.post("/password-reset", data={"email": "a@b.cd" * 100}).status_code == 400


def test_reset_mail_arrives_by_smtp_with_a_link_that_works(mail_app, smtp_server):
    user = f.gen_user(name="Rhys Reviewer", email="rhys@example.test")
    db.session.commit()
    client = Client(mail_app)
    page = client.post("/password-reset", data={"email": "Rhys@Example.test"}).get_data(as_text=True)
    assert "a link to choose a new password is on its way" in page
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "rhys@example.test" and "Reset your Fieldwork password" in message["Subject"]
    link = link_in(message)
    assert "/password-reset/" in link
    assert "Choose a new password" in client.get(path_of(link)).get_data(as_text=True)
    assert set_password(client, path_of(link), GOOD_PASSWORD).status_code == 302
    client.login(user, password=GOOD_PASSWORD)


def test_no_mail_is_sent_for_an_unknown_or_disabled_account(mail_app, smtp_server):
    user = f.gen_user(email="gone@example.test")
    user.active = False
    db.session.commit()
    client = Client(mail_app)
    client.post("/password-reset", data={"email": "gone@example.test"})
    client.post("/password-reset", data={"email": "nobody@example.test"})
    assert smtp_server.wait_for(1, timeout=0.5) == []


def test_an_invitation_mail_arrives_by_smtp(mail_app, smtp_server):
    inviter = f.gen_user(name="Cerys Coordinator")
    user = service.create_account("nia@example.test", "Nia Newcomer", by=inviter)
    link = service.invite(user, by=inviter)
    db.session.commit()
    assert link.emailed
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "nia@example.test" and "Cerys Coordinator" in body_of(message)
    assert link_in(message) == link.url
    assert Client(mail_app).get(path_of(link.url)).status_code == 200


def test_a_reset_ends_every_session_of_the_account(app, reviewer):
    old_phone = device(app, reviewer, PHONE_UA)
    assert old_phone.get("/account").status_code == 200
    path = reset_link(reviewer)
    stranger = Client(app)
    assert set_password(stranger, path, GOOD_PASSWORD).status_code == 302
    response = old_phone.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert db.session.query(LoginSession).filter_by(user_id=reviewer.id, revoked_at=None).count() == 0


def test_reset_requests_are_rate_limited(tmp_path, reviewer):
    with sqlite_app(tmp_path, "limits", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://") as limited:
        client = Client(limited)
        statuses = [client.post("/password-reset", data={"email": "someone@example.test"}).status_code
                    for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


# --- One's own account ----------------------------------------------------------------------------------------

def test_the_account_page_shows_who_and_how_they_sign_in(app, reviewer):
    client = device(app, reviewer, PHONE_UA)
    page = client.get("/account").get_data(as_text=True)
    assert "Rhys Reviewer" in page and "rhys@example.test" in page
    assert 'href="/account/two-factor"' in page and 'href="/account/password"' in page
    assert 'href="/account/sessions"' in page
    assert "Off" in page  # no authenticator yet
    assert "Never" not in page  # has just signed in


@pytest.mark.parametrize("path", ["/account", "/account/password", "/account/sessions"])
def test_account_pages_need_a_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_wrong_current_password_is_refused_and_the_policy_applies(app, reviewer):
    client = device(app, reviewer, PHONE_UA)
    wrong = client.post("/account/password", data={"current_password": "not it", "new_password": GOOD_PASSWORD})
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.get_data(as_text=True)
    common = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "qwertyuiop123"})
    assert common.status_code == 400 and "most common" in common.get_data(as_text=True)
    missing = client.post("/account/password", data={})
    assert missing.status_code == 400 and "Enter your current password." in missing.get_data(as_text=True)
    client.login(reviewer)  # the password is unchanged


def test_changing_ones_password_ends_the_other_sessions_but_not_this_one(app, reviewer):
    phone = device(app, reviewer, PHONE_UA)
    laptop = device(app, reviewer, LAPTOP_UA)
    response = phone.post("/account/password", data={"current_password": PASSWORD, "new_password": GOOD_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Your password is changed" in phone.get("/account").get_data(as_text=True)
    assert laptop.get("/account").status_code == 302
    device(app, reviewer, LAPTOP_UA, password=GOOD_PASSWORD)
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="password_changed", user_id=reviewer.id))


def test_the_sessions_page_lists_both_devices_and_ends_the_other(app, reviewer):
    phone = device(app, reviewer, PHONE_UA)
    laptop = device(app, reviewer, LAPTOP_UA)
    page = phone.get("/account/sessions").get_data(as_text=True)
    assert "Chrome on Android" in page and "Firefox on Linux" in page
    assert page.count("This device") == 1
    assert page.index("Chrome on Android") < page.index("This device") < page.index("Firefox on Linux") \
        or page.index("Firefox on Linux") < page.index("Chrome on Android") < page.index("This device")
    response = phone.post("/account/sessions/end-others")
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 302
    page = phone.get("/account/sessions").get_data(as_text=True)
    assert "Firefox on Linux" not in page and "signed out" in page


def test_one_chosen_device_can_be_signed_out_but_only_ones_own(app, reviewer):
    phone = device(app, reviewer, PHONE_UA)
    laptop = device(app, reviewer, LAPTOP_UA)
    other = f.gen_user()
    db.session.commit()
    someone_else = device(app, other, LAPTOP_UA)
    sessions = {row.user_agent: row.id for row in db.session.query(LoginSession).filter_by(user_id=reviewer.id)}
    others_session = db.session.query(LoginSession).filter_by(user_id=other.id).one().id
    assert phone.post(f"/account/sessions/{others_session}/end").status_code == 404
    assert someone_else.get("/account").status_code == 200
    assert phone.post(f"/account/sessions/{sessions[PHONE_UA]}/end").status_code == 404  # this one: Sign out
    assert phone.post(f"/account/sessions/{sessions[LAPTOP_UA]}/end").status_code == 302
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 200


def test_account_pages_show_nothing_of_notes_or_service_users(app):
    world = f.gen_review()
    reviewer = f.gen_member(world, "reviewer", name="Rhys Reviewer")
    service_user = f.gen_participant(world, "service_user", name="Gwilym Secretname")
    visit = f.gen_visit(world, team=[reviewer], participants=[service_user], kind="home_visit")
    f.gen_note(visit, reviewer, body="Planted note text XYZZY.", kind="home_visit")
    db.session.commit()
    client = device(app, reviewer, PHONE_UA)
    for path in ("/account", "/account/sessions", "/account/password"):
        page = client.get(path).get_data(as_text=True)
        assert "Rhys Reviewer" in page
        assert "Gwilym" not in page and "Secretname" not in page and "XYZZY" not in page
