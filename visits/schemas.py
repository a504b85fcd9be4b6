"""Marshmallow schemas: what the JSON API accepts and returns. The OpenAPI description is generated from these,
so a field documented is a field served."""
from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validates_schema

MAX_RANGE_DAYS = 31


class ItineraryQuery(Schema):
    from_ = fields.Date(data_key="from", required=True)
    to = fields.Date(required=True)

    @validates_schema
    def _range(self, values, **kwargs):
        if values["to"] < values["from_"]:
            raise ValidationError("Must be on or after 'from'.", "to")
        if values["to"] - values["from_"] > timedelta(days=MAX_RANGE_DAYS):
            raise ValidationError(f"At most {MAX_RANGE_DAYS} days at a time.", "to")


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
    error = fields.String()
    message = fields.Raw()
