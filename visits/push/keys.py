"""The server's VAPID key (RFC 8292): the push services know our pushes by it, and a browser subscribes with its
public half (`GET /api/push/key`). VAPID_PRIVATE_KEY when set (PEM, or base64url of the raw 32-byte scalar or of
its DER); else one is generated once into the instance folder (vapid_private.pem, mode 0600) and kept: a new key
would orphan every subscription made with the old one.

Several workers may start at once: each writes its own key to a temporary file and hard-links it to the final
name, which succeeds for exactly one of them (the link fails when the name exists, and the file it names is
always whole); all then read the same file.
"""
from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from py_vapid import Vapid02

KEY_FILE = "vapid_private.pem"


class VapidKeyError(ValueError):
    pass


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """VAPID_PRIVATE_KEY: PEM, or base64url of the raw scalar (32 bytes) or of the key's DER."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text)
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError) as error:
        raise VapidKeyError("VAPID_PRIVATE_KEY is not a P-256 private key (PEM or base64url)") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise VapidKeyError("VAPID_PRIVATE_KEY must be a P-256 (prime256v1) key")
    return key


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_or_create(folder: Path) -> ec.EllipticCurvePrivateKey:
    """The key kept in `folder`, made there first if there is none (once, whoever starts first)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEY_FILE
    if not path.exists():
        temporary = folder / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(_pem(ec.generate_private_key(ec.SECP256R1())))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, path)  # fails if another worker's key got there first: theirs is the key
            except FileExistsError:
                pass
        finally:
            temporary.unlink(missing_ok=True)
    return parse_private_key(path.read_text())


def private_key() -> ec.EllipticCurvePrivateKey:
    """This app's VAPID private key (read once per app)."""
    cache = current_app.extensions.setdefault("vapid", {})
    if "key" not in cache:
        configured = current_app.config.get("VAPID_PRIVATE_KEY") or ""
        cache["key"] = parse_private_key(configured) if configured else \
            load_or_create(Path(current_app.instance_path))
    return cache["key"]


def public_key_b64() -> str:
    """The public key as browsers take it for applicationServerKey: the uncompressed point, base64url."""
    point = private_key().public_key().public_bytes(serialization.Encoding.X962,
                                                    serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def vapid() -> Vapid02:
    """The key as pywebpush signs with it."""
    return Vapid02(private_key=private_key())
