"""What the administration forms post (DESIGN section 10): a review's details and status, a member with a role,
a new account, the review someone is made coordinator of.

Each loads what `forms.form_input` makes of request.form; its messages are shown beside the fields.
"""
from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf

from ..models import ReviewPhase, ReviewStatus, Role
from .accounts import AccountForm
from .base import N_, PlainText, Schema, codes, review_years
from .forms import ChosenId

ROLES = codes(Role)
REVIEW_PHASES = codes(ReviewPhase)
REVIEW_STATUSES = codes(ReviewStatus)
MAX_COUNCIL = 160  # Review.council_name


class ReviewForm(Schema):
    """POST /admin/reviews (a new review) and POST /admin/reviews/<id> (its details): the council and the on-site
    dates; the phase when editing (a new review starts in the broad review)."""

    class Meta:
        unknown = EXCLUDE

    council = PlainText(required=True, validate=Length(min=1, max=MAX_COUNCIL))
    starts_on = fields.Date(required=True, validate=review_years)
    ends_on = fields.Date(required=True, validate=review_years)
    phase = fields.String(load_default=ReviewPhase.broad_review.value,
                          validate=OneOf(REVIEW_PHASES, error=N_("Choose a phase from the list.")))

    @validates_schema
    def _dates_in_order(self, data, **kwargs) -> None:
        if "starts_on" in data and "ends_on" in data and data["ends_on"] < data["starts_on"]:
            raise ValidationError(_("The last on-site day cannot be before the first."), "ends_on")


class ReviewStatusForm(Schema):
    """POST /admin/reviews/<id>/status: the next status, and for closing, that the person understands."""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(required=True, validate=OneOf(REVIEW_STATUSES, error=N_("Choose a status.")))
    confirm = fields.Boolean(load_default=False)


class MemberForm(AccountForm):
    """POST /admin/reviews/<id>/members: an existing account by its email, or a new person to invite, and
    their role on the review."""

    role = fields.String(required=True, validate=OneOf(ROLES, error=N_("Choose a role from the list.")))


class RoleForm(Schema):
    """POST /admin/reviews/<id>/members/<user_id>/role."""

    class Meta:
        unknown = EXCLUDE

    role = fields.String(required=True, validate=OneOf(ROLES, error=N_("Choose a role from the list.")))


class NewAccountForm(AccountForm):
    """POST /admin/accounts: a new account, invited at once; optionally a site administrator."""

    is_admin = fields.Boolean(load_default=False)


class CoordinatorForm(Schema):
    """POST /admin/accounts/<id>/coordinator: the review this person becomes coordinator of."""

    class Meta:
        unknown = EXCLUDE

    review_id = ChosenId(required=True)
