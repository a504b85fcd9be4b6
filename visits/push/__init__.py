"""Web Push (DESIGN section 13): the server's VAPID key, browsers' subscriptions on an allow-list of push
services, and the sender the alert runner delivers through (visits.push.sender.send_to_user)."""
from __future__ import annotations

from . import views  # noqa: F401  (the routes, on bp)
from .blueprint import bp  # noqa: F401
