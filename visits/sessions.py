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


# last_seen_at is written at most this often: a sync every few seconds must not write a row each time.
LAST_SEEN_STEP = timedelta(minutes=5)


def start_session(user: User, *, needs_enrolment: bool = False) -> None:
    """Sign a user in on this device: a fresh random token, of which only the hash is stored. A session that
    `needs_enrolment` may only enrol a second factor (visits/two_factor) until it has."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token), needs_enrolment=needs_enrolment,
                                user_agent=(request.user_agent.string or "")[:255]))
    user.last_sign_in_at = system_utcnow()
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
    """Account disabled, password reset, removed from every review: every device of this person is signed out.
    Enabling the account again revives none of them (a revoked row stays revoked)."""
    db.session.query(LoginSession).filter_by(user_id=user.id, revoked_at=None).update(
        {"revoked_at": system_utcnow()})


def end_other_sessions(user: User) -> int:
    """Password change, or "sign out my other devices": every session of this person but this one ends."""
    current = g.get("login_session")
    query = db.session.query(LoginSession).filter_by(user_id=user.id, revoked_at=None)
    if current is not None:
        query = query.filter(LoginSession.id != current.id)
    return query.update({"revoked_at": system_utcnow()})


def live_sessions(user: User) -> list[LoginSession]:
    """Where this person is signed in, most recently seen first (expired ones are not listed)."""
    oldest = system_utcnow() - current_app.permanent_session_lifetime
    return list(db.session.scalars(
        db.select(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None),
               LoginSession.created_at >= oldest)
        .order_by(LoginSession.last_seen_at.desc())))


def current_session() -> LoginSession | None:
    return g.get("login_session")


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
    now = system_utcnow()
    if now - login_session.last_seen_at > LAST_SEEN_STEP:
        login_session.last_seen_at = now
        db.session.commit()
    return user


def init_app(app: Flask) -> None:
    login_manager.user_loader(_load_user)
