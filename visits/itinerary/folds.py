"""Which parts of the visit page start unfolded (issue 12, item 8). On a phone the doorstep comes first -- where,
when, who is expected, who to call, the briefing, checking in -- and the rest folds into native <details>. A
fold opens by itself when something in it needs the person: a form sent back with errors, a note being edited
or kept as a conflict copy, a concern still on its way. (Changes waiting on the phone are only known there:
static/js/folds.js opens their fold.)"""
from __future__ import annotations

from typing import Iterable, Optional

# The folded parts, in page order: the ids of their sections.
FOLDS = ("attendance", "notes", "needs", "concerns", "feedback", "agenda", "team")
# A concern in these states has nothing left to do on this visit.
SETTLED_CONCERN_STATES = frozenset({"not_referred", "outcome_recorded"})


def open_folds(*, form_section: Optional[str] = None, editing: Optional[str] = None,
               notes_in_conflict: bool = False, concern_states: Iterable[str] = ()) -> frozenset[str]:
    """The folds to show open. `form_section`: the section of a form shown again with its errors."""
    opened = set()
    if form_section in FOLDS:
        opened.add(form_section)
    if editing or notes_in_conflict:
        opened.add("notes")
    if any(state not in SETTLED_CONCERN_STATES for state in concern_states):
        opened.add("concerns")
    return frozenset(opened)
