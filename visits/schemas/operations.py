"""Recording in the field: the operation envelope, one schema per operation type for its `data`, and the sync
answers (DESIGN section 7). visits/sync.py loads the envelope, then the data schema its type's entry names
(visits/operations/registry.py), so the visit page's forms, htmx and the offline outbox meet the same rules."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from marshmallow import EXCLUDE, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf

from ..models import SETTING_PROMPTS, AttendanceStatus, ConcernCategory, NeedStatus, NeedType, NoteKind, Rating
from .base import PlainText, Schema, WholeNumber, codes, review_years

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
        if unknown:
            raise ValidationError(_("Unknown prompt: %(prompts)s.", prompts=", ".join(unknown)), "prompts")
        if prompts and values.get("kind") != NoteKind.setting_observation.value:
            raise ValidationError(_("Only setting observations have prompts."), "prompts")
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
