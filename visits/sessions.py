"""Sessions the server can end: a sign-in is a row (models.LoginSession) holding the hash of a random token, the
browser's session cookie carries the token, and revoking the row signs that device out at once.

A session's age is counted on the machine's clock, never the app's CLOCK setting (visits/clock.py): a clock set
to a programme's day must not sign anyone out, nor keep a sign-in alive.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Flask, current_app, g, request, session
from flask_login import login_user, logout_user

from .clock import system_utcnow
from .extensions import db, login_manager
from .models import LoginSession, User


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> None:
    """Sign a user in on this device: a fresh random token, of which only the hash is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token),
                                user_agent=(request.user_agent.string or "")[:255]))
    db.session.commit()
    user.login_token = token
    session.clear()  # a new session id on login: no fixation
    session.permanent = True
    login_user(user)


def end_session() -> None:
    login_session = g.get("login_session")
    if login_session is not None:
        login_session.revoked_at = system_utcnow()
        db.session.commit()
    logout_user()
    session.clear()


def end_all_sessions(user: User) -> None:
    """Password change or account disabled: every device of this person is signed out."""
    db.session.query(LoginSession).filter_by(user_id=user.id, revoked_at=None).update(
        {"revoked_at": system_utcnow()})


def _load_user(token: str):
    login_session = db.session.execute(
        db.select(LoginSession).filter_by(token_hash=_token_hash(token), revoked_at=None)
    ).scalar_one_or_none()
    if login_session is None:
        return None
    lifetime: timedelta = current_app.permanent_session_lifetime
    if system_utcnow() - login_session.created_at > lifetime:
        return None
    user = login_session.user
    if not user.active:
        return None
    user.login_token = token
    g.login_session = login_session
    return user


def init_app(app: Flask) -> None:
    login_manager.user_loader(_load_user)
