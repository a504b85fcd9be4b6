"""Talking to the app as a browser does: each request in its own app context, sign-in, and the CSRF token."""
from __future__ import annotations

import re
import time

import pyotp
from flask import has_app_context
from flask.testing import FlaskClient

from visits.extensions import db

from .factories import PASSWORD


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production: a fresh `g` and database session per request,
    not the test's own (which would hide stale-state and per-request bugs)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test's session sees what the request wrote
        return response


class Client:
    """The Flask test client plus sign-in and a CSRF header, like the real pages send."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()

    def login(self, user, password=PASSWORD, totp_secret=None):
        """Sign in as `user` in a fresh cookie jar, so a test can sign in as one person after another. With
        `totp_secret`, the second step is completed with a current code."""
        self.http = self.app.test_client()
        page = self.http.get("/login")
        response = self.http.post("/login", data={"email": user.email, "password": password,
                                                  "csrf_token": csrf_from(page)})
        assert response.status_code == 302, response.get_data(as_text=True)
        if totp_secret is not None:
            assert response.headers["Location"].endswith("/login/two-factor"), response.headers["Location"]
            response = self.second_step(totp_code(totp_secret, user))
            assert response.status_code == 303, response.get_data(as_text=True)
        return response

    def second_step(self, code: str):
        page = self.http.get("/login/two-factor")
        if page.status_code != 200:  # the pending sign-in has lapsed: post anyway, to see the app refuse it
            page = self.http.get("/login")
        return self.http.post("/login/two-factor", data={"code": code, "csrf_token": csrf_from(page)})

    def csrf(self) -> str:
        page = self.http.get("/login")
        if page.status_code == 302:  # signed in: the login page sends us on
            return self.http.get("/api/csrf").json["csrf_token"]
        return csrf_from(page)

    def get(self, *args, **kwargs):
        return self.http.get(*args, **kwargs)

    def post(self, url, *, json=None, data=None, headers=None, with_csrf=True):
        headers = dict(headers or {})
        if with_csrf:
            headers.setdefault("X-CSRFToken", self.csrf())
        return self.http.post(url, json=json, data=data, headers=headers)


def totp_code(secret: str, user=None) -> str:
    """A code the app will take now: the current one, or the next step's when the current one was used (a code is
    good once, and the app accepts one step ahead)."""
    totp = pyotp.TOTP(secret)
    now = time.time()
    last_step = None
    if user is not None:
        db.session.refresh(user)
        last_step = user.totp_last_step
    if last_step is not None and last_step >= totp.timecode(now):
        now += totp.interval
    return totp.at(now)


def csrf_from(response) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert match, "page has no csrf-token meta"
    return match.group(1)


def signed_in(app, user) -> Client:
    """A browser of its own for this person (each test may need several people at once)."""
    client = Client(app)
    client.login(user)
    return client
