"""Passkeys (WebAuthn, py `webauthn`): registering one for the signed-in person, and signing in with one, as the
second step after a password or on its own (a discoverable credential names its person by the user handle).

The challenge of each ceremony is kept in the session and taken out when it is answered, so it is used once. User
verification (the fingerprint, not just a touch) is required: that is what lets a passkey stand for two factors.
"""
from __future__ import annotations

import json
from typing import Optional
from urllib.parse import urlsplit

from flask import current_app, request, session
from webauthn import (
    generate_authentication_options, generate_registration_options, options_to_json,
    verify_authentication_response, verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorAttachment, AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor, ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .. import audit
from ..clock import system_utcnow
from ..extensions import db
from ..models import Passkey, User

_REGISTRATION_CHALLENGE = "passkey_registration_challenge"
_AUTHENTICATION_CHALLENGE = "passkey_authentication_challenge"


class PasskeyRefused(Exception):
    """The browser's answer did not verify (wrong challenge, origin, key or counter), or names no passkey of ours."""


def relying_party() -> tuple[str, str]:
    """The RP id (a host name, never an IP address) and the origin: configured, else this request's."""
    origin = current_app.config.get("WEBAUTHN_ORIGIN") or request.host_url.rstrip("/")
    rp_id = current_app.config.get("WEBAUTHN_RP_ID") or (urlsplit(origin).hostname or "")
    return rp_id, origin


def _user_handle(user: User) -> bytes:
    return str(user.id).encode()


def registration_options(user: User) -> str:
    rp_id, _origin = relying_party()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=current_app.config.get("APP_NAME", "Fieldwork"), user_name=user.email,
        user_id=_user_handle(user), user_display_name=user.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            authenticator_attachment=AuthenticatorAttachment.PLATFORM,
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
                             for p in user.passkeys])
    session[_REGISTRATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def register(user: User, credential: dict, name: str) -> Passkey:
    challenge = session.pop(_REGISTRATION_CHALLENGE, None)
    if not challenge:
        raise PasskeyRefused()
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=json.dumps(credential), expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id, expected_origin=origin, require_user_verification=True)
    except (InvalidRegistrationResponse, ValueError, TypeError, KeyError) as error:
        raise PasskeyRefused() from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.execute(db.select(Passkey).filter_by(credential_id=credential_id)).scalar_one_or_none():
        raise PasskeyRefused()
    passkey = Passkey(user_id=user.id, credential_id=credential_id, public_key=verified.credential_public_key,
                      sign_count=verified.sign_count, name=name)
    db.session.add(passkey)
    db.session.flush()
    audit.record(user, "passkey.register", "passkey", passkey.id, None)
    db.session.commit()
    return passkey


def remove(user: User, passkey: Passkey) -> None:
    audit.record(user, "passkey.remove", "passkey", passkey.id, None)
    db.session.delete(passkey)
    db.session.commit()


def authentication_options(user: Optional[User]) -> str:
    """For the second step, the pending person's passkeys; with no one pending, any discoverable passkey."""
    rp_id, _origin = relying_party()
    allow = [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
             for p in user.passkeys] if user is not None else None
    options = generate_authentication_options(rp_id=rp_id, allow_credentials=allow,
                                              user_verification=UserVerificationRequirement.REQUIRED)
    session[_AUTHENTICATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return options_to_json(options)


def authenticate(credential: dict, expected_user: Optional[User]) -> User:
    """The person the passkey belongs to, once its signature verifies; with a pending sign-in it must be theirs."""
    challenge = session.pop(_AUTHENTICATION_CHALLENGE, None)
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    if not challenge or not isinstance(credential_id, str) or len(credential_id) > 512:
        raise PasskeyRefused()
    passkey = db.session.execute(db.select(Passkey).filter_by(credential_id=credential_id)).scalar_one_or_none()
    if passkey is None or (expected_user is not None and passkey.user_id != expected_user.id):
        raise PasskeyRefused()
    user_handle = (credential.get("response") or {}).get("userHandle")
    if user_handle and user_handle != bytes_to_base64url(_user_handle(passkey.user)):
        raise PasskeyRefused()
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=json.dumps(credential), expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id, expected_origin=origin, credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=True)
    except (InvalidAuthenticationResponse, ValueError, TypeError, KeyError) as error:
        raise PasskeyRefused() from error
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = system_utcnow()
    db.session.commit()
    return passkey.user
