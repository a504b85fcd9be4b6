"""Account administration rules that the accounts service leaves to whoever calls it (DESIGN section 10)."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _

from ..accounts import service as accounts
from ..models import User
from .teams import TeamChangeRefused


def disable_problem(user: User, *, by: User) -> Optional[str]:
    """An administrator who switched off their own account would be signed out mid-sentence, and could be the
    last one able to switch anyone back on."""
    if user.id == by.id:
        return _("You cannot disable your own account: ask another administrator.")
    return None


def disable_account(user: User, *, by: User) -> None:
    problem = disable_problem(user, by=by)
    if problem:
        raise TeamChangeRefused("account", problem)
    accounts.disable(user, by=by)
