"""Two-factor sign-in (DESIGN section 10): the second step after a password, enrolment before anything else for
the roles that need it, recovery codes, and what is refused. Users here are real accounts (is_demo=False): the
second factor is waived for demo accounts outside production."""
from __future__ import annotations

import re
import time

import pyotp
import pytest

from visits.clock import system_utcnow
from visits.extensions import db
from visits.models import AuditEvent, LoginSession, Passkey, RecoveryCode, User
from visits.two_factor import codes

from ..support import factories as f
from ..support.apps import sqlite_app
from ..support.clients import Client, csrf_from, totp_code
from ..support.factories import PASSWORD


def enrol(user: User) -> str:
    """TOTP on for `user`, as enrolment leaves it; returns the secret."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = system_utcnow()
    db.session.commit()
    return user.totp_secret


def give_recovery_codes(user: User) -> list[str]:
    recovery = codes.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=codes.recovery_code_hash(c)) for c in recovery)
    db.session.commit()
    return recovery


def password_step(client: Client, user: User, password: str = PASSWORD):
    client.http = client.app.test_client()
    page = client.http.get("/login")
    return client.http.post("/login", data={"email": user.email, "password": password,
                                            "csrf_token": csrf_from(page)})


def signed_in_as(client: Client):
    """Who the app thinks is signed in: the today page answers 200 only when someone is."""
    return client.get("/").status_code == 200


@pytest.fixture
def review(app):
    review = f.gen_review()
    db.session.commit()
    return review


@pytest.fixture
def lead(review):
    user = f.gen_member(review, "lead_reviewer", is_demo=False)
    db.session.commit()
    return user


@pytest.fixture
def reviewer(review):
    user = f.gen_member(review, "reviewer", is_demo=False)
    db.session.commit()
    return user


def test_lead_with_totp_signs_in_with_password_then_code(client, lead):
    secret = enrol(lead)
    response = password_step(client, lead)
    assert response.headers["Location"] == "/login/two-factor"
    assert not signed_in_as(client)  # no session before the second step
    assert db.session.query(LoginSession).filter_by(user_id=lead.id).count() == 0
    response = client.second_step(pyotp.TOTP(secret).now())
    assert response.status_code == 303
    assert signed_in_as(client)


def test_the_helper_signs_in_with_a_secret(client, lead):
    secret = enrol(lead)
    client.login(lead, totp_secret=secret)
    assert signed_in_as(client)


def test_a_wrong_code_is_a_400_and_nobody_is_signed_in(client, lead):
    secret = enrol(lead)
    password_step(client, lead)
    right = pyotp.TOTP(secret).now()
    wrong = "000000" if right != "000000" else "111111"
    response = client.second_step(wrong)
    assert response.status_code == 400
    assert "That code is not right" in response.get_data(as_text=True)
    assert 'aria-describedby="code-hint code-error"' in response.get_data(as_text=True)
    assert not signed_in_as(client)


@pytest.mark.parametrize("code", ["", "x" * 500])
def test_an_empty_or_overlong_code_is_a_readable_400(client, lead, code):
    enrol(lead)
    password_step(client, lead)
    response = client.second_step(code)
    assert response.status_code == 400
    assert 'class="field-error"' in response.get_data(as_text=True)


def test_a_code_cannot_be_replayed(client, lead):
    secret = enrol(lead)
    code = pyotp.TOTP(secret).now()
    password_step(client, lead)
    assert client.second_step(code).status_code == 303
    other = Client(client.app)
    password_step(other, lead)
    assert other.second_step(code).status_code == 400
    assert not signed_in_as(other)


def test_a_recovery_code_works_once(client, lead):
    enrol(lead)
    recovery = give_recovery_codes(lead)
    password_step(client, lead)
    assert client.second_step(recovery[3].lower()).status_code == 303
    assert signed_in_as(client)
    used = db.session.query(RecoveryCode).filter(RecoveryCode.used_at.is_not(None)).count()
    assert used == 1
    assert db.session.query(AuditEvent).filter_by(action="two_factor.recovery_code_used", user_id=lead.id).count() == 1
    again = Client(client.app)
    password_step(again, lead)
    assert again.second_step(recovery[3]).status_code == 400
    assert not signed_in_as(again)


def test_a_pending_sign_in_expires(client, lead, monkeypatch):
    secret = enrol(lead)
    password_step(client, lead)
    later = time.time() + 6 * 60
    from visits.two_factor import service
    real_now = service.system_utcnow
    monkeypatch.setattr(service, "system_utcnow", lambda: real_now().fromtimestamp(later, real_now().tzinfo))
    response = client.second_step(pyotp.TOTP(secret).now())
    assert response.status_code == 303 and "/login" in response.headers["Location"]
    assert "expired=1" in response.headers["Location"]
    assert not signed_in_as(client)


def test_a_disabled_account_cannot_complete_the_second_step(client, lead):
    secret = enrol(lead)
    password_step(client, lead)
    lead.active = False
    db.session.commit()
    response = client.second_step(pyotp.TOTP(secret).now())
    assert response.status_code == 303 and "/login" in response.headers["Location"]
    assert db.session.query(LoginSession).filter_by(user_id=lead.id).count() == 0


def test_the_second_step_without_a_password_first_goes_back_to_sign_in(client, lead):
    assert client.get("/login/two-factor").headers["Location"].startswith("/login")


def test_next_is_kept_through_the_second_step(client, lead):
    secret = enrol(lead)
    page = client.http.get("/login")
    client.http.post("/login", data={"email": lead.email, "password": PASSWORD, "csrf_token": csrf_from(page),
                                     "next": "/itinerary?date=2026-11-24"})
    response = client.second_step(pyotp.TOTP(secret).now())
    assert response.headers["Location"] == "/itinerary?date=2026-11-24"


# --- Enrolment -----------------------------------------------------------------------------------------------

def test_a_lead_without_totp_is_sent_to_enrol_and_every_page_redirects_there(client, lead):
    response = password_step(client, lead)
    assert response.headers["Location"] == "/account/two-factor"
    for path in ("/", "/itinerary?date=2026-11-24", "/audit-log"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/two-factor", path
    response = client.get("/api/itinerary")
    assert response.status_code == 403
    assert response.json["error"] == "two_factor_required" and response.json["message"]
    token = csrf_from(client.get("/account/two-factor"))
    response = client.post("/api/sync", json={"operations": []}, headers={"X-CSRFToken": token}, with_csrf=False)
    assert response.status_code == 403 and response.json["error"] == "two_factor_required"
    for open_path in ("/healthz", "/sw.js", "/offline", "/account/two-factor", "/privacy"):
        assert client.get(open_path).status_code == 200, open_path


def test_someone_made_a_coordinator_while_signed_in_is_gated_at_once(app, review, reviewer):
    client = Client(app)
    client.login(reviewer)
    assert client.get("/").status_code == 200
    f.join(reviewer, f.gen_review(), "coordinator")
    db.session.commit()
    assert client.get("/").headers["Location"] == "/account/two-factor"


def enrolment_page(client: Client):
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    secret = re.sub(r"<wbr>", "", re.search(r'id="totp-secret">(.*?)</code>', text)[1])
    assert re.fullmatch(r"[A-Z2-7]{32}", secret), secret
    assert "<svg" in text  # the QR code, inline
    return secret, csrf_from(page)


def test_enrolment_with_a_wrong_code_fails_and_a_right_one_shows_ten_codes(client, lead):
    password_step(client, lead)
    secret, token = enrolment_page(client)
    right = pyotp.TOTP(secret).now()
    wrong = "000000" if right != "000000" else "111111"
    response = client.http.post("/account/two-factor", data={"code": wrong, "csrf_token": token})
    assert response.status_code == 400
    db.session.refresh(lead)
    assert not lead.has_totp
    assert client.get("/").status_code == 302

    response = client.http.post("/account/two-factor", data={"code": right, "csrf_token": token})
    assert response.status_code == 200
    shown = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(shown) == 10
    db.session.refresh(lead)
    assert lead.has_totp and lead.totp_secret == secret
    stored = {r.code_hash for r in db.session.query(RecoveryCode).filter_by(user_id=lead.id)}
    assert stored == {codes.recovery_code_hash(c) for c in shown}
    assert not any(c in stored for c in shown)  # hashes, never the codes
    assert client.get("/").status_code == 200  # the gate opens
    assert db.session.query(AuditEvent).filter_by(action="two_factor.enrol", user_id=lead.id).count() == 1
    # Shown once: the page now says TOTP is on, and lists no codes.
    again = client.get("/account/two-factor").get_data(as_text=True)
    assert not any(c in again for c in shown) and 'id="totp-secret"' not in again


def test_the_pending_secret_is_not_in_the_cookie(client, lead):
    password_step(client, lead)
    secret, _token = enrolment_page(client)
    cookie = client.http.get_cookie("session")
    from itsdangerous import base64_decode
    import zlib
    payload = cookie.value.lstrip(".").split(".")[0]
    raw = base64_decode(payload)
    text = (zlib.decompress(raw) if cookie.value.startswith(".") else raw).decode()
    assert secret not in text


def test_a_required_role_cannot_turn_totp_off(client, lead):
    secret = enrol(lead)
    client.login(lead, totp_secret=secret)
    response = client.post("/account/two-factor/disable", data={"password": PASSWORD})
    assert response.status_code == 403
    db.session.refresh(lead)
    assert lead.has_totp


def test_a_reviewer_may_turn_totp_off_with_the_password_but_not_a_wrong_one(client, reviewer):
    secret = enrol(reviewer)
    client.login(reviewer, totp_secret=secret)
    assert client.post("/account/two-factor/disable", data={"password": "wrong password"}).status_code == 400
    db.session.refresh(reviewer)
    assert reviewer.has_totp
    assert client.post("/account/two-factor/disable", data={"password": PASSWORD}).status_code == 303
    db.session.refresh(reviewer)
    assert not reviewer.has_totp
    assert db.session.query(AuditEvent).filter_by(action="two_factor.disable", user_id=reviewer.id).count() == 1
    # Signing in again asks for the password alone.
    client.login(reviewer)
    assert signed_in_as(client)


def test_new_recovery_codes_replace_the_old_ones(client, lead):
    secret = enrol(lead)
    old = give_recovery_codes(lead)
    client.login(lead, totp_secret=secret)
    response = client.post("/account/two-factor/recovery-codes", data={"code": totp_code(secret, lead)})
    assert response.status_code == 200
    new = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    other = Client(client.app)
    password_step(other, lead)
    assert other.second_step(old[0]).status_code == 400


def test_a_reviewer_without_a_second_factor_signs_in_with_a_password_alone(client, reviewer):
    response = password_step(client, reviewer)
    assert response.headers["Location"] == "/"
    assert signed_in_as(client)


def test_a_demo_lead_is_not_asked(client, review):
    demo_lead = f.gen_member(review, "lead_reviewer", is_demo=True)
    enrol(demo_lead)
    response = password_step(client, demo_lead)
    assert response.headers["Location"] == "/"
    assert signed_in_as(client)


@pytest.fixture
def production_app(tmp_path):
    with sqlite_app(tmp_path, "prod", FIELDWORK_ENV="production", SESSION_COOKIE_SECURE=False) as app:
        yield app


def test_in_production_a_demo_account_is_asked(production_app):
    review = f.gen_review()
    demo_lead = f.gen_member(review, "lead_reviewer", is_demo=True)
    db.session.commit()
    client = Client(production_app)
    assert password_step(client, demo_lead).headers["Location"] == "/account/two-factor"
    assert client.get("/").headers["Location"] == "/account/two-factor"
    secret = enrol(demo_lead)
    assert password_step(client, demo_lead).headers["Location"] == "/login/two-factor"
    assert client.second_step(pyotp.TOTP(secret).now()).status_code == 303


# --- Rate limit ----------------------------------------------------------------------------------------------

@pytest.fixture
def limited_app(tmp_path):
    with sqlite_app(tmp_path, "limited", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                    TWO_FACTOR_RATE_LIMIT="3 per minute", LOGIN_RATE_LIMIT="100 per minute") as app:
        yield app


def test_guessing_codes_is_rate_limited(limited_app):
    review = f.gen_review()
    lead = f.gen_member(review, "lead_reviewer", is_demo=False)
    secret = enrol(lead)
    db.session.commit()
    client = Client(limited_app)
    password_step(client, lead)
    right = pyotp.TOTP(secret).now()
    wrong = "000000" if right != "000000" else "111111"
    statuses = [client.second_step(wrong).status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    # The right code is refused too once the limit is reached: the limit is not a hint.
    assert client.second_step(right).status_code == 429
    assert not signed_in_as(client)


# --- Passkey endpoints (the ceremonies themselves run in tests/browser/test_two_factor.py) ------------------------

def test_registration_options_require_user_verification_and_name_this_host(client, reviewer):
    client.login(reviewer)
    response = client.post("/account/passkeys/options", json={})
    assert response.status_code == 200
    options = response.json
    assert options["rp"]["id"] == "localhost"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["authenticatorAttachment"] == "platform"
    assert options["challenge"]


@pytest.mark.parametrize("body", [{}, {"credential": "not an object"}, {"credential": {"id": "x" * 600}},
                                  {"credential": {"id": "abc", "response": {}}}])
def test_a_malformed_passkey_answer_is_a_400(client, reviewer, body):
    client.post("/login/passkey/options", json={})
    response = client.post("/login/passkey", json=body)
    assert response.status_code == 400
    assert response.json["error"] in ("invalid", "passkey_refused")
    assert not signed_in_as(client)


def test_registering_without_asking_for_options_first_is_refused(client, reviewer):
    client.login(reviewer)
    response = client.post("/account/passkeys", json={"credential": {"id": "abc", "rawId": "abc",
                                                                     "type": "public-key", "response": {}}})
    assert response.status_code == 400 and response.json["error"] == "passkey_refused"


def test_nobody_removes_another_persons_passkey(client, reviewer, review):
    other = f.gen_member(review, "reviewer", is_demo=False)
    passkey = Passkey(user_id=other.id, credential_id="b3RoZXI", public_key=b"key", name="Other's phone")
    db.session.add(passkey)
    db.session.commit()
    client.login(reviewer)
    assert client.post(f"/account/passkeys/{passkey.id}/remove").status_code == 404
    assert db.session.get(Passkey, passkey.id) is not None


def test_a_reviewer_with_a_passkey_is_asked_for_the_second_step(client, reviewer):
    db.session.add(Passkey(user_id=reviewer.id, credential_id="cGhvbmU", public_key=b"key", name="Phone"))
    db.session.commit()
    assert password_step(client, reviewer).headers["Location"] == "/login/two-factor"
    page = client.get("/login/two-factor").get_data(as_text=True)
    assert 'data-passkey="authenticate"' in page and 'name="code"' not in page
    assert not signed_in_as(client)
