"""Signing in and out, sessions that the server can end, and the protections around them."""
from __future__ import annotations

import pytest

from visits.extensions import db
from visits.sessions import end_all_sessions

from ..support.clients import csrf_from
from ..support import factories as f
from ..support.factories import PASSWORD


@pytest.fixture
def reviewer(app):
    review = f.gen_review()
    user = f.gen_member(review, "reviewer", email="rhys@example.test")
    db.session.commit()
    return user


def test_login_page_fits_a_phone_and_carries_csrf(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="viewport"' in page and 'name="csrf-token"' in page
    assert 'autocomplete="current-password"' in page


def test_wrong_password_is_a_readable_error_and_keeps_the_email(reviewer, client):
    token = client.csrf()
    response = client.http.post("/login", data={"email": "rhys@example.test", "password": "nope",
                                                "csrf_token": token})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "do not match" in page and 'value="rhys@example.test"' in page


def test_missing_fields_get_field_messages(reviewer, client):
    response = client.http.post("/login", data={"email": "", "password": "", "csrf_token": client.csrf()})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your email address" in page and "Enter your password" in page


def test_login_without_csrf_token_is_refused(reviewer, client):
    response = client.http.post("/login", data={"email": "rhys@example.test", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_email_is_case_insensitive_and_next_is_followed_within_the_site(reviewer, client):
    token = client.csrf()
    response = client.http.post("/login", data={"email": "Rhys@Example.test", "password": PASSWORD,
                                                "csrf_token": token, "next": "/itinerary?date=2026-11-24"})
    assert response.headers["Location"] == "/itinerary?date=2026-11-24"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)",
                                    "/\\evil.example/x", "/\t/evil.example"])
def test_next_never_leaves_the_site(reviewer, client, target):
    token = client.csrf()
    response = client.http.post("/login", data={"email": "rhys@example.test", "password": PASSWORD,
                                                "csrf_token": token, "next": target})
    assert response.headers["Location"] == "/"


def test_logout_ends_the_session_on_the_server_even_if_the_cookie_is_replayed(reviewer, client, app):
    client.login(reviewer)
    stolen = client.http.get_cookie("session").value
    page = client.get("/")
    response = client.http.post("/logout", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and "signed_out=1" in response.headers["Location"]
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/").status_code == 302


def test_disabling_an_account_or_ending_all_sessions_signs_every_device_out(reviewer, client, app):
    from ..support.clients import Client

    client.login(reviewer)
    second = Client(app)
    second.login(reviewer)
    end_all_sessions(reviewer)
    db.session.commit()
    assert client.get("/").status_code == 302
    assert second.get("/").status_code == 302


def test_disabled_account_cannot_sign_in(reviewer, client):
    reviewer.active = False
    db.session.commit()
    token = client.csrf()
    response = client.http.post("/login", data={"email": "rhys@example.test", "password": PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 400


def test_login_is_rate_limited(tmp_path):
    from app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite'}",
                      "SECRET_KEY": "x", "LOGIN_RATE_LIMIT": "3 per minute", "RATELIMIT_ENABLED": True})
    with app.app_context():
        db.create_all()
        http = app.test_client()
        token = csrf_from(http.get("/login"))
        codes = [http.post("/login", data={"email": "a@b.c", "password": "x", "csrf_token": token}).status_code
                 for _ in range(5)]
        db.engine.dispose()
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]


def test_pages_carry_a_strict_content_security_policy_and_no_store(reviewer, client):
    client.login(reviewer)
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_lax(reviewer, client):
    response = client.login(reviewer)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_argon2id_at_owasp_parameters(reviewer):
    assert reviewer.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_no_page_loads_anything_from_another_origin(reviewer, client):
    client.login(reviewer)
    page = client.get("/").get_data(as_text=True)
    import re

    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    loaded = [s for s in sources if s.endswith((".js", ".css")) or "/static/" in s]
    assert loaded and all(s.startswith("/static/") for s in loaded)


def test_an_expired_sign_in_form_is_offered_again_with_the_email_kept(reviewer, client):
    client.get("/login")
    response = client.http.post("/login", data={"email": "rhys@example.test", "password": PASSWORD,
                                                "csrf_token": "expired"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "had expired" in page and 'value="rhys@example.test"' in page and 'name="password"' in page
    token = csrf_from(response)
    retry = client.http.post("/login", data={"email": "rhys@example.test", "password": PASSWORD, "csrf_token": token})
    assert retry.status_code == 302
