"""The visit page folds away what is not needed on the doorstep, but never what needs the person now."""
from visits.itinerary.folds import open_folds


def test_everything_is_folded_when_nothing_needs_attention():
    assert open_folds() == frozenset()
    assert open_folds(concern_states=["not_referred", "outcome_recorded"]) == frozenset()


def test_a_form_sent_back_with_errors_is_shown_open():
    assert open_folds(form_section="needs") == {"needs"}
    assert open_folds(form_section="check") == frozenset()  # the check-in is never folded


def test_a_note_being_edited_or_in_conflict_opens_the_notes():
    assert open_folds(editing="a-note-id") == {"notes"}
    assert open_folds(notes_in_conflict=True) == {"notes"}


def test_a_concern_still_on_its_way_opens_the_concerns():
    for state in ("raised", "referred", "acknowledged"):
        assert open_folds(concern_states=[state]) == {"concerns"}
