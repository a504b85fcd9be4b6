"""Sending an alert to a person's phones by Web Push (RFC 8030/8291/8292, pywebpush): the payload is encrypted
for each subscription (aes128gcm) and posted to its push service, signed with our VAPID key.

`send_to_user(user_id, payload) -> int`: how many of the person's subscriptions accepted it. Before each post the
endpoint is checked against the allow-list again (the setting may have changed since it was stored); a 404 or 410
means the browser dropped the subscription, and it is deleted; any other failure (a timeout, a 5xx, a key that is
not a point on P-256) is logged and counted as not reached, never raised: the caller falls back to email.
A redirect (3xx) is never followed: a host on the allow-list answering 307 would otherwise have us post the
alert, signed, to an address off the list. It counts as not reached and the subscription stays.

The payload is `{"kind", "title", "body", "url"}` and nothing else (DESIGN section 13): it shows on a locked
screen, so its words are the producers' (no service user's name, address, note or concern text), and `url` is a
path on this site.
"""
from __future__ import annotations

import json
import logging
from typing import Optional

import requests
from flask import current_app
from pywebpush import WebPushException, webpush

from ..clock import system_utcnow
from ..extensions import db
from ..models import LoginSession, PushSubscription
from .keys import vapid
from .allowlist import endpoint_allowed
from .service import session_is_live

log = logging.getLogger(__name__)

PAYLOAD_KEYS = ("kind", "title", "body", "url")
TIMEOUT_SECONDS = 10
# How long a push service keeps an alert for a phone that is off or out of signal: an alert older than an hour is
# no longer the news (the ladder has moved on by then).
TTL_SECONDS = 3600
GONE = (404, 410)


def clean_payload(payload: dict) -> dict:
    """The four fields, as text, bounded (a push message holds about 4 kB); `url` a path here or "/"."""
    clean = {key: str(payload.get(key) or "")[:limit] for key, limit in
             (("kind", 20), ("title", 120), ("body", 400), ("url", 300))}
    url = clean["url"]
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        clean["url"] = "/"
    return clean


class _NoRedirects(requests.Session):
    """A requests session that never follows a redirect, whatever its caller asks."""

    max_redirects = 0

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def _post(subscription: PushSubscription, data: str, session: requests.Session) -> Optional[int]:
    """The push service's status, or None when nothing came back (a timeout, a refused connection, a bad key)."""
    try:
        response = webpush(
            subscription_info={"endpoint": subscription.endpoint,
                               "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
            data=data, vapid_private_key=vapid(),
            vapid_claims={"sub": current_app.config["VAPID_SUBJECT"]},  # a new dict each time: pywebpush adds to it
            content_encoding="aes128gcm", ttl=TTL_SECONDS, timeout=TIMEOUT_SECONDS, requests_session=session)
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status is not None and 300 <= status < 400:
            log.warning("push to subscription %s answered a redirect (%s): not followed, not reached",
                        subscription.id, status)
        else:
            log.warning("push to subscription %s refused: %s", subscription.id, status)
        return status
    except Exception as error:  # noqa: BLE001 (network errors, a point not on the curve: not reached, no crash)
        log.warning("push to subscription %s failed: %s", subscription.id, type(error).__name__)
        return None
    return response.status_code


def send_to_user(user_id: int, payload: dict) -> int:
    """Push `payload` to each of the person's live subscriptions; the number that accepted it (2xx)."""
    data = json.dumps(clean_payload(payload), separators=(",", ":"))
    allowed = current_app.config["PUSH_ENDPOINT_HOSTS"]
    reached = 0
    subscriptions = list(db.session.scalars(db.select(PushSubscription).filter_by(user_id=user_id)
                                            .order_by(PushSubscription.id)))
    with _NoRedirects() as session:
        for subscription in subscriptions:
            reached += _push_one(subscription, data, allowed, session)
    db.session.commit()
    return reached


def _push_one(subscription: PushSubscription, data: str, allowed, session: requests.Session) -> int:
    """1 when this subscription's push service accepted it; deletes a subscription gone or signed out."""
    if subscription.login_session_id is not None and not session_is_live(
            db.session.get(LoginSession, subscription.login_session_id)):
        db.session.delete(subscription)  # signed out there since (ended from another device, or expired)
        return 0
    if not endpoint_allowed(subscription.endpoint, allowed):
        log.warning("push subscription %s is off PUSH_ENDPOINT_HOSTS: not sent", subscription.id)
        return 0
    status = _post(subscription, data, session)
    if status in GONE:
        db.session.delete(subscription)
    elif status is not None and 200 <= status < 300:
        subscription.last_sent_at = system_utcnow()
        return 1
    return 0
