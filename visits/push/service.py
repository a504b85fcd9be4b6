"""Subscriptions kept and forgotten (DESIGN section 13): one row per browser endpoint, for the person signed in
on that device and that device's login session; logout, a session ended elsewhere, or a 404/410 from the push
service removes it."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask import current_app

from .. import audit
from ..clock import system_utcnow
from ..extensions import db
from ..models import LoginSession, PushSubscription, User


def subscribe(user: User, login_session: Optional[LoginSession], data: dict) -> PushSubscription:
    """Keep the browser's subscription for this person and device. The same endpoint again (the browser keeps
    one per origin) is updated and moves to whoever is signed in now: one phone, one person's alerts. One
    subscription per sign-in: a new endpoint from the same device replaces the old."""
    subscription = db.session.scalar(db.select(PushSubscription).filter_by(endpoint=data["endpoint"]))
    if subscription is None:
        subscription = PushSubscription(endpoint=data["endpoint"])
        db.session.add(subscription)
    moved_from = subscription.user_id if subscription.user_id not in (None, user.id) else None
    subscription.user_id = user.id
    subscription.login_session_id = login_session.id if login_session is not None else None
    subscription.p256dh = data["keys"]["p256dh"]
    subscription.auth = data["keys"]["auth"]
    db.session.flush()
    if login_session is not None:
        # A browser has one subscription for this site: one it had before (rotated, or made with an older key) goes,
        # so a device never counts twice and no client can pile up endpoints under one sign-in.
        db.session.query(PushSubscription).filter(
            PushSubscription.login_session_id == login_session.id, PushSubscription.id != subscription.id
        ).delete(synchronize_session=False)
    audit.record(user, "push_subscribe", "push_subscription", subscription.id, None,
                 **({"moved_from_user_id": moved_from} if moved_from else {}))
    return subscription


def unsubscribe(user: User, login_session: Optional[LoginSession]) -> int:
    """This device stops getting alerts: the subscriptions of this person's current session go."""
    if login_session is None:
        return 0
    removed = forget_session(login_session.id)
    if removed:
        audit.record(user, "push_unsubscribe", "login_session", login_session.id, None, removed=removed)
    return removed


def forget_session(login_session_id: int) -> int:
    """Signing out of a device takes its subscriptions with it (no alert reaches a phone nobody is signed in on)."""
    return db.session.query(PushSubscription).filter_by(login_session_id=login_session_id).delete(
        synchronize_session=False)


def has_subscription(login_session: Optional[LoginSession]) -> bool:
    if login_session is None:
        return False
    return db.session.scalar(db.select(db.func.count(PushSubscription.id)).filter_by(
        login_session_id=login_session.id)) > 0


def session_is_live(login_session: Optional[LoginSession], now: Optional[datetime] = None) -> bool:
    """A subscription is used only while the sign-in it was made under lasts (not ended from another device, not
    expired): ending a session elsewhere silences that phone too."""
    if login_session is None or login_session.revoked_at is not None:
        return False
    now = now or system_utcnow()
    return now - login_session.created_at <= current_app.permanent_session_lifetime
