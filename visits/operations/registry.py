"""Every operation type, in one table. Adding one means: an entry here, a handler (an area's `operations.py`), a
data schema (visits/schemas/operations.py) and the visit-page section it redraws (templates/recording/).

visits/sync.py applies an operation with its entry's schema and handler; the visit page's form posts and the
offline outbox read the rest of the entry (the browser through `operation_types_for_page`, the JSON block
beside the page's `#ui-strings`), so no script names an operation type of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from marshmallow import ValidationError
from marshmallow.validate import OneOf

from ..attendance.operations import check_in, check_out, set_attendance
from ..concerns.operations import (
    acknowledge_concern, decide_not_to_refer, raise_concern, record_concern_outcome, refer_concern,
)
from ..needs.operations import set_need
from ..notes.operations import save_note
from ..schemas.operations import (
    AttendanceSetData, CheckData, ConcernRaiseData, ConcernReferData, NeedSetData, NoteSaveData,
)
from ..schemas.base import Schema
from ..schemas.operations import ConcernAcknowledgeData, ConcernDecideData, ConcernOutcomeData
from ..feedback.operations import record_feedback
from ..schemas.operations import FeedbackRecordData
from ..attendance.operations import undo_check_out
from ..schemas.operations import UndoCheckOutData
from ..schemas.operations import CheckOutData
from .contract import Handler


@dataclass(frozen=True)
class OperationType:
    """One type of operation: how it is checked and applied, and what the page does around it."""

    name: str
    data: type[Schema]  # checks the operation's `data`
    handler: Handler
    section: str  # the id of the visit-page section it changes: htmx and the outbox redraw just that
    done: LazyString  # said once it is applied, with %(version)s and %(time)s filled in
    # The device stamps `at` when the form has none: what happened is when the button was pressed, not when
    # the phone next had a signal. Without JavaScript the server stamps it: it was just now.
    timed: bool = False
    identity: tuple[str, ...] = ()  # the data fields naming the thing changed: the same values, the same change
    versioned_text: bool = False  # a draft text with base_version, kept as a conflict when it is stale
    choice: Optional[str] = None  # the button field whose pressed value the page shows while it waits
    then: Optional[str] = None  # the type the same form sends next, once this one is waiting
    then_label: Optional[LazyString] = None  # that next button's label

    def done_message(self, **values: object) -> str:
        """`done` in the request's language, its placeholders filled from `values` (others are ignored)."""
        return str(self.done) % values

    def for_page(self) -> dict:
        """What the browser needs of this type; the placeholders stay for the script to fill in."""
        return {"section": self.section, "timed": self.timed, "identity": list(self.identity),
                "done": self.done_message(version="{version}", time="{time}"),
                "versioned_text": self.versioned_text, "choice": self.choice, "then": self.then,
                "then_label": str(self.then_label) if self.then_label is not None else None}


OPERATION_TYPES: dict[str, OperationType] = {entry.name: entry for entry in (
    OperationType("note.save", NoteSaveData, save_note, "notes", _l("Note saved (version %(version)s)."),
                  identity=("note_id",), versioned_text=True),
    OperationType("attendance.set", AttendanceSetData, set_attendance, "attendance", _l("Attendance recorded."),
                  timed=True, identity=("visit_id", "participant_id"), choice="status"),
    OperationType("visit.check_in", CheckData, check_in, "check", _l("Checked in at %(time)s."),
                  timed=True, identity=("visit_id",), then="visit.check_out", then_label=_l("Check out")),
    OperationType("visit.check_out", CheckOutData, check_out, "check", _l("Checked out at %(time)s. Thank you."),
                  timed=True, identity=("visit_id",)),
    OperationType("need.set", NeedSetData, set_need, "needs", _l("Need saved.")),
    OperationType("concern.raise", ConcernRaiseData, raise_concern, "concerns",
                  _l("Concern raised. The lead reviewer can see it.")),
    OperationType("concern.refer", ConcernReferData, refer_concern, "concerns",
                  _l("Concern referred to the council.")),
    OperationType("concern.decide", ConcernDecideData, decide_not_to_refer, "concerns",
                  _l("Decision recorded: the concern is not referred."), identity=("concern_id",)),
    OperationType("concern.acknowledge", ConcernAcknowledgeData, acknowledge_concern, "concerns",
                  _l("Referral acknowledged."), identity=("concern_id",)),
    OperationType("concern.outcome", ConcernOutcomeData, record_concern_outcome, "concerns",
                  _l("Outcome recorded."), identity=("concern_id",)),
    OperationType("feedback.record", FeedbackRecordData, record_feedback, "feedback",
                  _l("Thank you. The answers are saved."), timed=True, identity=("feedback_id",)),
    # A check-out taken back: the form then checks out again, as the check-in form does once it is waiting.
    OperationType("visit.undo_check_out", UndoCheckOutData, undo_check_out, "check",
                  _l("Check-out undone: you are on this visit again."), timed=True, identity=("visit_id",),
                  then="visit.check_out", then_label=_l("Check out")),
)}


def operation_type(name: str) -> OperationType:
    """The entry for `name`; for a type not in the table, the message any choice field gives, on `type`."""
    if name not in OPERATION_TYPES:
        raise ValidationError({"type": [OneOf.default_message.format(choices=", ".join(OPERATION_TYPES))]})
    return OPERATION_TYPES[name]


def operation_types_for_page() -> dict[str, dict]:
    """Every type as the browser needs it, translated for this request."""
    return {name: entry.for_page() for name, entry in OPERATION_TYPES.items()}
