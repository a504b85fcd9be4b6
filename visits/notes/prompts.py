"""The headings a note is written under, by the note's kind (DESIGN sections 3 and 12).

A setting observation has the lay assessor's prompts (models.SETTING_PROMPTS); an interview and a home visit
have their own, taken from the guide's questions for each. The codes are stored in `Note.prompts`, so they never
change once used; their words are in visits/vocabulary.py (PROMPT_LABELS). A general note has none.
"""
from __future__ import annotations

from ..models import SETTING_PROMPTS, NoteKind

# A member of staff, a group or a stakeholder, in their own words.
INTERVIEW_PROMPTS: tuple[str, ...] = (
    "their_role_and_story",
    "what_works",
    "what_does_not_work",
    "examples_given",
    "to_follow_up",
)

# A person using services (and their carer) at home: their story and how the council's work reached them.
HOME_VISIT_PROMPTS: tuple[str, ...] = (
    "persons_story",
    "assessment_and_care_plan",
    "involvement_and_choice",
    "what_works",
    "what_does_not_work",
    "to_follow_up",
)

PROMPTS_BY_KIND: dict[str, tuple[str, ...]] = {
    NoteKind.setting_observation.value: SETTING_PROMPTS,
    NoteKind.interview.value: INTERVIEW_PROMPTS,
    NoteKind.home_visit.value: HOME_VISIT_PROMPTS,
    NoteKind.general.value: (),
}

ALL_PROMPTS: tuple[str, ...] = tuple(dict.fromkeys(key for keys in PROMPTS_BY_KIND.values() for key in keys))


def prompts_for(kind: object) -> tuple[str, ...]:
    """The prompt codes of a note kind (an enum member or its value), in the order shown; () for none."""
    return PROMPTS_BY_KIND.get(getattr(kind, "value", kind), ())


def answered(kind: object, prompts: dict | None) -> list[tuple[str, str]]:
    """(code, text) of the prompts written on, in the kind's order; a code of another kind kept from before is
    still shown, after them, rather than hidden."""
    prompts = prompts or {}
    own = [key for key in prompts_for(kind) if (prompts.get(key) or "").strip()]
    others = [key for key in prompts if key not in own and (prompts.get(key) or "").strip()]
    return [(key, prompts[key]) for key in own + others]
