"""The programme's CSV export guards cells a spreadsheet would run as a formula by putting ' before them; the
import takes off exactly that ' and nothing else, so text exported and imported again is the text typed — a title
typed '=1+1 included (issue 12, item 5)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visits.programme.importer import COLUMNS, read_table, to_csv

STARTS = ["=", "+", "-", "@", "'", "\t", "''", "'=", "'+", "' ", "'\t", "=-", "@'"]

# What the programme can hold: the forms strip a field and write line endings as \n; never NUL or a surrogate.
typed = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=40)


def stored(text: str) -> bool:
    return text == text.rstrip()


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


def round_trip(title: str) -> str:
    row = {column: "" for column in COLUMNS} | {"date": "2026-11-23", "start": "10:00", "end": "11:00",
                                                   "kind": "briefing", "title": title}
    [(_number, cells)] = read_table("programme.csv", to_csv([row]).encode("utf-8"))
    return cells["title"]


@settings(max_examples=300, deadline=None)
@given(start=st.sampled_from(STARTS), rest=typed)
def test_text_starting_as_a_formula_or_a_quote_reads_back_as_typed(start, rest):
    title = start + rest
    if stored(title):
        assert round_trip(title) == title


@settings(max_examples=200, deadline=None)
@given(typed.map(str.strip))
def test_any_text_the_programme_holds_reads_back_as_typed(title):
    assert round_trip(title) == title


@pytest.mark.parametrize("title, in_the_file", [
    ("'=1+1", "''=1+1"),       # a quote typed before a formula is kept: the file holds one more
    ("=1+1", "'=1+1"),
    ("'", "''"),
    ("It's fine", "It's fine"),
])
def test_the_file_holds_one_guarding_quote_and_the_import_takes_it_off(title, in_the_file):
    row = {column: "" for column in COLUMNS} | {"title": title}
    assert to_csv([row]).splitlines()[1].split(",")[4] == in_the_file
    assert round_trip(title) == title
