"""What `POST /api/push/subscriptions` takes (the browser's PushSubscription.toJSON()) and what the push routes
answer. Bounded: an endpoint of at most 1024 characters on the allow-list (visits/push/allowlist.py), keys that
decode to what RFC 8291 says they are (p256dh: a 65-byte uncompressed P-256 point; auth: 16 bytes)."""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validates
from marshmallow.validate import Length, Range

from ..schemas.base import Schema
from .allowlist import MAX_ENDPOINT_CHARS, endpoint_allowed
from .keys import b64url, b64url_decode

# base64url without padding (one "=" or two allowed), canonical: the last character carries only zero bits past
# the key. 65 bytes starting 0x04 begin "B" then one of A..P; 16 bytes end in one of A, Q, g, w.
P256DH_PATTERN = r"^B[A-P][A-Za-z0-9_-]{84}[AEIMQUYcgkosw048]=?$"
AUTH_PATTERN = r"^[A-Za-z0-9_-]{21}[AQgw](?:==)?$"


def _decoded(value: str, pattern: str, size: int) -> bytes:
    if not re.fullmatch(pattern[1:-1], value):
        raise ValidationError(_("Expected %(size)d bytes in base64url here.", size=size))
    raw = b64url_decode(value.rstrip("="))
    if len(raw) != size or b64url(raw) != value.rstrip("="):
        raise ValidationError(_("Expected %(size)d bytes in base64url here.", size=size))
    return raw


class PushKeysIn(Schema):
    p256dh = fields.String(required=True, metadata={
        "pattern": P256DH_PATTERN, "description": "The browser's P-256 public key: the uncompressed point (65 "
                                                  "bytes), base64url"})
    auth = fields.String(required=True, metadata={"pattern": AUTH_PATTERN,
                                                  "description": "The authentication secret: 16 bytes, base64url"})

    @validates("p256dh")
    def _p256dh(self, value: str, **_kwargs) -> None:
        if _decoded(value, P256DH_PATTERN, 65)[0] != 4:
            raise ValidationError(_("Expected an uncompressed point here."))

    @validates("auth")
    def _auth(self, value: str, **_kwargs) -> None:
        _decoded(value, AUTH_PATTERN, 16)


class PushSubscriptionIn(Schema):
    endpoint = fields.String(required=True, validate=Length(min=1, max=MAX_ENDPOINT_CHARS), metadata={
        "description": "The push service's URL for this browser. Its host must be one of PUSH_ENDPOINT_HOSTS "
                       "(the `pattern` here is made from them): the server never posts to an address a client "
                       "chose"})
    keys = fields.Nested(PushKeysIn, required=True)
    expirationTime = fields.Float(allow_none=True, validate=Range(min=0, max=1e16), load_default=None,
                                  metadata={"description": "When the browser says the subscription ends (ms since "
                                                           "1970), or null; not kept"})

    @validates("endpoint")
    def _endpoint(self, value: str, **_kwargs) -> None:
        if not endpoint_allowed(value, current_app.config["PUSH_ENDPOINT_HOSTS"]):
            raise ValidationError(_("This push service is not one this server sends alerts through."))


class PushKeyOut(Schema):
    publicKey = fields.String(metadata={"description": "The server's VAPID public key (the uncompressed P-256 "
                                                       "point, base64url), for pushManager.subscribe's "
                                                       "applicationServerKey"})


class PushStateOut(Schema):
    subscribed = fields.Boolean(metadata={"description": "Whether this device now gets alerts"})
