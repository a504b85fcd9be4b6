"""The password policy (DESIGN section 10, after NCSC and NIST SP 800-63B): long enough, no composition rules,
paste allowed, and never one of the passwords attackers try first or one made of the person's own email or name.

common-passwords.txt.gz is Django's list (django/contrib/auth, BSD licence): 19,640 common passwords,
lower-cased, compiled by Royce Williams from breach corpora.
"""
from __future__ import annotations

import gzip
import re
import string
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 256  # a bound on the hashing work one form post can ask for; far beyond any passphrase

_COMMON_LIST = Path(__file__).with_name("common-passwords.txt.gz")
_PADDING = string.digits + string.punctuation + " "


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_LIST, "rt", encoding="utf-8") as listed:
        return frozenset(line.strip() for line in listed if line.strip())


def _is_common(password: str) -> bool:
    """A listed password, also with digits or punctuation added before or after ("qwertyuiop123!")."""
    lowered = password.lower()
    candidates = {lowered, lowered.strip(_PADDING), lowered.rstrip(_PADDING), lowered.lstrip(_PADDING)}
    listed = common_passwords()
    return any(candidate in listed for candidate in candidates if candidate)


def _personal_parts(email: str, name: str) -> set[str]:
    """The email's local part and each part of the name of three letters or more: a password holding one of them
    is the first thing someone who knows the person would try."""
    local = (email or "").split("@")[0].lower()
    parts = {local} | set(re.split(r"[^\w]+", local)) | set(re.split(r"[^\w]+", (name or "").lower()))
    return {part for part in parts if len(part) >= 3}


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Readable reasons the password is refused; an empty list when it is fine."""
    if len(password) < MIN_LENGTH:
        return [_("Use at least %(count)d characters. A few words strung together are easy to remember.",
                  count=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("Use at most %(count)d characters.", count=MAX_LENGTH)]
    problems = []
    if _is_common(password):
        problems.append(_("That password is one of the most common ones, which attackers try first. "
                          "Choose something less predictable."))
    lowered = password.lower()
    if any(part in lowered for part in _personal_parts(email, name)):
        problems.append(_("Do not use your name or email address in your password."))
    return problems
