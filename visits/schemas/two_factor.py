"""What the two-factor pages take: a code (TOTP or recovery), the password when turning TOTP off, a passkey's name
and the browser's WebAuthn answer."""
from __future__ import annotations

from marshmallow import EXCLUDE, fields, validates_schema, ValidationError
from marshmallow.validate import Length

from flask_babel import gettext as _

from .base import N_, PlainText, Schema

# A recovery code is 11 characters with its hyphen; a TOTP code 6. Anything much longer is not a code.
CODE_MAX = 32
PASSWORD_MAX = 1024
PASSKEY_NAME_MAX = 120
NEXT_MAX = 2048


class CodeForm(Schema):
    class Meta:
        unknown = EXCLUDE

    code = PlainText(required=True, validate=Length(min=1, max=CODE_MAX),
                     error_messages={"required": N_("Enter the code.")})


class ConfirmIdentityForm(Schema):
    """Turning TOTP off or making new recovery codes: a current code, or the password."""

    class Meta:
        unknown = EXCLUDE

    code = PlainText(validate=Length(max=CODE_MAX))
    password = fields.String(validate=Length(max=PASSWORD_MAX))

    @validates_schema
    def _one_of_them(self, data, **kwargs):
        if not data.get("code") and not data.get("password"):
            raise ValidationError(_("Enter a code from your app or your password."), "code")


class PasskeyRegistration(Schema):
    class Meta:
        unknown = EXCLUDE

    name = PlainText(load_default="", validate=Length(max=PASSKEY_NAME_MAX))
    credential = fields.Dict(required=True)


class PasskeyAssertion(Schema):
    class Meta:
        unknown = EXCLUDE

    credential = fields.Dict(required=True)
    # Signing in with a passkey alone, from /login?next=...: where to go after (checked by auth.views.safe_next).
    next = fields.String(load_default="", validate=Length(max=NEXT_MAX))
