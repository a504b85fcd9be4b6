"""The app as tests run it: one place for the test settings, so an app made with other settings (production, rate
limits on, a mail server) differs from the usual one only in what it names."""
from __future__ import annotations

import base64
from contextlib import contextmanager
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from app import create_app
from visits.extensions import db

from .clients import IsolatedClient

def _test_vapid_key() -> str:
    """A VAPID key made for this test run: without one, the first push route a test opens would write
    instance/vapid_private.pem into the checkout (visits/push/keys.py)."""
    private = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return base64.urlsafe_b64encode(private.to_bytes(32, "big")).rstrip(b"=").decode()


TEST_SETTINGS = {"TESTING": True, "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False,
                 "VAPID_PRIVATE_KEY": _test_vapid_key()}


@contextmanager
def running_app(database_uri: str, **settings):
    """An app on its own database with every table, inside its app context (each request gets a context of its
    own too: IsolatedClient)."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_uri, **settings})
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def sqlite_app(folder: Path, name: str = "test", **settings):
    return running_app(f"sqlite:///{folder / (name + '.sqlite')}", **settings)
