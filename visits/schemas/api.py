"""What the JSON endpoints accept in their query strings and answer (visits/api/openapi.py documents them)."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validates_schema
from marshmallow.validate import OneOf

from .base import Schema, WholeNumber, review_years

MAX_RANGE_DAYS = 31


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


class CsrfOut(Schema):
    csrf_token = fields.String()


class OfflinePagesOut(Schema):
    urls = fields.List(fields.String(), metadata={"description": "Pages the service worker keeps for offline use"})


# --- GET /api/itinerary ------------------------------------------------------------------------------------


class ItineraryQuery(Schema):
    from_ = fields.Date(data_key="from", required=True, validate=review_years)
    to = fields.Date(required=True, validate=review_years)

    @validates_schema
    def _range(self, values, **kwargs):
        if values["to"] < values["from_"]:
            raise ValidationError(_("Must be on or after ‘from’."), "to")
        if values["to"] - values["from_"] > timedelta(days=MAX_RANGE_DAYS):
            raise ValidationError(_("At most %(days)s days at a time.", days=MAX_RANGE_DAYS), "to")


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


# --- GET /api/notes ----------------------------------------------------------------------------------------


class NotesQuery(Schema):
    visit = WholeNumber(required=True)


class NoteThemeOut(Schema):
    id = fields.Integer()
    name = fields.String()


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
    themes = fields.List(fields.Nested(NoteThemeOut), metadata={
        "description": "The review's themes this note carries, in the review's order"})
    language = fields.String(allow_none=True, metadata={
        "description": "The conversation's language: cy, en, other or interpreter; null: not recorded"})
    active_offer = fields.Boolean(allow_none=True, metadata={
        "description": "Whether the Welsh active offer was made; null: not recorded"})


class NotesOut(Schema):
    notes = fields.List(fields.Nested(NoteOut))


# --- GET /api/attendance -----------------------------------------------------------------------------------


class AttendanceQuery(Schema):
    date = fields.Date(required=True, validate=review_years)


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


# --- GET /api/findings -------------------------------------------------------------------------------------


class FindingsQuery(Schema):
    review = WholeNumber(load_default=None, allow_none=True)


class FindingPersonOut(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "For a role that may not know who a service user is, a label "
                                                  "with the case reference."})
    kind = fields.String(metadata={"description": "A review role for team members, else the participant kind"})


class FindingOut(Schema):
    rule = fields.String(metadata={"description": "A rule of DESIGN section 4 (visits/programme_rules.py RULES)"})
    severity = fields.String(metadata={"description": "error | warning"})
    message = fields.String()
    visit_ids = fields.List(fields.Integer())
    people = fields.List(fields.Nested(FindingPersonOut))
    suggestion = fields.String()
    past = fields.Boolean(metadata={"description": "Every visit of the finding is on a day already past: kept as "
                                                   "history, nothing to move"})


class FindingsOut(Schema):
    review_id = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "Findings per severity: {\"error\": n, \"warning\": n}"})
    thresholds = fields.Dict(keys=fields.String(), values=fields.Raw(),
                             metadata={"description": "The thresholds the rules were run with"})
    findings = fields.List(fields.Nested(FindingOut))
