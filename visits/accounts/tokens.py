"""Invitation and reset links (DESIGN section 10): a random token in the link, only its SHA-256 kept, used once,
expiring. A used, expired or unknown token is the same answer to the caller: None."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Optional

from ..clock import system_utcnow
from ..extensions import db
from ..models import AccountToken, TokenPurpose, User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, purpose: TokenPurpose, lifetime: timedelta,
          created_by: Optional[User]) -> tuple[str, datetime]:
    """A new link for `user`; their earlier unused links of the same purpose stop working, so only the latest
    one given out can be used. Returns the token and when it expires (the caller commits)."""
    now = system_utcnow()
    db.session.query(AccountToken).filter_by(user_id=user.id, purpose=purpose, used_at=None).update(
        {"used_at": now})
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=_hash(token), created_at=now,
                                expires_at=now + lifetime, created_by_id=created_by.id if created_by else None))
    return token, now + lifetime


def find(token: str, purpose: TokenPurpose) -> Optional[AccountToken]:
    """The live token row, or None for anything else (unknown, used, expired, the other purpose, an account
    switched off)."""
    if not token or len(token) > 128:
        return None
    row = db.session.execute(
        db.select(AccountToken).filter_by(token_hash=_hash(token), purpose=purpose)).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= system_utcnow() or not row.user.active:
        return None
    return row


def use(row: AccountToken) -> None:
    """Spend the token, atomically: of two requests racing with the same link, only one updates the row."""
    spent = db.session.query(AccountToken).filter_by(id=row.id, used_at=None).update(
        {"used_at": system_utcnow()})
    if spent != 1:
        raise TokenAlreadyUsed()


class TokenAlreadyUsed(Exception):
    pass

