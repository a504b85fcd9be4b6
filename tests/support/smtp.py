"""A real SMTP server on loopback (aiosmtpd), collecting what the app sends, and an app configured to send to it.

Import the fixtures into a test module: `from ..support.smtp import mail_app, smtp_server  # noqa: F401`.
"""
from __future__ import annotations

import email
import email.policy
import re
import time
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from .apps import sqlite_app


class Collector:
    """aiosmtpd's handler: every message accepted is kept, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def body_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage) -> str:
    match = re.search(r"https?://\S+", body_of(message))
    assert match, body_of(message)
    return match.group(0)


class LoopbackController(Controller):
    """aiosmtpd 1.4's Controller checks it started by connecting to `self.port`, which is still 0 when the system
    chose the port: it is read from the bound socket first."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = LoopbackController(collector, hostname="127.0.0.1", port=0)
    controller.start()
    collector.port = controller.port
    yield collector
    controller.stop()


@pytest.fixture
def mail_app(tmp_path, smtp_server):
    """The app as in tests/conftest.py `app`, sending its mail to `smtp_server` (Flask-Mailman reads the mail
    settings once, as the app is made, so this is an app of its own)."""
    with sqlite_app(tmp_path, "mail", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_USE_TLS=False,
                    MAIL_USE_SSL=False, MAIL_BACKEND="smtp", MAIL_TIMEOUT=5) as app:
        yield app
