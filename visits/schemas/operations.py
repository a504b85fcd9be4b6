"""Recording in the field: the operation envelope, one schema per operation type for its `data`, and the sync
answers (DESIGN section 7). visits/sync.py loads the envelope, then the data schema its type's entry names
(visits/operations/registry.py), so the visit page's forms, htmx and the offline outbox meet the same rules."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError, fields, pre_load, validates_schema
from marshmallow.validate import Length, OneOf

from ..models import (
    SETTING_PROMPTS, AttendanceStatus, ConcernCategory, NeedStatus, NeedType, NoteKind, Rating, SupportedBy,
)
from .base import N_, PlainText, Schema, WholeNumber, codes, review_years
from ..notes.language import LANGUAGE_CODES, NOT_RECORDED
from ..notes.prompts import ALL_PROMPTS, PROMPTS_BY_KIND, prompts_for
from ..themes import MAX_THEMES_ON_A_NOTE
from ..vocabulary import label

NOTE_MAX_CHARS = 50_000
NOTE_KINDS = codes(NoteKind)


class OperationIn(Schema):
    """The envelope of one operation; `data` is checked by the schema for its `type`."""

    class Meta:
        # A client may keep its own bookkeeping beside an operation (when it was made, ...); data stays strict.
        unknown = EXCLUDE

    op_id = fields.UUID(required=True, metadata={"description": "Made on the device; the idempotency key."})
    # Which types there are is the registry's to say (it names this schema's data schemas, so it cannot be
    # named here): sync checks the type against it, and the OpenAPI document lists them.
    type = fields.String(required=True)
    base_version = WholeNumber(allow_none=True, load_default=None,
                               metadata={"description": "note.save: the version the text was edited from; "
                                                        "null for a new note."})
    data = fields.Dict(required=True)


class OfferOrNotRecorded(fields.Boolean):
    """A note's Welsh active offer: true or false, or "none" for "Not recorded" (kept as NOT_RECORDED, so a save
    that takes the answer back is told apart from one that leaves it out)."""

    default_error_messages = {"invalid": N_("Choose yes, no or not recorded.")}

    def _deserialize(self, value, attr, data, **kwargs):
        if value == NOT_RECORDED:
            return NOT_RECORDED
        return super()._deserialize(value, attr, data, **kwargs)


class NoteSaveData(Schema):
    note_id = fields.UUID(required=True)
    visit_id = WholeNumber(required=True)
    kind = fields.String(required=True, validate=OneOf(NOTE_KINDS))
    body = PlainText(load_default="", validate=Length(max=NOTE_MAX_CHARS))
    prompts = fields.Dict(keys=fields.String(), values=PlainText(validate=Length(max=NOTE_MAX_CHARS)),
                          load_default=dict,
                          metadata={"description": "The headings of the note's kind only; keys by kind: "
                                    + f"setting_observation: {', '.join(SETTING_PROMPTS)}; "
                                    + "; ".join(f"{kind}: {', '.join(keys)}" for kind, keys in PROMPTS_BY_KIND.items()
                                                if keys and kind != "setting_observation")})
    # Theme ids of the note's review (visits/themes.py); left out: the note keeps the themes it has.
    themes = fields.List(WholeNumber(), load_default=None, validate=Length(max=MAX_THEMES_ON_A_NOTE), metadata={
        "description": "The ids of the review's themes this note carries (replacing those it had); left out, the "
                       f"note keeps its themes. At most {MAX_THEMES_ON_A_NOTE}."})
    resolves_conflict = fields.Boolean(load_default=False, metadata={
        "description": "True only from the merge view: this text replaces the note and its conflict copies."})
    # Issue 13 (visits/notes/language.py): like themes, left out (or null, or "") the note keeps what it has;
    # "none" takes it back to "not recorded".
    language = fields.String(load_default=None, allow_none=True,
                             validate=OneOf(LANGUAGE_CODES + (NOT_RECORDED,), error=N_(
                                 "Choose Welsh, English, another language, with an interpreter or not recorded.")),
                             metadata={
        "description": "The language the conversation was held in: cy (Welsh), en (English), other, "
                       "interpreter, or none (not recorded); left out (or null, or \"\"), the note keeps the one "
                       "it has."})
    active_offer = OfferOrNotRecorded(load_default=None, allow_none=True, metadata={
        "description": "Whether the Welsh active offer was made (Welsh offered without being asked for): true, "
                       "false, or \"none\" (not recorded); left out (or null, or \"\"), the note keeps what it "
                       "has."})

    @pre_load
    def _blank_is_left_out(self, values, **kwargs):
        # A form sends "" for a choice nobody made: not recorded (or unchanged), as if left out.
        if isinstance(values, dict) and any(values.get(name) == "" for name in ("language", "active_offer")):
            values = {name: value for name, value in values.items()
                      if not (name in ("language", "active_offer") and value == "")}
        return values

    @validates_schema
    def _prompts_and_text(self, values, **kwargs):
        prompts = values.get("prompts") or {}
        unknown = sorted(key for key in prompts if key not in ALL_PROMPTS)
        if unknown:
            raise ValidationError(_("Unknown prompt: %(prompts)s.", prompts=", ".join(unknown)), "prompts")
        others = sorted(key for key in prompts if key not in prompts_for(values.get("kind")))
        if others and not prompts_for(values.get("kind")):
            raise ValidationError(_("A general note has no headings: write it all in the note."), "prompts")
        if others:
            raise ValidationError(_("Not a heading of this kind of note: %(prompts)s.",
                                    prompts=", ".join(str(label("prompt", key)) for key in others)), "prompts")
        if not values.get("body", "").strip() and not any(text.strip() for text in prompts.values()):
            raise ValidationError(_("Write something before saving."), "body")
        # One note must fit in one sync request whatever its characters: UTF-8 takes at most 4 bytes for one.
        limit = current_app.config["SYNC_MAX_BYTES"] // 4
        if len(values.get("body", "")) + sum(len(text) for text in prompts.values()) > limit:
            raise ValidationError(_("At most %(limit)s characters in all, the text and the prompts together.",
                                    limit=limit), "body")


class AttendanceSetData(Schema):
    visit_id = WholeNumber(required=True)
    participant_id = WholeNumber(required=True)
    status = fields.String(required=True, validate=OneOf(codes(AttendanceStatus)))
    at = fields.AwareDateTime(load_default=None, validate=review_years,
                              metadata={"description": "Device time, with its UTC offset."})


class CheckData(Schema):
    visit_id = WholeNumber(required=True)
    at = fields.AwareDateTime(required=True, validate=review_years,
                              metadata={"description": "Device time, with its UTC offset."})
    confirmed = fields.Boolean(load_default=False, metadata={
        "description": "The person said they meant it: needed when `at` is more than 2 hours from the visit or on "
                       "another day (otherwise answered `rejected` on `confirmed`)."})


class NeedSetData(Schema):
    """Raise a need (a new need_id) or change one. Fields left out keep their value."""

    need_id = fields.UUID(required=True)
    participant_id = WholeNumber(required=True)
    type = fields.String(required=True, validate=OneOf(codes(NeedType)))
    detail = PlainText(load_default=None, validate=Length(max=300))
    status = fields.String(load_default=None, validate=OneOf(codes(NeedStatus)))
    arrangement = PlainText(load_default=None, validate=Length(max=2000))


class ConcernRaiseData(Schema):
    concern_id = fields.UUID(required=True)
    visit_id = WholeNumber(required=True)
    category = fields.String(required=True, validate=OneOf(codes(ConcernCategory)))
    rating = fields.String(required=True, validate=OneOf(codes(Rating)))
    text = PlainText(required=True, validate=Length(min=1, max=NOTE_MAX_CHARS))


class ConcernReferData(Schema):
    concern_id = fields.UUID(required=True)
    referral_text = PlainText(required=True, validate=Length(min=1, max=NOTE_MAX_CHARS))
    # The named council contact (DESIGN section 12). The form always sends it, so a blank one is refused there;
    # an operation without the field at all (queued offline by a page from before it existed) still refers.
    referred_to = PlainText(load_default=None, validate=Length(min=1, max=200), metadata={
        "description": "The council contact the concern is referred to; required by the form, left out only by "
                       "older clients (the concern then keeps the contact it had)."})

    @validates_schema
    def _contact_named(self, values, **kwargs):
        if values.get("referred_to") is not None and not values["referred_to"].strip():
            raise ValidationError(_("Name the council contact the concern is referred to."), "referred_to")


# --- a concern's lifecycle after the referral (DESIGN section 12) -------------------------------------------


class ConcernDecideData(Schema):
    """The lead decides not to refer a concern; the reason is kept for the report."""

    concern_id = fields.UUID(required=True)
    reason = PlainText(required=True, validate=Length(min=1, max=NOTE_MAX_CHARS))

    @validates_schema
    def _reason_given(self, values, **kwargs):
        if not values.get("reason", "").strip():
            raise ValidationError(_("Say why the concern is not referred."), "reason")


class ConcernAcknowledgeData(Schema):
    """The link officer says the council has the referral."""

    concern_id = fields.UUID(required=True)


class ConcernOutcomeData(Schema):
    """The link officer records what the council did about the referral."""

    concern_id = fields.UUID(required=True)
    outcome = PlainText(required=True, validate=Length(min=1, max=NOTE_MAX_CHARS))

    @validates_schema
    def _outcome_given(self, values, **kwargs):
        if not values.get("outcome", "").strip():
            raise ValidationError(_("Write what the council did."), "outcome")


class SyncIn(Schema):
    ops = fields.List(fields.Nested(OperationIn), required=True)


class OperationResultOut(Schema):
    op_id = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    status = fields.String(validate=OneOf(["applied", "duplicate", "conflict", "rejected", "forbidden"]))
    first_status = fields.String(metadata={"description": "duplicate only: the status of the first answer"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "rejected (and forbidden on a closed review): messages by "
                                                  "field name"})
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
    concern_state = fields.String(metadata={"description": "concern.refer/decide/acknowledge/outcome applied: "
                                                           "the step the concern has reached"})
    feedback_id = fields.String()


class SyncOut(Schema):
    results = fields.List(fields.Nested(OperationResultOut))


# --- feedback.record: what a service user said through the easy-read questionnaire (DESIGN section 12) -----------

FEEDBACK_COMMENT_MAX_CHARS = 4000
# More answers than any review asks questions: bounds the work one operation can cause.
FEEDBACK_MAX_ANSWERS = 40
FEEDBACK_DECLINED = "declined"


class FeedbackAnswer(fields.Field):
    """One answer: 1 (very bad) to 5 (very good), or "declined" ("I'd rather not say"). A form sends "1".."5"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == FEEDBACK_DECLINED:
            return value
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationError(_("Answer with 1 to 5, or “declined”."))
        return value


class FeedbackRecordData(Schema):
    """Which question codes a review asks is the handler's to check (visits/feedback/operations.py)."""

    feedback_id = fields.UUID(required=True)
    visit_id = WholeNumber(required=True)
    participant_id = WholeNumber(load_default=None, allow_none=True)
    language = PlainText(load_default="en", validate=Length(min=1, max=35))
    supported_by = fields.String(load_default="none", validate=OneOf(codes(SupportedBy)))
    consent = fields.Boolean(required=True)
    answers = fields.Dict(keys=fields.String(validate=Length(min=1, max=40)), values=FeedbackAnswer(),
                          load_default=dict, metadata={"description": "{question code: 1-5 | \"declined\"}"})
    comment = PlainText(load_default="", validate=Length(max=FEEDBACK_COMMENT_MAX_CHARS))
    at = fields.AwareDateTime(load_default=None, validate=review_years,
                              metadata={"description": "Device time, with its UTC offset."})
    # Issue 13: asked of the team member, not of the person answering; left out: not recorded.
    active_offer = fields.Boolean(load_default=None, allow_none=True, metadata={
        "description": "Whether the Welsh active offer was made before the questions (none: not recorded)."})

    @pre_load
    def _blank_is_none(self, values, **kwargs):
        # A form's empty participant (nobody named), time or active offer is "not given".
        if isinstance(values, dict):
            values = dict(values)
            for name in ("participant_id", "at", "active_offer"):
                if values.get(name) == "":
                    values[name] = None
        return values

    @validates_schema
    def _consent_first(self, values, **kwargs):
        if len(values.get("answers") or {}) > FEEDBACK_MAX_ANSWERS:
            raise ValidationError(_("At most %(limit)s answers.", limit=FEEDBACK_MAX_ANSWERS), "answers")
        if not values.get("consent"):
            # Asked first: without a yes, nothing the person said is kept.
            raise ValidationError(_("Without the person's consent nothing is recorded."), "consent")


# --- undoing a check-out (issue 12, item 7) ---------------------------------------------------------------------


class UndoCheckOutData(Schema):
    """Take back one's own check-out on a visit, within minutes of it (by the device's clock)."""

    visit_id = WholeNumber(required=True)
    at = fields.AwareDateTime(required=True, validate=review_years,
                              metadata={"description": "Device time of the undo, with its UTC offset."})


class CheckOutData(CheckData):
    """A check-out; `code` is the person's optional check-out code (their duress code, if they set one). Any code
    is taken: a wrong one is an ordinary check-out, and the answer is the same whatever it was. It is never
    stored, logged or echoed (visits/attendance/operations.py)."""

    code = fields.String(load_default=None, allow_none=True, validate=Length(max=100), load_only=True,
                         metadata={"description": "Optional check-out code (up to 100 characters); never echoed."})
