"""What a handler receives and how it answers: the one thing visits/sync.py and the handlers (notes/,
attendance/, needs/, concerns/ `operations.py`) both know. It imports nothing of ours, so every side may import it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

if TYPE_CHECKING:
    from ..models import User


@dataclass(frozen=True)
class IncomingOperation:
    """An operation whose envelope and data passed their schemas."""

    op_id: str
    type: str
    base_version: Optional[int]
    data: dict


Handler = Callable[["User", IncomingOperation], dict]


class Refused(Exception):
    """Raised by a handler: whatever it changed is rolled back, and this answer is stored."""

    def __init__(self, status: str, errors: Optional[dict[str, list[str]]] = None):
        super().__init__(status)
        self.status = status
        self.errors = errors


def forbidden() -> Refused:
    # No message and no detail: the answer must not tell whether the visit, note or person exists.
    return Refused("forbidden")


def rejected(field: str, message: str) -> Refused:
    return Refused("rejected", {field: [message]})


def applied(**answer: Any) -> dict:
    return {"status": "applied", **answer}


@dataclass(frozen=True)
class UnreadableOperation:
    """One operation of a batch that could not be read as JSON (nested past any parser's depth, a number with more
    digits than can be read) while the rest could: it is answered `rejected` on its own (visits/sync.py), under
    the op_id found in its text, so one broken operation never fails the whole batch."""

    op_id: Optional[str]
    type: Optional[str]
