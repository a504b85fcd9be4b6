"""Marshmallow schemas: what the JSON API accepts and returns. The OpenAPI description is generated from these,
so a field documented is a field served."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

import marshmallow
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, ValidationError, fields, validate, validates_schema
from marshmallow.validate import Length, OneOf, Range

from .models import (
    SETTING_PROMPTS, AttendanceStatus, ConcernCategory, NeedStatus, NeedType, NoteKind, Rating,
)

MAX_RANGE_DAYS = 31
# The largest id or version a database INTEGER holds (PostgreSQL's are 32 bits). A larger number names nothing,
# and handing it to the database overflows: ids are refused past it here, and in URLs (app.py).
MAX_ID = 2**31 - 1
# The years a review can be about. A date outside them is a typo, and near year 1 or 9999 the day after, the week
# around it or the moment in UTC cannot even be computed.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# No person types these, and no database keeps them: PostgreSQL refuses NUL, and a lone surrogate is not text at
# all (it has no UTF-8). They are refused as a field message rather than failing in the database.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


# --- marshmallow's own messages ------------------------------------------------------------------------------
# marshmallow's defaults ("Not a valid integer.", "Missing data for required field.") reach people: in a form's
# messages, in a rejected sync operation, in an API's 400. They are replaced here, once and before any field
# below is made (a field copies its class's messages when it is made), by plain English that goes through
# gettext like every other message.


class _Message(str):
    """A message marshmallow keeps and formats itself. It stays a str holding the English, because marshmallow
    formats only a str and puts only a str in the error's list (which the sync answers and the APIs' `fields`
    rely on); it is translated as marshmallow formats it, so in the request's language, not at import."""

    def format(self, *args, **kwargs) -> str:
        return gettext(str(self)).format(*args, **kwargs)


def N_(text: str) -> _Message:
    """Marks `text` for the catalogue (N_ is one of pybabel's default keywords); translated when used."""
    return _Message(text)


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
# below is given its own message.
Length.message_min = N_("Too short: the minimum length is {min}.")
Length.message_max = N_("Too long: the maximum length is {max}.")
Length.message_all = N_("The length must be from {min} to {max}.")
Length.message_equal = N_("The length must be {equal}.")
OneOf.default_message = N_("Choose one of: {choices}.")


class Schema(marshmallow.Schema):
    """Every schema here. marshmallow stores its schema-level messages (a field it does not know, data that is
    not an object) without formatting them, so they are translated as the schema is made, for each request."""

    error_messages = {"type": N_("Expected an object here."), "unknown": N_("Not a field this accepts.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {key: message.format() if isinstance(message, _Message) else message
                               for key, message in self.error_messages.items()}


def in_review_years(day: date) -> bool:
    """The shared date rule: every date (or moment) a client sends lies within FIRST_YEAR..LAST_YEAR."""
    return FIRST_YEAR <= day.year <= LAST_YEAR


def _review_years(day: date) -> None:
    if not in_review_years(day):
        # A plain str: the sync path expects its messages in lists, which marshmallow only makes of a str.
        raise ValidationError(str(_l("Enter a date between %(first)s and %(last)s.", first=FIRST_YEAR,
                                     last=LAST_YEAR)))


class PlainText(fields.String):
    """Free text as a person types it: any length the field allows, but never NUL or a lone surrogate."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if _NOT_TEXT.search(text):
            raise ValidationError(str(_l("Remove the unusual characters from this text.")))
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


class ItineraryQuery(Schema):
    from_ = fields.Date(data_key="from", required=True, validate=_review_years)
    to = fields.Date(required=True, validate=_review_years)

    @validates_schema
    def _range(self, values, **kwargs):
        if values["to"] < values["from_"]:
            raise ValidationError(str(_l("Must be on or after ‘from’.")), "to")
        if values["to"] - values["from_"] > timedelta(days=MAX_RANGE_DAYS):
            raise ValidationError(str(_l("At most %(days)s days at a time.", days=MAX_RANGE_DAYS)), "to")


class NeedOut(Schema):
    id = fields.String()
    type = fields.String()
    detail = fields.String()
    status = fields.String()
    arrangement = fields.String()


class ParticipantOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String(metadata={"description": "For a role that may not know who a service user is, "
                                                  "a label with the case reference."})
    identity_hidden = fields.Boolean()
    job_title = fields.String()
    team = fields.String()
    organisation = fields.String()
    phone = fields.String(allow_none=True)
    attendance = fields.String(allow_none=True)
    needs = fields.List(fields.Nested(NeedOut))


class PersonOut(Schema):
    id = fields.Integer()
    name = fields.String()
    phone = fields.String(allow_none=True)


class LocationOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    address = fields.String()
    parking_notes = fields.String()
    access_notes = fields.String()


class SegmentOut(Schema):
    title = fields.String()
    minutes = fields.Integer()


class VisitOut(Schema):
    """A visit as the signed-in person may see it; `full: false` means only time, kind, team and a non-home
    place, and the other fields are null."""

    id = fields.Integer()
    review_id = fields.Integer()
    council_name = fields.String()
    kind = fields.String()
    title = fields.String()
    starts_at = fields.NaiveDateTime(metadata={"description": "Wall-clock time in Europe/London"})
    ends_at = fields.NaiveDateTime()
    status = fields.String()
    full = fields.Boolean()
    on_team = fields.Boolean()
    team = fields.List(fields.Nested(PersonOut))
    location = fields.Nested(LocationOut, allow_none=True)
    participants = fields.List(fields.Nested(ParticipantOut), allow_none=True)
    case_reference = fields.String(allow_none=True)
    agenda = fields.List(fields.Nested(SegmentOut))
    briefing = fields.String(allow_none=True)
    contacts = fields.List(fields.Nested(PersonOut), metadata={"description": "Who to call: the link officers"})
    checked_in_at = fields.AwareDateTime(allow_none=True)
    checked_out_at = fields.AwareDateTime(allow_none=True)


class ItineraryOut(Schema):
    visits = fields.List(fields.Nested(VisitOut))


class ErrorOut(Schema):
    error = fields.String(metadata={"description": "What went wrong, for a program: invalid, csrf, wrong_user, "
                                                   "unauthenticated, request_entity_too_large, ..."})
    message = fields.Raw(metadata={"description": "What went wrong, for a person (translated)"})
    # `fields` would shadow marshmallow's module in this class body: the key is named by data_key.
    field_messages = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()),
                                 metadata={"description": "400 invalid: messages by field name"})


class HealthOut(Schema):
    status = fields.String(validate=OneOf(["ok", "error"]))
    database = fields.String(validate=OneOf(["ok", "unreachable"]))


# --- the link officer's console (issue 5) ------------------------------------------------------------------
# Form schemas load what a programme form posts (strings from request.form; several values for the lists).
# Their messages are shown next to the field, so they are translatable; `form_input` turns a posted form into
# the dict they load (blank fields count as not given).


VISIT_KINDS = ("stakeholder_meeting", "setting_visit", "team_visit", "staff_interview", "group_interview",
               "home_visit", "user_group_meeting", "briefing")
VISIT_STATUSES = ("planned", "confirmed", "in_progress", "completed", "cancelled", "no_show", "rescheduled")
PARTICIPANT_KINDS = ("staff", "service_user", "carer", "stakeholder")
LOCATION_KINDS = ("council_office", "contact_centre", "day_facility", "residential_setting", "home", "other")
CASE_STATUSES = ("identified", "visited", "dropped_out")
NEED_TYPES = ("interpreting", "advocacy", "personal_assistance", "sensory", "access")
NEED_STATUSES = ("requested", "arranged", "confirmed", "unavailable")

_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2})?$")


class ClockTime(fields.Field):
    """A time of day written as a person writes it: 9:30, 09:30, 09.30 or 09:30:00."""

    default_error_messages = {"invalid": _l("Enter a time like 09:30.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, time):
            return value.replace(second=0, microsecond=0)
        match = _CLOCK.match(str(value).strip())
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise self.make_error("invalid")
        return time(int(match[1]), int(match[2]))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")


def form_input(form, lists: tuple[str, ...] = ()) -> dict:
    """request.form as a dict: stripped strings, blanks left out, `lists` as lists of their non-blank values."""
    values: dict = {}
    for key in form.keys():
        if key == "csrf_token":
            continue
        if key in lists:
            values[key] = [v.strip() for v in form.getlist(key) if v.strip()]
        elif (value := form.get(key, "").replace("\r\n", "\n").strip()):
            values[key] = value  # browsers post textarea line breaks as \r\n
    return values


def form_errors(error: ValidationError) -> dict[str, list[str]]:
    """{field: [message]} for a form. Our messages are lazy strings, which marshmallow does not wrap in a list
    (it only wraps str), and list fields nest theirs by index: both are flattened here."""
    def flatten(found) -> list[str]:
        if isinstance(found, dict):
            return [message for inner in found.values() for message in flatten(inner)]
        if isinstance(found, (list, tuple)):
            return [message for inner in found for message in flatten(inner)]
        return [str(found)]

    messages = error.messages if isinstance(error.messages, dict) else {"form": error.messages}
    return {str(name): flatten(found) for name, found in messages.items()}


def _choice(choices, message):
    return validate.OneOf(choices, error=message)


_REQUIRED = {"required": _l("This is needed."), "null": _l("This is needed.")}
_INVALID_DATE = {"invalid": _l("Enter a date like 2026-11-23."), **_REQUIRED}


class ChosenId(fields.Integer):
    """An id a form offers in a list. A number no row can have (below 1, past MAX_ID) is not one of them."""

    default_error_messages = {"invalid": _l("Choose from the list.")}

    def __init__(self, **kwargs):
        super().__init__(validate=Range(min=1, max=MAX_ID, error=_l("Choose from the list.")), **kwargs)


class VisitForm(Schema):
    """Create or change a visit: POST /programme/visits and POST /programme/visits/<id>."""

    kind = fields.String(required=True, error_messages=_REQUIRED,
                         validate=_choice(VISIT_KINDS, _l("Choose a kind of visit.")))
    title = PlainText(load_default="", validate=validate.Length(max=200, error=_l("At most 200 characters.")))
    date = fields.Date(required=True, error_messages=_INVALID_DATE, validate=_review_years)
    start = ClockTime(required=True, error_messages=_REQUIRED)
    end = ClockTime(required=True, error_messages=_REQUIRED)
    location_id = ChosenId(load_default=None, allow_none=True)
    case_id = ChosenId(load_default=None, allow_none=True)
    team = fields.List(ChosenId(), load_default=list)
    status = fields.String(load_default="planned",
                           validate=_choice(VISIT_STATUSES, _l("Choose a status from the list.")))
    briefing = PlainText(load_default="", validate=validate.Length(max=4000, error=_l("At most 4000 "
                                                                                       "characters.")))
    expected_count = fields.Integer(load_default=None, allow_none=True, strict=False,
                                    validate=Range(min=1, max=500, error=N_("Enter a number from {min} to {max}.")))

    @validates_schema(skip_on_field_errors=False)  # every message at once, not one round trip per field
    def _ends_after_start(self, values, **kwargs):
        # Evening visits are fine; a visit running past midnight is two entries in a programme.
        if values.get("start") and values.get("end") and values["end"] <= values["start"]:
            raise ValidationError(str(_l("The end must be after the start.")), "end")


class AttendeeForm(Schema):
    participant_id = ChosenId(required=True, error_messages=_REQUIRED)


class ParticipantForm(Schema):
    kind = fields.String(required=True, error_messages=_REQUIRED,
                         validate=_choice(PARTICIPANT_KINDS, _l("Choose who this is.")))
    name = PlainText(required=True, error_messages=_REQUIRED,
                     validate=validate.Length(max=160, error=_l("At most 160 characters.")))
    job_title = PlainText(load_default="", validate=validate.Length(max=160))
    team = PlainText(load_default="", validate=validate.Length(max=160))
    organisation = PlainText(load_default="", validate=validate.Length(max=160))
    phone = PlainText(load_default="", validate=validate.Length(max=40))
    office_id = ChosenId(load_default=None, allow_none=True)


class CaseForm(Schema):
    reference = PlainText(required=True, error_messages=_REQUIRED,
                          validate=validate.Length(max=40, error=_l("At most 40 characters.")))
    service_user_id = ChosenId(load_default=None, allow_none=True)
    team_leader_id = ChosenId(load_default=None, allow_none=True)
    social_worker_ids = fields.List(ChosenId(), load_default=list)
    status = fields.String(load_default="identified",
                           validate=_choice(CASE_STATUSES, _l("Choose a status from the list.")))


class LocationForm(Schema):
    name = PlainText(required=True, error_messages=_REQUIRED,
                     validate=validate.Length(max=160, error=_l("At most 160 characters.")))
    kind = fields.String(required=True, error_messages=_REQUIRED,
                         validate=_choice(LOCATION_KINDS, _l("Choose a kind of place.")))
    address = PlainText(load_default="", validate=validate.Length(max=500))
    parking_notes = PlainText(load_default="", validate=validate.Length(max=500))
    access_notes = PlainText(load_default="", validate=validate.Length(max=500))
    parking_minutes = fields.Integer(load_default=0, error_messages={"invalid": _l("Enter a number of minutes.")},
                                     validate=validate.Range(min=0, max=240, error=_l("Between 0 and 240.")))


class NeedForm(Schema):
    """Raise or change a need from the console; applied through the same path as a `need.set` operation."""

    need_id = fields.String(load_default=None, allow_none=True)
    participant_id = ChosenId(required=True, error_messages=_REQUIRED)
    type = fields.String(required=True, error_messages=_REQUIRED,
                         validate=_choice(NEED_TYPES, _l("Choose a kind of need.")))
    detail = PlainText(load_default="", validate=validate.Length(max=300, error=_l("At most 300 characters.")))
    status = fields.String(load_default="requested", validate=_choice(NEED_STATUSES, _l("Choose a status.")))
    arrangement = PlainText(load_default="", validate=validate.Length(max=2000))


class ReviewQuery(Schema):
    """?review=<id> (optional: the console picks the first review the person may use) and ?date=."""

    review = WholeNumber(load_default=None, allow_none=True)
    date = fields.Date(load_default=None, allow_none=True, validate=_review_years)


class AuditLogQuery(Schema):
    """/audit's filters: ?review=, ?page=, ?person= and ?action=."""

    class Meta:
        unknown = EXCLUDE

    review = WholeNumber(load_default=None)
    # Any page from 1: past the last one is a 404 (nothing there), not a 400.
    page = fields.Integer(load_default=1, validate=Range(min=1, error=N_("Expected a number from {min}.")))
    person = WholeNumber(load_default=None)
    action = fields.String(load_default=None, validate=validate.Length(max=40))


class FindingPersonOut(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "For a role that may not know who a service user is, a label "
                                                  "with the case reference."})
    kind = fields.String(metadata={"description": "A review role for team members, else the participant kind"})


class FindingOut(Schema):
    rule = fields.String(metadata={"description": "One of the 14 rules of DESIGN section 4"})
    severity = fields.String(metadata={"description": "error | warning"})
    message = fields.String()
    visit_ids = fields.List(fields.Integer())
    people = fields.List(fields.Nested(FindingPersonOut))
    suggestion = fields.String()


class FindingsQuery(Schema):
    review = WholeNumber(load_default=None, allow_none=True)


class FindingsOut(Schema):
    review_id = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "Findings per severity: {\"error\": n, \"warning\": n}"})
    thresholds = fields.Dict(keys=fields.String(), values=fields.Raw(),
                             metadata={"description": "The thresholds the rules were run with"})
    findings = fields.List(fields.Nested(FindingOut))


# --- Recording in the field: operations (DESIGN section 7) ------------------------------------------------
# One schema per operation type checks `data`; OperationIn checks the envelope. The sync path (visits/sync.py)
# loads both, so the visit page's forms, htmx and the offline outbox are validated by the very same rules.

OPERATION_TYPES = ("note.save", "attendance.set", "visit.check_in", "visit.check_out", "need.set",
                   "concern.raise", "concern.refer")
NOTE_MAX_CHARS = 50_000
NOTE_KINDS = tuple(kind.value for kind in NoteKind)


class OperationIn(Schema):
    """The envelope of one operation; `data` is checked by the schema for its `type`."""

    class Meta:
        # A client may keep its own bookkeeping beside an operation (when it was made, ...); data stays strict.
        unknown = EXCLUDE

    op_id = fields.UUID(required=True, metadata={"description": "Made on the device; the idempotency key."})
    type = fields.String(required=True, validate=OneOf(OPERATION_TYPES))
    base_version = WholeNumber(allow_none=True, load_default=None,
                               metadata={"description": "note.save: the version the text was edited from; "
                                                        "null for a new note."})
    data = fields.Dict(required=True)


class NoteSaveData(Schema):
    note_id = fields.UUID(required=True)
    visit_id = WholeNumber(required=True)
    kind = fields.String(required=True, validate=OneOf(NOTE_KINDS))
    body = PlainText(load_default="", validate=Length(max=NOTE_MAX_CHARS))
    prompts = fields.Dict(keys=fields.String(), values=PlainText(validate=Length(max=NOTE_MAX_CHARS)),
                          load_default=dict,
                          metadata={"description": "setting_observation only; keys: " + ", ".join(SETTING_PROMPTS)})
    resolves_conflict = fields.Boolean(load_default=False, metadata={
        "description": "True only from the merge view: this text replaces the note and its conflict copies."})

    @validates_schema
    def _prompts_and_text(self, values, **kwargs):
        prompts = values.get("prompts") or {}
        unknown = sorted(key for key in prompts if key not in SETTING_PROMPTS)
        # Plain strs, like every message raised here: the sync path expects its messages in lists.
        if unknown:
            raise ValidationError(str(_l("Unknown prompt: %(prompts)s.", prompts=", ".join(unknown))), "prompts")
        if prompts and values.get("kind") != NoteKind.setting_observation.value:
            raise ValidationError(str(_l("Only setting observations have prompts.")), "prompts")
        if not values.get("body", "").strip() and not any(text.strip() for text in prompts.values()):
            raise ValidationError(str(_l("Write something before saving.")), "body")
        # One note must fit in one sync request whatever its characters: UTF-8 takes at most 4 bytes for one.
        limit = current_app.config["SYNC_MAX_BYTES"] // 4
        if len(values.get("body", "")) + sum(len(text) for text in prompts.values()) > limit:
            raise ValidationError(str(_l("At most %(limit)s characters in all, the text and the prompts together.",
                                         limit=limit)), "body")


class AttendanceSetData(Schema):
    visit_id = WholeNumber(required=True)
    participant_id = WholeNumber(required=True)
    status = fields.String(required=True, validate=OneOf([s.value for s in AttendanceStatus]))
    at = fields.AwareDateTime(load_default=None, validate=_review_years,
                              metadata={"description": "Device time, with its UTC offset."})


class CheckData(Schema):
    visit_id = WholeNumber(required=True)
    at = fields.AwareDateTime(required=True, validate=_review_years,
                              metadata={"description": "Device time, with its UTC offset."})


class NeedSetData(Schema):
    """Raise a need (a new need_id) or change one. Fields left out keep their value."""

    need_id = fields.UUID(required=True)
    participant_id = WholeNumber(required=True)
    type = fields.String(required=True, validate=OneOf([t.value for t in NeedType]))
    detail = PlainText(load_default=None, validate=Length(max=300))
    status = fields.String(load_default=None, validate=OneOf([s.value for s in NeedStatus]))
    arrangement = PlainText(load_default=None, validate=Length(max=2000))


class ConcernRaiseData(Schema):
    concern_id = fields.UUID(required=True)
    visit_id = WholeNumber(required=True)
    category = fields.String(required=True, validate=OneOf([c.value for c in ConcernCategory]))
    rating = fields.String(required=True, validate=OneOf([r.value for r in Rating]))
    text = PlainText(required=True, validate=Length(min=1, max=NOTE_MAX_CHARS))


class ConcernReferData(Schema):
    concern_id = fields.UUID(required=True)
    referral_text = PlainText(required=True, validate=Length(min=1, max=NOTE_MAX_CHARS))


OPERATION_DATA = {
    "note.save": NoteSaveData,
    "attendance.set": AttendanceSetData,
    "visit.check_in": CheckData,
    "visit.check_out": CheckData,
    "need.set": NeedSetData,
    "concern.raise": ConcernRaiseData,
    "concern.refer": ConcernReferData,
}


class SyncIn(Schema):
    ops = fields.List(fields.Nested(OperationIn), required=True)


class OperationResultOut(Schema):
    op_id = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    status = fields.String(validate=OneOf(["applied", "duplicate", "conflict", "rejected", "forbidden"]))
    first_status = fields.String(metadata={"description": "duplicate only: the status of the first answer"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "rejected only: messages by field name"})
    note_id = fields.String()
    version = fields.Integer(metadata={"description": "note.save applied: the note's new version"})
    server_version = fields.Integer(metadata={"description": "note.save conflict"})
    server_body = fields.String(metadata={"description": "note.save conflict: the text kept on the server"})
    server_prompts = fields.Dict(metadata={"description": "note.save conflict"})
    visit_id = fields.Integer()
    participant_id = fields.Integer()
    attendance = fields.String()
    superseded = fields.Boolean(metadata={"description": "attendance.set: a later one (by device time) stands; "
                                                         "`attendance` is its value"})
    # Kept in the ledger as given, so ISO 8601 strings rather than datetimes.
    checked_in_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    checked_out_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    need_id = fields.String()
    need_status = fields.String()
    concern_id = fields.String()


class SyncOut(Schema):
    results = fields.List(fields.Nested(OperationResultOut))


class NotesQuery(Schema):
    visit = WholeNumber(required=True)


class NoteOut(Schema):
    id = fields.String()
    visit_id = fields.Integer()
    author_id = fields.Integer()
    author_name = fields.String()
    kind = fields.String()
    body = fields.String()
    prompts = fields.Dict(keys=fields.String(), values=fields.String())
    version = fields.Integer()
    in_conflict = fields.Boolean()
    updated_at = fields.AwareDateTime()


class NotesOut(Schema):
    notes = fields.List(fields.Nested(NoteOut))


class AttendanceQuery(Schema):
    date = fields.Date(required=True, validate=_review_years)


class AttendeeOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()
    identity_hidden = fields.Boolean()
    attendance = fields.String()
    recorded_at = fields.AwareDateTime(allow_none=True)


class TeamCheckOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    checked_in_at = fields.AwareDateTime(allow_none=True)
    checked_out_at = fields.AwareDateTime(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "Home visit not checked out by the planned end + grace"})


class VisitAttendanceOut(Schema):
    id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    starts_at = fields.NaiveDateTime(metadata={"description": "Wall-clock time in Europe/London"})
    ends_at = fields.NaiveDateTime()
    status = fields.String()
    participants = fields.List(fields.Nested(AttendeeOut))
    team = fields.List(fields.Nested(TeamCheckOut))


class AttendanceOut(Schema):
    date = fields.Date()
    visits = fields.List(fields.Nested(VisitAttendanceOut))


class CsrfOut(Schema):
    csrf_token = fields.String()


class OfflinePagesOut(Schema):
    urls = fields.List(fields.String(), metadata={"description": "Pages the service worker keeps for offline use"})
