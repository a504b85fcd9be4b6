"""The rules of codes, pure: a TOTP code checked against its secret (RFC 6238, 30-second steps, one step either
side for a phone's clock that is a little out) and never accepted twice, and recovery codes made and matched.
Nothing here reads the database or the request."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Optional

import pyotp

# One step either side: a code typed in the last seconds of its step, or read off a phone a little fast or slow.
VALID_WINDOW = 1
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
# 10 characters from a 32-letter alphabet with no 0/O or 1/I to misread: 50 bits, typed once in an emergency.
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_RECOVERY_LENGTH = 10
_NOT_CODE_CHARACTERS = re.compile(r"[\s-]")


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=issuer)


def matching_step(secret: str, code: str, last_step: Optional[int], at: datetime) -> Optional[int]:
    """The time step `code` belongs to, if it is a current code for `secret` (within the window) and later than
    the last step accepted; else None. The caller stores the step so that the same code cannot be used again."""
    code = _NOT_CODE_CHARACTERS.sub("", code or "")
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    # Newest step first: of two matches (impossible in practice) the later one is the one to remember.
    for step in range(now_step + VALID_WINDOW, now_step - VALID_WINDOW - 1, -1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    codes = ("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH)) for _ in range(count))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def normalise_recovery_code(code: str) -> str:
    """As people type it: any case, with or without the hyphen or spaces."""
    return _NOT_CODE_CHARACTERS.sub("", code or "").upper()


def recovery_code_hash(code: str) -> str:
    # Random codes of 50 bits: a plain SHA-256 is enough (nothing to guess from a dictionary), as for tokens.
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    normalised = normalise_recovery_code(code)
    return len(normalised) == _RECOVERY_LENGTH and all(c in _RECOVERY_ALPHABET for c in normalised)
