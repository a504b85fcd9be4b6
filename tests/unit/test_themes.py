"""The rules of themes and headings, without a database: a theme's name, moving one in the list, the headings of
each kind of note, and what note.save's data accepts."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from visits.models import SETTING_PROMPTS
from visits.notes.prompts import HOME_VISIT_PROMPTS, INTERVIEW_PROMPTS, answered, prompts_for
from visits.schemas.operations import NoteSaveData
from visits.themes import DEFAULT_THEMES, MAX_THEMES_ON_A_NOTE, ThemeError, check_name, moved
from visits.vocabulary import PROMPT_LABELS

NOTE = {"note_id": "0b6d7c3e-8f3a-4d4a-9a52-5d7f0e7c9b11", "visit_id": 1}


def test_a_name_is_tidied_and_must_be_new_whatever_its_case(app):
    assert check_name("  Transport   and\ttravel ", ["Carers"]) == "Transport and travel"
    with pytest.raises(ThemeError) as refused:
        check_name("CARERS", ["Carers"])
    assert (refused.value.field, refused.value.message) == ("name", "There is already a theme called CARERS.")
    with pytest.raises(ThemeError, match="Give the theme a name."):
        check_name(" \n ", [])
    with pytest.raises(ThemeError, match="At most 120 characters."):
        check_name("x" * 121, [])
    assert check_name("x" * 120, []) == "x" * 120


def test_moving_a_theme_stays_inside_the_list():
    assert moved([1, 2, 3], 3, -1) == [1, 3, 2]
    assert moved([1, 2, 3], 1, -1) == [1, 2, 3]
    assert moved([1, 2, 3], 1, 1) == [2, 1, 3]
    assert moved([1, 2, 3], 3, 1) == [1, 2, 3]


def test_the_defaults_are_ten_distinct_themes_of_a_joint_review():
    names = [str(name) for name in DEFAULT_THEMES]
    assert len(names) == len(set(names)) == 10
    assert {"Safeguarding", "Carers", "Assessment and care planning"} <= set(names)


def test_each_kind_of_note_has_its_own_headings_each_with_words():
    assert prompts_for("setting_observation") == SETTING_PROMPTS
    assert prompts_for("interview") == INTERVIEW_PROMPTS and prompts_for("home_visit") == HOME_VISIT_PROMPTS
    assert prompts_for("general") == () and prompts_for("nonsense") == ()
    assert HOME_VISIT_PROMPTS[:3] == ("persons_story", "assessment_and_care_plan", "involvement_and_choice")
    assert all(key in PROMPT_LABELS for key in SETTING_PROMPTS + INTERVIEW_PROMPTS + HOME_VISIT_PROMPTS)


def test_answered_headings_come_in_the_kind_s_order_and_a_stray_one_is_still_shown():
    prompts = {"to_follow_up": "Respite?", "persons_story": "Lives alone.", "what_works": " ",
               "welcome_and_reception": "Kept from before."}
    assert answered("home_visit", prompts) == [("persons_story", "Lives alone."), ("to_follow_up", "Respite?"),
                                               ("welcome_and_reception", "Kept from before.")]


def test_note_save_accepts_the_headings_of_its_kind_only(app):
    assert NoteSaveData().load({**NOTE, "kind": "home_visit", "prompts": {"persons_story": "Lives alone."}})
    assert NoteSaveData().load({**NOTE, "kind": "interview", "prompts": {"examples_given": "Rota."}})
    with pytest.raises(ValidationError) as refused:
        NoteSaveData().load({**NOTE, "kind": "interview", "prompts": {"persons_story": "Lives alone."}})
    assert refused.value.messages == {"prompts": ["Not a heading of this kind of note: The person's story."]}
    with pytest.raises(ValidationError) as refused:
        NoteSaveData().load({**NOTE, "kind": "home_visit", "prompts": {"colour": "red"}})
    assert refused.value.messages == {"prompts": ["Unknown prompt: colour."]}


def test_note_save_takes_a_bounded_list_of_theme_ids_and_none_means_keep(app):
    assert NoteSaveData().load({**NOTE, "kind": "general", "body": "x"})["themes"] is None
    assert NoteSaveData().load({**NOTE, "kind": "general", "body": "x", "themes": ["3", 4]})["themes"] == [3, 4]
    assert NoteSaveData().load({**NOTE, "kind": "general", "body": "x", "themes": []})["themes"] == []
    for bad in (list(range(1, MAX_THEMES_ON_A_NOTE + 2)), ["Carers"], [0], "3", [True]):
        with pytest.raises(ValidationError) as refused:
            NoteSaveData().load({**NOTE, "kind": "general", "body": "x", "themes": bad})
        assert "themes" in refused.value.messages
