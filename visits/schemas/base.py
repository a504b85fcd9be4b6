"""What every schema shares: the base class, the fields a person's input needs, the limits on ids and dates,
marshmallow's messages in our words, and the one way their errors are flattened for a form or an answer.

Messages: one that marshmallow keeps and formats itself (a field's, a validator's) is marked with N_ and
translated as it is formatted, in the request's language; one raised by our own rules is translated (`_`)
when it is raised. Either way the error holds plain strs in lists, the shape every answer relies on.
"""
from __future__ import annotations

import enum
import re
from datetime import date
from typing import Any

import marshmallow
from flask_babel import gettext as _
from marshmallow import ValidationError, fields
from marshmallow.validate import Length, OneOf, Range

# The largest id or version a database INTEGER holds (PostgreSQL's are 32 bits). A larger number names nothing,
# and handing it to the database overflows: ids are refused past it here, and in URLs (app.py).
MAX_ID = 2**31 - 1
# The years a review can be about. A date outside them is a typo, and near year 1 or 9999 the day after, the week
# around it or the moment in UTC cannot even be computed.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# No person types these, and no database keeps them: PostgreSQL refuses NUL, and a lone surrogate is not text at
# all (it has no UTF-8). They are refused as a field message rather than failing in the database.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


class _Message(str):
    """A message marshmallow keeps and formats itself. It stays a str holding the English, because marshmallow
    formats only a str and puts only a str in the error's list; it is translated as marshmallow formats it, so
    in the request's language, not at import."""

    def format(self, *args, **kwargs) -> str:
        return _(str(self)).format(*args, **kwargs)


def N_(text: str) -> _Message:
    """Marks `text` for the catalogue (N_ is one of pybabel's default keywords); translated when used."""
    return _Message(text)


# marshmallow's defaults ("Not a valid integer.", "Missing data for required field.") reach people: in a form's
# messages, in a rejected sync operation, in an API's 400. They are replaced here, once and before any schema
# is made (a field copies its class's messages when it is made).
_FIELD_MESSAGES = {
    fields.Field: {"required": N_("This is needed."), "null": N_("This is needed."),
                   "validator_failed": N_("This value is not allowed.")},
    fields.Nested: {"type": N_("Expected an object here.")},
    fields.List: {"invalid": N_("Expected a list here.")},
    fields.Mapping: {"invalid": N_("Expected an object here.")},
    fields.String: {"invalid": N_("Expected text here."), "invalid_utf8": N_("Expected text here.")},
    fields.UUID: {"invalid_uuid": N_("Expected a UUID here.")},
    fields.Number: {"invalid": N_("Enter a number."), "too_large": N_("This number is too large.")},
    fields.Integer: {"invalid": N_("Enter a whole number.")},
    fields.Boolean: {"invalid": N_("Expected true or false.")},
    fields.DateTime: {"invalid": N_("Enter a date and time like 2026-11-23T10:00:00+00:00."),
                      "format": N_("This cannot be written as a date and time.")},
    fields.NaiveDateTime: {"invalid_awareness": N_("Give the time without a UTC offset.")},
    fields.AwareDateTime: {"invalid_awareness": N_("Give the time with its UTC offset, like "
                                                   "2026-11-23T10:00:00+00:00.")},
    # A date or a time has no UTC offset to get wrong, but marshmallow gives every temporal field the message.
    fields.Date: {"invalid": N_("Enter a date like 2026-11-23."), "format": N_("This cannot be written as a date."),
                  "invalid_awareness": N_("Enter a date like 2026-11-23.")},
    fields.Time: {"invalid": N_("Enter a time like 09:30."), "format": N_("This cannot be written as a time."),
                  "invalid_awareness": N_("Enter a time like 09:30.")},
}
for _field_class, _messages in _FIELD_MESSAGES.items():
    _field_class.default_error_messages = {**_field_class.default_error_messages, **_messages}
# Validators read these when they fail. Range is not here: it builds its sentence as it is made, so each Range
# is given its own message.
Length.message_min = N_("Too short: the minimum length is {min}.")
Length.message_max = N_("Too long: the maximum length is {max}.")
Length.message_all = N_("The length must be from {min} to {max}.")
Length.message_equal = N_("The length must be {equal}.")
OneOf.default_message = N_("Choose one of: {choices}.")


class Schema(marshmallow.Schema):
    """Every schema of ours. marshmallow stores its schema-level messages (a field it does not know, data that
    is not an object) without formatting them, so they are translated as the schema is made, for each request."""

    error_messages = {"type": N_("Expected an object here."), "unknown": N_("Not a field this accepts.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {key: message.format() if isinstance(message, _Message) else message
                               for key, message in self.error_messages.items()}


def codes(kind: type[enum.Enum]) -> tuple[str, ...]:
    """The values an enum of visits/models.py stores, in its order: what a choice field accepts."""
    return tuple(member.value for member in kind)


def in_review_years(day: date) -> bool:
    """The shared date rule: every date (or moment) a client sends lies within FIRST_YEAR..LAST_YEAR."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def review_years(day: date) -> None:
    """in_review_years as a validator."""
    if not in_review_years(day):
        raise ValidationError(_("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))


class PlainText(fields.String):
    """Free text as a person types it: any length the field allows, but never NUL or a lone surrogate."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if _NOT_TEXT.search(text):
            raise ValidationError(_("Remove the unusual characters from this text."))
        return text


class WholeNumber(fields.Integer):
    """An id or version: an integer, or a string of digits (what an HTML form sends); never a bool or 2.5, and
    within 1..MAX_ID, the numbers a row can have."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)
        self.validators.append(Range(min=1, max=MAX_ID, error=N_("Expected a number from {min} to {max}.")))

    def _deserialize(self, value, attr, data, **kwargs):
        # isascii: "²".isdigit() is true too, but int() refuses it.
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as `{"field": [...]}`, for a form to show beside its fields and for an
    answer's `errors`/`fields`. A dict field's name is what matters (`prompts.to_follow_up`), not whether its key
    or its value was wrong; a list field's messages are the list's, whichever item was wrong."""
    if isinstance(messages, (list, tuple)):
        return {prefix or "_schema": [str(message) for message in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        if prefix and (key in ("key", "value") or isinstance(key, int)):
            name = prefix
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        for field, field_messages in flatten_errors(value, name).items():
            flat.setdefault(field, []).extend(field_messages)
    return flat
