"""`GET /api/push/key` and `POST`/`DELETE /api/push/subscriptions` (DESIGN section 13). JSON, signed in; the
writes carry the X-CSRFToken header like every JSON write (visits/security.py checks it)."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..api.responses import bad_request
from ..extensions import db
from ..sessions import current_session
from .keys import public_key_b64
from .service import has_subscription, subscribe as subscribe_device, unsubscribe as unsubscribe_device
from .blueprint import bp
from .schemas import PushKeyOut, PushStateOut, PushSubscriptionIn


@bp.get("/api/push/key")
@login_required
def public_key():
    return jsonify(PushKeyOut().dump({"publicKey": public_key_b64()}))


@bp.post("/api/push/subscriptions")
@login_required
def subscribe():
    try:
        data = PushSubscriptionIn().load(_json_body())
    except ValidationError as error:
        return bad_request(error)
    subscribe_device(current_user, current_session(), data)
    db.session.commit()
    return jsonify(PushStateOut().dump({"subscribed": True}))


def _json_body():
    """The request's JSON, or None when it is not JSON or cannot be read (the schema then answers 400). A body
    nested deeper than Python's parser goes raises RecursionError, which `silent` does not catch."""
    if not request.is_json:
        return None
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


@bp.delete("/api/push/subscriptions")
@login_required
def unsubscribe():
    unsubscribe_device(current_user, current_session())
    db.session.commit()
    return jsonify(PushStateOut().dump({"subscribed": False}))


@bp.app_template_global("push_subscribed")
def push_subscribed() -> bool:
    """Whether the server will push to this device (templates/push/_button.html): the page's half of "on"."""
    return current_user.is_authenticated and has_subscription(current_session())
