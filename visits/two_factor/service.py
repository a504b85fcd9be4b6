"""What two-factor does to accounts: enrolling and turning TOTP off, recovery codes, checking the second step of
a sign-in, and the sign-in waiting for that step. Each change is audited (visits/audit.py)."""
from __future__ import annotations

import io
from datetime import timedelta
from typing import Optional

import segno
from flask import session

from .. import audit
from ..clock import system_utcnow
from ..extensions import db
from ..models import RecoveryCode, User
from . import codes

# The password was right this long ago at most: a sign-in waiting for its second step lapses after it.
PENDING_LIFETIME = timedelta(minutes=5)
_PENDING_KEY = "two_factor_pending"


# --- TOTP enrolment ------------------------------------------------------------------------------------------

def pending_secret(user: User) -> str:
    """The secret being enrolled. It is kept on the account row, not in the (signed, readable) session cookie;
    it counts for nothing until confirmed (User.has_totp reads totp_enabled_at)."""
    if user.totp_secret is None and not user.has_totp:
        user.totp_secret = codes.new_secret()
        db.session.commit()
    return user.totp_secret


def qr_code_svg(user: User, issuer: str) -> str:
    """The otpauth:// link as an inline SVG (no script, no image request): an authenticator app scans it."""
    uri = codes.provisioning_uri(user.totp_secret, user.email, issuer)
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=4, border=2,
                                    svgclass="qr-code", lineclass=None)
    return out.getvalue().decode()


def check_totp(user: User, code: str) -> bool:
    """A current code, not used before; its step is remembered so it cannot be replayed."""
    if not user.totp_secret:
        return False
    step = codes.matching_step(user.totp_secret, code, user.totp_last_step, system_utcnow())
    if step is None:
        return False
    user.totp_last_step = step
    return True


def confirm_enrolment(user: User, code: str) -> Optional[list[str]]:
    """Turns TOTP on when `code` is right for the pending secret: returns the new recovery codes (to be shown
    once), or None."""
    if user.has_totp or not check_totp(user, code):
        db.session.rollback()
        return None
    user.totp_enabled_at = system_utcnow()
    recovery = _replace_recovery_codes(user)
    audit.record(user, "two_factor.enrol", "account", user.id, None)
    db.session.commit()
    return recovery


def turn_off_totp(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.query(RecoveryCode).filter_by(user_id=user.id).delete()
    audit.record(user, "two_factor.disable", "account", user.id, None)
    db.session.commit()


def regenerate_recovery_codes(user: User) -> list[str]:
    recovery = _replace_recovery_codes(user)
    audit.record(user, "two_factor.recovery_codes", "account", user.id, None)
    db.session.commit()
    return recovery


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.query(RecoveryCode).filter_by(user_id=user.id).delete()
    recovery = codes.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=codes.recovery_code_hash(c)) for c in recovery)
    return recovery


def unused_recovery_codes(user: User) -> int:
    return db.session.query(RecoveryCode).filter_by(user_id=user.id, used_at=None).count()


def use_recovery_code(user: User, code: str) -> bool:
    """Single use: the code is marked used in the same transaction that accepts it."""
    if not codes.looks_like_recovery_code(code):
        return False
    row = db.session.execute(db.select(RecoveryCode).filter_by(
        user_id=user.id, code_hash=codes.recovery_code_hash(code), used_at=None)).scalar_one_or_none()
    if row is None:
        return False
    # A conditional update, so two requests racing with the same code cannot both succeed.
    taken = db.session.query(RecoveryCode).filter_by(id=row.id, used_at=None).update({"used_at": system_utcnow()})
    if not taken:
        return False
    audit.record(user, "two_factor.recovery_code_used", "account", user.id, None)
    return True


def check_second_factor(user: User, code: str) -> bool:
    """The second step of a sign-in: a current TOTP code, or one of the recovery codes. Commits what it used."""
    accepted = bool(user.has_totp and check_totp(user, code)) or (user.has_totp and use_recovery_code(user, code))
    if accepted:
        db.session.commit()
    else:
        db.session.rollback()
    return accepted


# --- The sign-in waiting for its second step -----------------------------------------------------------------

def remember_pending_sign_in(user: User, next_url: str) -> None:
    """The password was right; no session is started until the second step. The cookie holds only who and when
    (signed, so it cannot be forged), never a secret."""
    session.clear()
    session[_PENDING_KEY] = {"user_id": user.id, "at": system_utcnow().timestamp(), "next": next_url}


def pending_sign_in() -> Optional[tuple[User, str]]:
    """The person whose password was right in the last few minutes, and where they were going; None once it
    lapsed or the account was disabled."""
    pending = session.get(_PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    age = system_utcnow().timestamp() - float(pending.get("at", 0))
    if not 0 <= age <= PENDING_LIFETIME.total_seconds():
        session.pop(_PENDING_KEY, None)
        return None
    user = db.session.get(User, pending.get("user_id"))
    if user is None or not user.active:
        session.pop(_PENDING_KEY, None)
        return None
    return user, pending.get("next") or ""


def pending_user_id() -> Optional[int]:
    pending = session.get(_PENDING_KEY)
    return pending.get("user_id") if isinstance(pending, dict) else None


def forget_pending_sign_in() -> None:
    session.pop(_PENDING_KEY, None)
