"""Shared fixtures: an app on a fresh SQLite file per test, a client that signs in, and data factories."""
from __future__ import annotations

import os
import re

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from app import create_app
from visits.extensions import db

from . import factories
from .factories import PASSWORD
from .postgres import throwaway_postgres


class IsolatedClient(FlaskClient):
    """Each request in its own app context, as in production: a fresh `g` and database session per request,
    not the test's own (which would hide stale-state and per-request bugs)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()  # the test's session sees what the request wrote
        return response


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}",
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


class Client:
    """The Flask test client plus sign-in and a CSRF header, like the real pages send."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()

    def login(self, user, password=PASSWORD):
        page = self.http.get("/login")
        response = self.http.post("/login", data={"email": user.email, "password": password,
                                                  "csrf_token": csrf_from(page)})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

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


def csrf_from(response) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert match, "page has no csrf-token meta"
    return match.group(1)


@pytest.fixture
def client(app):
    return Client(app)


@pytest.fixture
def make():
    return factories


@pytest.fixture
def team(app):
    """One review with every role and a home visit (factories.make_field_team)."""
    team = factories.make_field_team()
    db.session.commit()
    return team


@pytest.fixture(scope="session")
def pg_url():
    """One throwaway PostgreSQL server for the whole run (tests/postgres.py)."""
    with throwaway_postgres() as url:
        if url is None:
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL binaries are missing: `make test` installs them")
            pytest.skip("no PostgreSQL server binaries on this machine")
        yield url


@pytest.fixture
def pg_app(pg_url):
    """The app on PostgreSQL, with empty tables for each test."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": pg_url, "SECRET_KEY": "test-secret",
                      "RATELIMIT_ENABLED": False})
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
