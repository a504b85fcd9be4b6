"""Marshmallow schemas, by audience: what every schema shares (base), what the JSON endpoints take and answer
(api), the console's forms (forms) and the operations of the one write path (operations). The OpenAPI document
is generated from them, so a field documented is a field served.

Import from here; the modules say where a schema belongs.
"""
from .base import (
    FIRST_YEAR, LAST_YEAR, MAX_ID, N_, PlainText, Schema, WholeNumber, codes, flatten_errors, in_review_years,
    review_years,
)
from .api import (
    MAX_RANGE_DAYS, AttendanceOut, AttendanceQuery, AttendeeOut, CsrfOut, ErrorOut, FindingOut, FindingPersonOut,
    FindingsOut, FindingsQuery, HealthOut, ItineraryOut, ItineraryQuery, LocationOut, NeedOut, NoteOut, NotesOut,
    NotesQuery, OfflinePagesOut, ParticipantOut, PersonOut, SegmentOut, TeamCheckOut, VisitAttendanceOut, VisitOut,
)
from .forms import (
    CASE_STATUSES, LOCATION_KINDS, NEED_STATUSES, NEED_TYPES, PARTICIPANT_KINDS, VISIT_KINDS, VISIT_STATUSES,
    AttendeeForm, AuditLogQuery, CaseForm, ChosenId, ClockTime, LocationForm, NeedForm, ParticipantForm,
    ReviewQuery, VisitForm, form_input,
)
from .operations import (
    NOTE_KINDS, NOTE_MAX_CHARS, AttendanceSetData, CheckData, ConcernRaiseData, ConcernReferData, NeedSetData,
    NoteSaveData, OperationIn, OperationResultOut, SyncIn, SyncOut,
)

__all__ = [
    "MAX_ID", "FIRST_YEAR", "LAST_YEAR", "N_", "Schema", "codes", "in_review_years", "review_years", "PlainText",
    "WholeNumber", "flatten_errors", "MAX_RANGE_DAYS", "ErrorOut", "HealthOut", "CsrfOut", "OfflinePagesOut",
    "ItineraryQuery", "NeedOut", "ParticipantOut", "PersonOut", "LocationOut", "SegmentOut", "VisitOut",
    "ItineraryOut", "NotesQuery", "NoteOut", "NotesOut", "AttendanceQuery", "AttendeeOut", "TeamCheckOut",
    "VisitAttendanceOut", "AttendanceOut", "FindingsQuery", "FindingPersonOut", "FindingOut", "FindingsOut",
    "VISIT_KINDS", "VISIT_STATUSES", "PARTICIPANT_KINDS", "LOCATION_KINDS", "CASE_STATUSES", "NEED_TYPES",
    "NEED_STATUSES", "form_input", "ClockTime", "ChosenId", "VisitForm", "AttendeeForm", "ParticipantForm",
    "CaseForm", "LocationForm", "NeedForm", "ReviewQuery", "AuditLogQuery", "NOTE_MAX_CHARS", "NOTE_KINDS",
    "OperationIn", "NoteSaveData", "AttendanceSetData", "CheckData", "NeedSetData", "ConcernRaiseData",
    "ConcernReferData", "SyncIn", "OperationResultOut", "SyncOut",
]
