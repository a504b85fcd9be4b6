"""What happens to an account (DESIGN section 10): made, invited, given a reset link, its password set, switched
off and on. One place for each, so the admin screens, the coordinator's team page and `create-admin` do the
same thing, and every change ends up in the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _

from ..audit import record
from ..auth.passwords import hash_password
from ..extensions import db
from ..models import AccountToken, TokenPurpose, User
from ..sessions import end_all_sessions
from . import mail, tokens
from .policy import password_problems


@dataclass(frozen=True)
class IssuedLink:
    """A link shown once to whoever made it, to copy; `emailed` says whether it also went by mail."""
    url: str
    emailed: bool
    expires_at: datetime


class PasswordRefused(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_account(email: str) -> Optional[User]:
    return db.session.execute(db.select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def create_account(email: str, name: str, *, by: Optional[User], is_admin: bool = False) -> User:
    """A new account with no password yet: the person chooses one from their invitation."""
    user = User(email=normalise_email(email), name=name.strip(), is_admin=is_admin)
    db.session.add(user)
    db.session.flush()
    record(by, "account_created", "user", user.id, None, is_admin=is_admin)
    return user


def public_url(endpoint: str, **values) -> str:
    """An absolute link: PUBLIC_URL when set (mails and the terminal must name the address people reach the app
    at, not whatever host a request came through), else the request's own host."""
    base = current_app.config.get("PUBLIC_URL")
    if base or not has_request_context():
        with current_app.test_request_context(base_url=base or "http://localhost:5000"):
            return url_for(endpoint, _external=True, **values)
    return url_for(endpoint, _external=True, **values)


def invite(user: User, *, by: Optional[User]) -> IssuedLink:
    lifetime = timedelta(days=current_app.config["INVITATION_DAYS"])
    token, expires_at = tokens.issue(user, TokenPurpose.invitation, lifetime, by)
    url = public_url("accounts.invitation", token=token)
    record(by, "invitation_issued", "user", user.id, None)
    emailed = mail.send_to_person(user, lambda: (_("You are invited to Fieldwork"), _(
        "%(inviter)s has invited you to Fieldwork, the app for the review's fieldwork.\n\n"
        "Choose your password here (the link works once, for %(days)d days):\n%(url)s\n\n"
        "If you were not expecting this, you can ignore this mail.",
        inviter=by.name if by else _("The review's administrator"), days=lifetime.days, url=url)))
    return IssuedLink(url, emailed, expires_at)


def issue_reset(user: User, *, by: Optional[User]) -> IssuedLink:
    """A password-reset link: asked for by the person (by=None) or made for them by an administrator or their
    review's coordinator."""
    lifetime = timedelta(hours=current_app.config["RESET_HOURS"])
    token, expires_at = tokens.issue(user, TokenPurpose.reset, lifetime, by)
    url = public_url("accounts.reset", token=token)
    record(by, "reset_link_issued", "user", user.id, None, requested_by_self=by is None)
    emailed = mail.send_to_person(user, lambda: (_("Reset your Fieldwork password"), _(
        "Someone asked to reset the password of your Fieldwork account.\n\n"
        "Choose a new password here (the link works once, for %(hours)d hour(s)):\n%(url)s\n\n"
        "If it was not you, ignore this mail: your password stays as it is.",
        hours=int(lifetime.total_seconds() // 3600), url=url)))
    return IssuedLink(url, emailed, expires_at)


def set_password(user: User, password: str) -> None:
    """Refuses a weak password (PasswordRefused with readable reasons); the caller commits."""
    problems = password_problems(password, email=user.email, name=user.name)
    if problems:
        raise PasswordRefused(problems)
    user.password_hash = hash_password(password)


def complete_with_token(row: AccountToken, password: str) -> User:
    """Following an invitation or reset link: the password is set, the link spent, and every existing session of
    the account ends (a reset is what someone does when they fear another has their password)."""
    user = row.user
    set_password(user, password)
    tokens.use(row)
    end_all_sessions(user)
    record(user, "invitation_accepted" if row.purpose is TokenPurpose.invitation else "password_reset",
           "user", user.id, None)
    return user


def disable(user: User, *, by: User) -> None:
    """Switched off: every device is signed out at once, and links already given out stop working."""
    user.active = False
    end_all_sessions(user)
    record(by, "account_disabled", "user", user.id, None)


def enable(user: User, *, by: User) -> None:
    """Switched on again: old sessions stay ended (end_all_sessions revoked them for good)."""
    user.active = True
    record(by, "account_enabled", "user", user.id, None)
