"""What /evidence takes in its query string: the filters of readable_notes, the order and the page."""
from __future__ import annotations

from marshmallow import EXCLUDE, fields
from marshmallow.validate import Length, OneOf, Range

from ..schemas.base import N_, PlainText, Schema, WholeNumber, review_years
from ..schemas.forms import VISIT_KINDS
from ..notes.language import LANGUAGE_CODES, NOT_RECORDED, OFFER_CHOICES
from .queries import ORDER_BY_DAY, ORDER_NEWEST

# The longest search a person types (a few words or a phrase); longer is refused with a message, not cut short.
MAX_SEARCH_LENGTH = 200
# Far past any review's last page: a page number is refused before it becomes an OFFSET.
MAX_PAGE = 10_000


class EvidenceFilterSchema(Schema):
    """?review= &q= &theme= &kind= &case= &place= &author= &day= &language= &offer= &order= &page=. Blank values are
    left out before loading (an empty filter means "any")."""

    class Meta:
        unknown = EXCLUDE

    review = WholeNumber(load_default=None)
    q = PlainText(load_default="", validate=Length(max=MAX_SEARCH_LENGTH,
                                                   error=N_("Too long: search for at most {max} characters.")))
    theme = WholeNumber(load_default=None)
    kind = fields.String(load_default=None, validate=OneOf(VISIT_KINDS))
    case = WholeNumber(load_default=None)
    place = WholeNumber(load_default=None)
    author = WholeNumber(load_default=None)
    day = fields.Date(load_default=None, validate=review_years)
    # Issue 13: the conversation's language (or "none": not recorded) and whether the Welsh active offer was made.
    language = fields.String(load_default=None, validate=OneOf(
        LANGUAGE_CODES + (NOT_RECORDED,), error=N_("Choose Welsh, English, another language, with an interpreter "
                                                   "or not recorded.")))
    offer = fields.String(load_default=None, validate=OneOf(OFFER_CHOICES,
                                                            error=N_("Choose yes, no or not recorded.")))
    order = fields.String(load_default=ORDER_NEWEST, validate=OneOf((ORDER_NEWEST, ORDER_BY_DAY)))
    page = fields.Integer(load_default=1, strict=False,
                          validate=Range(min=1, max=MAX_PAGE, error=N_("Expected a number from {min} to {max}.")))
