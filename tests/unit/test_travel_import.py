"""Reading travel times: the `from,to,minutes` file a link officer saves from a spreadsheet, and the matrix form.
Every rule about what a row or a cell may say, without a database (visits/programme/travel.py)."""
from __future__ import annotations

import pytest

from visits.programme.travel import (
    ERRORS_SHOWN, MAX_LINES_READ, Place, PlaceNames, TravelFileError, decode_loaded, encode_loaded, pairs_of,
    plan_journeys, read_matrix, read_rows, to_csv,
)

CIVIC, MAES, HOME = Place(1, "Civic Centre"), Place(2, "Maes Day Centre"), Place(3, "Home (GS)")
PLACES = PlaceNames([CIVIC, MAES, HOME], retired=[Place(9, "Old Depot")])


@pytest.fixture(autouse=True)
def _context(app):
    """Messages are translated in a request's language."""
    with app.test_request_context():
        yield


def plan(text: str):
    return plan_journeys(read_rows(text.encode("utf-8")), PLACES)


def messages(text: str) -> list[tuple[int, str]]:
    return [(error.row, error.message) for error in plan(text).errors]


def test_a_header_row_is_optional_and_names_are_matched_whatever_their_capitals_and_spaces():
    with_header = plan("from,to,minutes\nCivic Centre,Maes Day Centre,15\n")
    without = plan("civic  centre , MAES DAY CENTRE,15\n")
    for result in (with_header, without):
        assert result.is_valid
        [journey] = result.journeys
        assert (journey.from_place, journey.to_place, journey.minutes, journey.pair) == (CIVIC, MAES, 15, (1, 2))
    assert with_header.journeys[0].row == 2 and without.journeys[0].row == 1


def test_excel_habits_are_read_a_bom_semicolons_blank_lines_and_empty_trailing_cells():
    content = "\ufefffrom;to;minutes\r\n\r\nCivic Centre;Home (GS);25;;\r\n".encode("utf-8")
    [journey] = plan_journeys(read_rows(content), PLACES).journeys
    assert journey.to_place == HOME and journey.minutes == 25 and journey.row == 3


def test_a_file_saved_by_excel_on_windows_is_read():
    content = "Civic Centre,Maes Day Centre,5\n".encode("cp1252") + "Caf\xe9,Maes Day Centre,5\n".encode("cp1252")
    result = plan_journeys(read_rows(content), PLACES)
    assert result.journeys[0].minutes == 5
    assert result.errors[0].row == 2 and "Unknown place" in result.errors[0].message


def test_each_wrong_row_is_named_with_what_is_wrong():
    found = messages(
        "from,to,minutes\n"
        "Civic Centre,Nowhere,10\n"          # 2: unknown
        "Civic Centre,Maes Day Centre,-5\n"  # 3: negative
        "Civic Centre,Maes Day Centre,ten\n"  # 4: not a number
        "Civic Centre,Civic Centre,10\n"     # 5: to itself
        "Civic Centre,Maes Day Centre,601\n"  # 6: too long
        "Civic Centre,,10\n"                 # 7: missing place
        "Civic Centre,Maes Day Centre\n"     # 8: missing minutes
        "Old Depot,Maes Day Centre,10\n"     # 9: retired
        "Civic Centre,Maes Day Centre,10,extra\n"  # 10: a fourth cell
    )
    assert found == [
        (2, "Unknown place ‘Nowhere’: use a name as the setup page lists it."),
        (3, "Minutes cannot be negative."),
        (4, "Enter whole minutes from 0 to 600, like 25."),
        (5, "A place to itself needs no travel time."),
        (6, "At most 600 minutes."),
        (7, "The ‘to’ place is missing."),
        (8, "The minutes are missing."),
        (9, "‘Old Depot’ is marked no longer used: bring it back into use first."),
        (10, "Each row needs three cells: from, to, minutes."),
    ]


def test_a_pair_given_twice_with_other_minutes_is_an_error_either_way_round_and_the_same_minutes_are_fine():
    result = plan("Civic Centre,Maes Day Centre,15\nMaes Day Centre,Civic Centre,15\n"
                  "Maes Day Centre,civic centre,20\n")
    assert len(result.journeys) == 1
    assert [(e.row, e.message) for e in result.errors] == [
        (3, "Row 1 already gives Civic Centre to Maes Day Centre as 15 min; this row says 20.")]
    assert not result.is_valid


def test_a_cell_that_looks_like_a_formula_is_only_text():
    found = messages("=HYPERLINK(\"http://x\"),Maes Day Centre,10\nCivic Centre,Maes Day Centre,=10+5\n"
                     "Civic Centre,Maes Day Centre,+10\n@SUM(A1),Civic Centre,5\n")
    assert [row for row, _message in found] == [1, 2, 3, 4]
    assert "Unknown place" in found[0][1] and "Unknown place" in found[3][1]
    assert found[1][1] == found[2][1] == "Enter whole minutes from 0 to 600, like 25."


def test_two_places_with_one_name_cannot_be_told_apart():
    twins = PlaceNames([Place(1, "Annexe"), Place(2, "annexe"), MAES])
    [error] = plan_journeys(read_rows(b"Annexe,Maes Day Centre,5\n"), twins).errors
    assert "More than one place is called" in error.message


def test_only_the_first_fifty_errors_are_listed_with_how_many_more():
    result = plan("".join(f"Nowhere {n},Maes Day Centre,5\n" for n in range(ERRORS_SHOWN + 10)))
    assert len(result.shown_errors) == ERRORS_SHOWN and result.more_errors == 10


def test_the_file_is_bounded_in_size_rows_and_lines_and_must_be_text():
    with pytest.raises(TravelFileError, match="larger than"):
        read_rows(b"x" * 101, max_bytes=100)
    with pytest.raises(TravelFileError, match="more than 3 rows"):
        read_rows(b"a,b,1\n" * 4, max_rows=3)
    with pytest.raises(TravelFileError, match="lines"):
        read_rows(b"\n" * (MAX_LINES_READ + 1) + b"a,b,1\n", max_bytes=10**6)
    with pytest.raises(TravelFileError, match="not a CSV"):
        read_rows(b"PK\x03\x04\x00\x00binary")
    assert read_rows(b"") == []


def test_checked_rows_written_out_read_back_the_same():
    first = plan("from,to,minutes\ncivic centre,\"Home (GS)\",25\nMaes Day Centre,Civic Centre,0\n")
    again = plan_journeys(read_rows(to_csv(first.journeys).encode("utf-8")), PLACES)
    assert [(j.pair, j.minutes) for j in again.journeys] == [((1, 3), 25), ((1, 2), 0)]
    assert again.journeys[0].from_place.name == "Civic Centre"  # as the setup page names it


# --- the matrix form ------------------------------------------------------------------------------------------


def test_every_pair_once_or_only_those_of_one_place():
    assert pairs_of([3, 1, 2]) == [(1, 2), (1, 3), (2, 3)]
    assert pairs_of([3, 1, 2], from_id=3) == [(1, 3), (2, 3)]
    assert len(pairs_of(list(range(1, 41)))) == 780


def test_the_matrix_form_saves_only_what_changed_since_it_was_opened():
    pairs = pairs_of([1, 2, 3])
    loaded = {(1, 2): 15, (2, 3): 30}
    form = {"t-1-2": "15", "t-1-3": "25", "t-2-3": "", "t-9-9": "5"}
    changes, errors = read_matrix(form, pairs, loaded)
    assert errors == {}
    assert changes == {(1, 3): 25, (2, 3): None}  # 1-2 unchanged; 2-3 back to the default; 9-9 not shown


def test_a_pair_the_form_did_not_post_is_left_alone():
    changes, errors = read_matrix({"t-1-2": "10"}, pairs_of([1, 2, 3]), {(1, 3): 40})
    assert changes == {(1, 2): 10} and errors == {}


def test_bad_minutes_in_the_matrix_are_named_by_field():
    changes, errors = read_matrix({"t-1-2": "-1", "t-1-3": "lots", "t-2-3": "601"}, pairs_of([1, 2, 3]), {})
    assert errors == {"t-1-2": ["Minutes cannot be negative."],
                      "t-1-3": ["Enter whole minutes from 0 to 600, like 25."],
                      "t-2-3": ["At most 600 minutes."]}
    assert changes == {}


def test_the_values_the_form_was_opened_with_travel_in_one_field_and_junk_is_ignored():
    loaded = {(1, 2): 15, (2, 3): 0}
    text = encode_loaded(loaded)
    assert text == "1-2:15;2-3:0"
    assert decode_loaded(text, pairs_of([1, 2, 3])) == loaded
    assert decode_loaded(text, [(1, 2)]) == {(1, 2): 15}
    assert decode_loaded("1-2:abc;;x;1-3:99999;" * 3, pairs_of([1, 2, 3])) == {}


def test_a_name_of_many_kilobytes_is_quoted_shortened_in_its_error():
    """Issue 12: what an error quotes is bounded, so the page listing the first fifty stays small."""
    long_name = "Nowhere " * 12_000
    [error] = plan(f"{long_name},Maes Day Centre,5\n").errors
    assert len(error.message) < 200 and "…’" in error.message


def test_a_line_of_more_cells_than_a_spreadsheet_has_columns_is_refused_before_its_cells_are_read():
    with pytest.raises(TravelFileError, match="more than 16384 cells"):
        read_rows(("Civic Centre,Maes Day Centre,5" + "," * 60_000 + "\n").encode())
