"""The answer a handler gives when visits/permissions.py refuses a change.

Usually nothing is said (contract.forbidden): the answer must not tell whether the visit, note or person exists.
A change to a closed review is the exception: its members know the review, and their phone must be able to say
why the change will never be saved (DESIGN section 11), so the refusal carries that one sentence."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from flask_babel import gettext as _

from ..permissions import review_closed_for
from .contract import Refused, forbidden

if TYPE_CHECKING:
    from ..models import User


def closed_review_message() -> str:
    return _("This review is closed: changes can no longer be saved.")


def refused(user: "User", review_id: Optional[int]) -> Refused:
    """`forbidden`, with the reason when it is that the person's review has been closed."""
    if review_id is not None and review_closed_for(user, review_id):
        return Refused("forbidden", {"_schema": [closed_review_message()]})
    return forbidden()
