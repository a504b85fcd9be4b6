"""The lone-worker ladder's settings form (DESIGN section 13) and the duress code form (one's own account)."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError, fields, validates_schema
from marshmallow.validate import Email, Length, Range

from ..alerts.ladder import MAX_MINUTES, MIN_MINUTES
from .base import N_, Schema

DURESS_CODE = re.compile(r"^[0-9]{4,12}$")


class Minutes(fields.Integer):
    default_error_messages = {"invalid": N_("Enter a whole number of minutes.")}


class AlertSettingsForm(Schema):
    """Blank grace: the app's OVERDUE_GRACE_MINUTES. Step 3 must come after step 2."""

    class Meta:
        unknown = EXCLUDE  # the review id travels in the query string and the form

    grace_minutes = Minutes(load_default=None, strict=False,
                            validate=Range(MIN_MINUTES, MAX_MINUTES, error=N_("Between 0 and 240 minutes.")))
    team_minutes = Minutes(required=True, strict=False,
                           validate=Range(MIN_MINUTES, MAX_MINUTES, error=N_("Between 0 and 240 minutes.")))
    out_of_hours_minutes = Minutes(required=True, strict=False,
                                   validate=Range(MIN_MINUTES, MAX_MINUTES, error=N_("Between 0 and 240 minutes.")))
    out_of_hours_email = fields.String(load_default="", validate=[
        Length(max=254, error=N_("At most 254 characters.")),
        Email(error=N_("Enter an email address like duty@council.example."))])

    @validates_schema(skip_on_field_errors=False)
    def step_three_after_step_two(self, data, **kwargs):
        team, out_of_hours = data.get("team_minutes"), data.get("out_of_hours_minutes")
        if team is not None and out_of_hours is not None and out_of_hours <= team:
            raise ValidationError(_("The out-of-hours contact comes after the lead and link officers: more minutes "
                                    "than theirs."), "out_of_hours_minutes")


class DuressCodeForm(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, error_messages={"required": N_("Enter a code of 4 to 12 digits.")})
    repeat_code = fields.String(required=True, error_messages={"required": N_("Enter the same code again.")})

    @validates_schema
    def well_formed(self, data, **kwargs):
        code = data.get("code", "")
        if code and not DURESS_CODE.match(code):
            raise ValidationError(_("Enter a code of 4 to 12 digits."), "code")
        if code and "repeat_code" in data and data["repeat_code"] != code:
            raise ValidationError(_("The two codes are not the same."), "repeat_code")
