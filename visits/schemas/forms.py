"""The link officer's console: what its forms post and its pages take in the query string.

A form schema loads what `form_input` makes of request.form (stripped strings, blanks left out, several values
for the list fields); its messages are shown beside the fields (`flatten_errors`).
"""
from __future__ import annotations

import re
from datetime import time

from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf, Range

from ..models import CaseStatus, LocationKind, NeedStatus, NeedType, ParticipantKind, VisitKind, VisitStatus
from .base import MAX_ID, N_, PlainText, Schema, WholeNumber, codes, review_years

VISIT_KINDS = codes(VisitKind)
VISIT_STATUSES = codes(VisitStatus)
PARTICIPANT_KINDS = codes(ParticipantKind)
LOCATION_KINDS = codes(LocationKind)
CASE_STATUSES = codes(CaseStatus)
NEED_TYPES = codes(NeedType)
NEED_STATUSES = codes(NeedStatus)

_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2})?$")


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


class ClockTime(fields.Field):
    """A time of day written as a person writes it: 9:30, 09:30, 09.30 or 09:30:00."""

    default_error_messages = {"invalid": N_("Enter a time like 09:30.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, time):
            return value.replace(second=0, microsecond=0)
        match = _CLOCK.match(str(value).strip())
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise self.make_error("invalid")
        return time(int(match[1]), int(match[2]))

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")


class ChosenId(fields.Integer):
    """An id a form offers in a list. A number no row can have (below 1, past MAX_ID) is not one of them."""

    default_error_messages = {"invalid": N_("Choose from the list.")}

    def __init__(self, **kwargs):
        super().__init__(validate=Range(min=1, max=MAX_ID, error=N_("Choose from the list.")), **kwargs)


class VisitForm(Schema):
    """Create or change a visit: POST /programme/visits and POST /programme/visits/<id>."""

    kind = fields.String(required=True, validate=OneOf(VISIT_KINDS, error=N_("Choose a kind of visit.")))
    title = PlainText(load_default="", validate=Length(max=200, error=N_("At most 200 characters.")))
    date = fields.Date(required=True, validate=review_years)
    start = ClockTime(required=True)
    end = ClockTime(required=True)
    location_id = ChosenId(load_default=None, allow_none=True)
    case_id = ChosenId(load_default=None, allow_none=True)
    team = fields.List(ChosenId(), load_default=list)
    status = fields.String(load_default="planned",
                           validate=OneOf(VISIT_STATUSES, error=N_("Choose a status from the list.")))
    briefing = PlainText(load_default="", validate=Length(max=4000, error=N_("At most 4000 characters.")))
    expected_count = fields.Integer(load_default=None, allow_none=True, strict=False,
                                    validate=Range(min=1, max=500, error=N_("Enter a number from {min} to {max}.")))

    @validates_schema(skip_on_field_errors=False)  # every message at once, not one round trip per field
    def _ends_after_start(self, values, **kwargs):
        # Evening visits are fine; a visit running past midnight is two entries in a programme.
        if values.get("start") and values.get("end") and values["end"] <= values["start"]:
            raise ValidationError(_("The end must be after the start."), "end")


class AttendeeForm(Schema):
    participant_id = ChosenId(required=True)


class ParticipantForm(Schema):
    kind = fields.String(required=True, validate=OneOf(PARTICIPANT_KINDS, error=N_("Choose who this is.")))
    name = PlainText(required=True, validate=Length(max=160, error=N_("At most 160 characters.")))
    job_title = PlainText(load_default="", validate=Length(max=160))
    team = PlainText(load_default="", validate=Length(max=160))
    organisation = PlainText(load_default="", validate=Length(max=160))
    phone = PlainText(load_default="", validate=Length(max=40))
    office_id = ChosenId(load_default=None, allow_none=True)


class CaseForm(Schema):
    reference = PlainText(required=True, validate=Length(max=40, error=N_("At most 40 characters.")))
    service_user_id = ChosenId(load_default=None, allow_none=True)
    carer_id = ChosenId(load_default=None, allow_none=True)  # the service user's carer, booked with them
    team_leader_id = ChosenId(load_default=None, allow_none=True)
    social_worker_ids = fields.List(ChosenId(), load_default=list)
    status = fields.String(load_default="identified",
                           validate=OneOf(CASE_STATUSES, error=N_("Choose a status from the list.")))


class LocationForm(Schema):
    name = PlainText(required=True, validate=Length(max=160, error=N_("At most 160 characters.")))
    kind = fields.String(required=True, validate=OneOf(LOCATION_KINDS, error=N_("Choose a kind of place.")))
    address = PlainText(load_default="", validate=Length(max=500))
    parking_notes = PlainText(load_default="", validate=Length(max=500))
    access_notes = PlainText(load_default="", validate=Length(max=500))
    parking_minutes = fields.Integer(load_default=0, error_messages={"invalid": N_("Enter a number of minutes.")},
                                     validate=Range(min=0, max=240, error=N_("Between 0 and 240.")))


class NeedForm(Schema):
    """Raise or change a need from the console; applied through the same path as a `need.set` operation."""

    need_id = fields.String(load_default=None, allow_none=True)
    participant_id = ChosenId(required=True)
    type = fields.String(required=True, validate=OneOf(NEED_TYPES, error=N_("Choose a kind of need.")))
    detail = PlainText(load_default="", validate=Length(max=300, error=N_("At most 300 characters.")))
    status = fields.String(load_default="requested", validate=OneOf(NEED_STATUSES, error=N_("Choose a status.")))
    arrangement = PlainText(load_default="", validate=Length(max=2000))


class ReviewQuery(Schema):
    """?review=<id> (optional: the console picks the first review the person may use) and ?date=."""

    review = WholeNumber(load_default=None, allow_none=True)
    date = fields.Date(load_default=None, allow_none=True, validate=review_years)


class AuditLogQuery(Schema):
    """/audit's filters: ?review=, ?page=, ?person= and ?action=."""

    class Meta:
        unknown = EXCLUDE

    review = WholeNumber(load_default=None)
    # Any page from 1: past the last one is a 404 (nothing there), not a 400.
    page = fields.Integer(load_default=1, validate=Range(min=1, error=N_("Expected a number from {min}.")))
    person = WholeNumber(load_default=None)
    action = fields.String(load_default=None, validate=Length(max=40))


# --- cancelling a visit (issue 10): the reason is asked for, kept with the visit and shown to the team ----------
class CancelVisitForm(Schema):
    reason = PlainText(required=True, validate=Length(min=1, max=500, error=N_("Between 1 and 500 characters.")),
                       error_messages={"required": N_("Say why the visit is cancelled: the team sees the reason.")})


# --- the numbers shown above the concern form (issue 11, DESIGN section 12) -------------------------------------
class EmergencyNumbersForm(Schema):
    """/concerns/contacts: the review's emergency number (999 unless the review says otherwise) and its
    out-of-hours safeguarding number (optional)."""

    emergency_number = PlainText(required=True, validate=Length(min=1, max=120, error=N_("At most 120 characters.")),
                                 error_messages={"required": N_("Enter the emergency number, for example 999.")})
    out_of_hours_number = PlainText(load_default="", validate=Length(max=200, error=N_("At most 200 characters.")))


# --- "Got it" on the itinerary's changes since you last looked (issue 14, DESIGN section 13) --------------------
class SeenChangesForm(Schema):
    """POST /itinerary/changes/seen: the newest change the page showed (those up to it are no longer new), and the
    day to go back to."""

    change = WholeNumber(required=True, error_messages={"required": N_("Reload your itinerary and try again.")})
    date = fields.Date(load_default=None, allow_none=True, validate=review_years)
