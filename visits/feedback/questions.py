"""A review's feedback questions: the defaults every review starts with, and the lead's editing.

Answers are kept by question code, so a question is reworded or moved without touching them. A question that
has answers is retired (no longer asked; its answers stay in the summaries), never deleted. Until the lead first
edits them, a review asks the defaults without any row being written: reading never writes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..models import Feedback, FeedbackQuestion, User, Visit

# Plain words, one idea each (easy read). The code is the key of an answer; the text is shown.
DEFAULT_QUESTIONS: tuple[tuple[str, object], ...] = (
    ("respect", _l("Were you treated with respect?")),
    ("listened", _l("Did staff listen to you?")),
    ("information", _l("Did you get the information you needed?")),
    ("getting_in", _l("Was it easy to get here and get in?")),
    ("choices", _l("Did you have a say in your care?")),
    ("overall", _l("Overall, how was it?")),
)
MAX_QUESTIONS = 30


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    position: int
    retired: bool = False
    id: Optional[int] = None


def _stored(review_id: int) -> list[FeedbackQuestion]:
    return list(db.session.scalars(select(FeedbackQuestion).where(FeedbackQuestion.review_id == review_id)
                                   .order_by(FeedbackQuestion.position, FeedbackQuestion.id)))


def questions_of(review_id: int, include_retired: bool = False) -> list[Question]:
    """The review's questions in the order asked (the defaults until the lead edits them)."""
    rows = _stored(review_id)
    if not rows:
        return [Question(code, str(text), position) for position, (code, text) in enumerate(DEFAULT_QUESTIONS)]
    return [Question(row.code, row.text, row.position, row.retired_at is not None, row.id)
            for row in rows if include_retired or row.retired_at is None]


def known_codes(review_id: int) -> set[str]:
    """Every code an answer may carry: retired questions too (a phone may still hold a page that asked one)."""
    return {question.code for question in questions_of(review_id, include_retired=True)}


def _materialise(review_id: int) -> list[FeedbackQuestion]:
    """The defaults become rows the first time the lead edits them."""
    rows = _stored(review_id)
    if rows:
        return rows
    for position, (code, text) in enumerate(DEFAULT_QUESTIONS):
        db.session.add(FeedbackQuestion(review_id=review_id, code=code, text=str(text), position=position))
    db.session.flush()
    return _stored(review_id)


def _question(review_id: int, code: str) -> Optional[FeedbackQuestion]:
    return next((row for row in _materialise(review_id) if row.code == code), None)


def has_answers(review_id: int, code: str) -> bool:
    answers = db.session.scalars(select(Feedback.answers).join(Visit, Feedback.visit_id == Visit.id)
                                 .where(Visit.review_id == review_id))
    return any(code in (row or {}) for row in answers)


def code_for(text: str, taken: set[str]) -> str:
    """A short code from the question's words, unique in the review: "Was the place clean?" -> "was_the_place"."""
    words = re.findall(r"[a-z0-9]+", text.lower())[:3] or ["question"]
    base = "_".join(words)[:32]
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def add_question(user: User, review_id: int, text: str) -> Optional[FeedbackQuestion]:
    rows = _materialise(review_id)
    if len(rows) >= MAX_QUESTIONS:
        return None
    row = FeedbackQuestion(review_id=review_id, code=code_for(text, {r.code for r in rows}), text=text,
                           position=max((r.position for r in rows), default=-1) + 1)
    db.session.add(row)
    db.session.flush()
    audit.record(user, "feedback.question_add", "feedback_question", row.code, review_id)
    return row


def reword_question(user: User, review_id: int, code: str, text: str) -> bool:
    row = _question(review_id, code)
    if row is None:
        return False
    row.text = text
    audit.record(user, "feedback.question_reword", "feedback_question", code, review_id)
    return True


def move_question(user: User, review_id: int, code: str, step: int) -> bool:
    """One place up (-1) or down (+1) among the questions still asked."""
    active = [row for row in _materialise(review_id) if row.retired_at is None]
    index = next((i for i, row in enumerate(active) if row.code == code), None)
    if index is None or not 0 <= index + step < len(active):
        return False
    active[index], active[index + step] = active[index + step], active[index]
    for position, row in enumerate(active):
        row.position = position
    audit.record(user, "feedback.question_move", "feedback_question", code, review_id)
    return True


def retire_question(user: User, review_id: int, code: str) -> str:
    """"retired" when it has answers (they stay), "deleted" when nobody answered it, "" when there is none."""
    row = _question(review_id, code)
    if row is None or row.retired_at is not None:
        return ""
    if has_answers(review_id, code):
        row.retired_at = utcnow()
        outcome = "retired"
    else:
        db.session.delete(row)
        outcome = "deleted"
    audit.record(user, f"feedback.question_{'retire' if outcome == 'retired' else 'delete'}",
                 "feedback_question", code, review_id)
    return outcome


def restore_question(user: User, review_id: int, code: str) -> bool:
    row = _question(review_id, code)
    if row is None or row.retired_at is None:
        return False
    row.retired_at = None
    audit.record(user, "feedback.question_restore", "feedback_question", code, review_id)
    return True
