"""How an alert reaches one recipient: Web Push to a person with a push subscription on some device, email to a
person without one (or whose every subscription failed), and email to a contact who is not a user (the review's
out-of-hours contact). `send` answers the channel used or raises `ChannelError`; delivery.py records either.

The push sender (visits/push/sender.py) and the alert email (visits/alerts/email.py) are imported when needed: a
deployment without one of them records "no channel yet" for the deliveries that needed it, never a crash."""
from __future__ import annotations

import importlib
import logging

from sqlalchemy import func, select

from ..extensions import db
from ..models import PushSubscription, User
from .contract import EMAIL, Message, parse_recipient

PUSH = "push"

logger = logging.getLogger("visits.alerts")


class ChannelError(Exception):
    """The alert could not be sent; the message (kept in AlertDelivery.error) names no one."""

    def __init__(self, error: str, channel: str = ""):
        super().__init__(error)
        self.channel = channel


NO_CHANNEL = "no channel yet"


def _optional(module: str, attribute: str):
    try:
        return getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError as missing:
        if missing.name != module:
            raise
        return None
    except AttributeError:
        return None


def push_sender():
    return _optional("visits.push.sender", "send_to_user")


def email_sender():
    return _optional("visits.alerts.email", "send_alert_email")


def send(recipient: str, message: Message) -> str:
    """Send `message` to `recipient` ("user:<id>" or "email:<address>"): "push" or "email"."""
    kind, value = parse_recipient(recipient)
    if kind == EMAIL:
        return _email(value, message)
    user = db.session.get(User, int(value))
    if user is None:
        raise ChannelError("no such user")
    subscriptions = db.session.scalar(select(func.count(PushSubscription.id))
                                      .where(PushSubscription.user_id == user.id))
    send_to_user = push_sender()
    if subscriptions and send_to_user is not None:
        try:
            if send_to_user(user.id, message.payload()) > 0:
                return PUSH
        except Exception:
            db.session.rollback()
            logger.exception("push to user %s failed; trying email", user.id)
    # No subscription, no sender, or every device refused: email, so the alert is not lost.
    return _email(user.email, message)


def _email(address: str, message: Message) -> str:
    send_alert_email = email_sender()
    if send_alert_email is None:
        raise ChannelError(NO_CHANNEL, EMAIL)
    try:
        # With no mail server the mail goes to the log, and the sender says so ("log"): the delivery records it,
        # so nobody takes it for a mail someone received.
        went_to = send_alert_email(address, message)
    except Exception as failure:
        raise ChannelError(f"email: {type(failure).__name__}", EMAIL) from failure
    return went_to or EMAIL
