"""What the account forms post (DESIGN section 10): an email, a name, passwords. The password policy itself is
visits/accounts/policy.py; a schema only bounds what it will look at."""
from __future__ import annotations

import re
from typing import Optional

from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError, fields, validates
from marshmallow.validate import Length

from .base import N_, PlainText, Schema

# Deliberately loose: one @, something either side, a dot in the domain, no spaces. Whether the address works
# is learnt by sending to it.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254
MAX_NAME = 120


def email_problem(email: str) -> Optional[str]:
    email = (email or "").strip()
    if not email:
        return _("Enter an email address.")
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        return _("Enter an email address like name@example.org.")
    return None


class EmailField(PlainText):
    def _deserialize(self, value, attr, data, **kwargs):
        email = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        problem = email_problem(email)
        if problem:
            raise ValidationError(problem)
        return email


class NameField(PlainText):
    def __init__(self, **kwargs):
        super().__init__(validate=Length(min=1, max=MAX_NAME), **kwargs)


class AccountForm(Schema):
    """A new account, or a member invited to a review: their email and name."""

    class Meta:
        unknown = EXCLUDE

    email = EmailField(required=True)
    name = NameField(required=True)

    @validates("name")
    def _not_blank(self, value: str, **kwargs) -> None:
        if not value.strip():
            raise ValidationError(_("Enter the person's name."))


# What a password field will look at: the policy refuses past its own MAX_LENGTH; anything longer than this is
# not a password someone typed and is refused before any hashing.
MAX_PASSWORD_FIELD = 1024


class PasswordField(fields.String):
    """A password exactly as typed: never stripped (spaces may be part of a passphrase), bounded."""

    def __init__(self, **kwargs):
        super().__init__(validate=Length(max=MAX_PASSWORD_FIELD), **kwargs)


class NewPasswordForm(Schema):
    """Following an invitation or reset link: the password chosen."""

    class Meta:
        unknown = EXCLUDE

    password = PasswordField(required=True, error_messages={"required": N_("Choose a password.")})


class PasswordChangeForm(Schema):
    """`/account/password`: the password in use now, and the new one."""

    class Meta:
        unknown = EXCLUDE

    current_password = PasswordField(required=True, error_messages={"required": N_("Enter your current password.")})
    new_password = PasswordField(required=True, error_messages={"required": N_("Choose a new password.")})


class ResetRequestForm(Schema):
    """`/password-reset`: the email of the account whose password is forgotten."""

    class Meta:
        unknown = EXCLUDE

    email = EmailField(required=True)


def password_form_input(form, names: tuple[str, ...]) -> dict:
    """The named fields of request.form as posted (passwords are not stripped); an empty one counts as missing."""
    return {name: form[name] for name in names if form.get(name)}
