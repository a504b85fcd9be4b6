"""visits/privacy/table.py on its own: the privacy page's who-sees-what table is made by asking the permission
functions, so it says what DESIGN section 2 says today and changes the moment a rule does."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import object_session

from visits import permissions
from visits.privacy import table
from visits.privacy.table import COLUMNS, ROWS, scene_for, who_sees_what


def answers() -> dict[str, list[str]]:
    return {row.key: [cell.answer for cell in row.cells] for row in who_sees_what()}


def test_the_table_says_what_design_section_2_says():
    #                        lead     reviewer  lay       link      coordinator  admin     another review
    outline = "own_visits_outline_of_others"
    assert answers() == {
        "programme":  ["all", outline, outline, "all", "all", "none", "none"],
        "notes":      ["all", "own_visits", "own_visits", "none", "none", "none", "none"],
        "needs":      ["all", "own_visits", "own_visits", "all", "all", "none", "none"],
        "attendance": ["all", "own_visits", "own_visits", "all", "all", "none", "none"],
        "concerns":   ["all", "raised_by_them", "raised_by_them", "referral_only", "none", "none", "none"],
        "identity":   ["all", "own_visits", "own_visits", "all", "none", "none", "none"],
        "audit_log":  ["all", "none", "none", "none", "all", "none", "none"],
        "team":       ["read_only", "none", "none", "none", "manage", "manage", "none"],
        "rights":     ["yes", "none", "none", "none", "none", "none", "none"],
        "evidence":   ["evidence_all", "evidence_own", "evidence_own", "none", "none", "none", "none"],
        "feedback":   ["feedback_all", "feedback_own", "feedback_own", "feedback_counts", "none", "none", "none"],
    }


def test_every_row_has_a_cell_for_every_column_and_every_answer_has_words():
    for row in who_sees_what():
        assert [cell.column for cell in row.cells] == list(COLUMNS)
        assert all(cell.text for cell in row.cells)
    assert {row.key for row in who_sees_what()} == {spec.key for spec in ROWS}


def test_a_changed_rule_changes_the_table(monkeypatch):
    """Were the coordinator allowed to read a note, the notes row would say so: nothing here is written by hand."""
    real = permissions.can_read_note
    monkeypatch.setattr(permissions, "can_read_note",
                        lambda user, note: real(user, note) or user.role_in(note.visit.review_id) is not None)
    assert answers()["notes"] == ["all", "all", "all", "all", "all", "none", "none"]


def test_a_link_officer_given_unreferred_concerns_would_show_as_seeing_them_all(monkeypatch):
    real = permissions.concern_view

    def concern_view(user, concern):
        if user.role_in(concern.visit.review_id) is permissions.Role.link_officer:
            return "full"
        return real(user, concern)

    monkeypatch.setattr(permissions, "concern_view", concern_view)
    assert answers()["concerns"][COLUMNS.index("link_officer")] == "all"


@pytest.mark.parametrize("column", COLUMNS)
def test_each_scene_is_what_its_column_says_and_is_never_saved(column):
    scene = scene_for(column)
    assert any(member is scene.user for member in scene.own_visit.team)
    assert not any(member is scene.user for member in scene.others_visit.team)
    assert scene.others_home_visit.is_home_visit and not scene.others_visit.is_home_visit
    assert scene.concern_referred.referred_at is not None and scene.concern_others_raised.referred_at is None
    roles = {membership.review_id: membership.role.value for membership in scene.user.memberships}
    if column == table.OTHER_REVIEW:
        assert roles == {table.ANOTHER_REVIEW: "lead_reviewer"}
    elif column == table.ADMINISTRATOR:
        assert roles == {} and scene.user.is_admin
    else:
        assert roles == {table.THE_REVIEW: column}
    for thing in (scene.user, scene.review, scene.own_visit, scene.note_on_own, scene.concern_referred):
        assert object_session(thing) is None
