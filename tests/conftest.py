"""Shared fixtures: an app on a fresh SQLite file per test, a client that signs in, and the shared world.

Plain helpers (generators, clients, page readers) are in tests/support/ and imported from there."""
from __future__ import annotations

import os

import pytest

from app import create_app
from visits.extensions import db

from .support.apps import TEST_SETTINGS, sqlite_app
from .support.clients import Client, IsolatedClient
from .support.postgres import throwaway_postgres
from .support.world import console_world, field_team_world, two_reviews_world


@pytest.fixture
def app(tmp_path):
    with sqlite_app(tmp_path) as app:
        yield app


@pytest.fixture
def client(app):
    return Client(app)


@pytest.fixture
def team(app):
    """The shared world with one home visit today that Rhys and Lena are on (support.world.field_team_world)."""
    return field_team_world()


@pytest.fixture
def world(app):
    """The shared world with a day of visits across two reviews (support.world.two_reviews_world)."""
    return two_reviews_world()


@pytest.fixture
def console(app):
    """The shared world with next week's programme for the link officer (support.world.console_world)."""
    return console_world()


def _url_of(server, missing_in_ci: str, missing_here: str):
    """A throwaway server's URL for the whole run; without its binaries, a skip here and a failure in CI (where
    `make test` installs them)."""
    with server() as url:
        if url is None:
            if os.environ.get("CI"):
                pytest.fail(missing_in_ci)
            pytest.skip(missing_here)
        yield url


@pytest.fixture(scope="session")
def pg_url():
    """One throwaway PostgreSQL server for the whole run (tests/support/postgres.py)."""
    yield from _url_of(throwaway_postgres, "PostgreSQL binaries are missing: `make test` installs them",
                       "no PostgreSQL server binaries on this machine")


@pytest.fixture
def pg_app(pg_url):
    """The app on PostgreSQL, with empty tables for each test."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": pg_url})
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(scope="session")
def redis_url():
    """One throwaway Redis server for the whole run (tests/support/redis.py): the job runner's queue on Redis."""
    from .support.redis import throwaway_redis

    yield from _url_of(throwaway_redis, "redis-server is missing: `make test` installs it",
                       "no redis-server on this machine")


@pytest.fixture
def clock(app):
    """clock(moment): every request sees that moment as now (tests/support/clock.py)."""
    from .support.clock import set_clock

    return lambda moment: set_clock(app, moment)
