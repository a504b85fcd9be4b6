"""Travel times between a review's places (DESIGN section 11): reading a `from,to,minutes` CSV, checking its rows
against the places, and reading the matrix form. Pure: no database and no request, so every rule about what a
row or a cell may say is unit-tested here (tests/unit/test_travel_import.py); visits/programme/travel_views.py
gives these functions the review's places and saves what they return.

A pair is one journey whichever way round it is written: the rule checker looks a pair up either way
(programme_rules.Programme.travel_minutes), so it is kept once, smaller place id first (`pair_of`).

Bounds, so no file or form can make the server work without end: the file's size, the lines read (blank ones
too), the rows, the cells of a line, the columns of a row, the minutes (0 to 600), the errors listed (the first 50,
then how many more) and the length of a name an error quotes. A cell is only ever text: "=SUM(A1)" in a name is an
unknown place and in the minutes is not a number.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional

from flask_babel import gettext as _

MAX_MINUTES = 600
MAX_BYTES = 500_000
MAX_ROWS = 5_000
MAX_LINES_READ = 20_000
MAX_COLUMNS = 3
ERRORS_SHOWN = 50
# A line of more cells than a spreadsheet has columns is refused before its cells are looked at; a name quoted in
# an error is cut to this many characters (issue 12: the page listing errors stays small whatever was typed).
MAX_CELLS = 16_384
QUOTE_CHARS = 60
# The matrix form: at most this many places in one table (40 places are 780 pairs, inside Werkzeug's 1,000 form
# fields); with more, the page edits one place's journeys at a time.
MATRIX_MAX_PLACES = 40
HEADER = ("from", "to", "minutes")
_WHOLE_MINUTES = re.compile(r"^\d{1,6}$")
_FIELD = re.compile(r"^t-(\d{1,10})-(\d{1,10})$")


class TravelFileError(ValueError):
    """The file as a whole cannot be read (not text, too big, too many rows)."""


@dataclass(frozen=True)
class Place:
    id: int
    name: str


@dataclass(frozen=True)
class RowError:
    row: int          # as a spreadsheet numbers it: the first line is row 1
    message: str


@dataclass(frozen=True)
class Journey:
    row: int
    from_place: Place
    to_place: Place
    minutes: int

    @property
    def pair(self) -> tuple[int, int]:
        return pair_of(self.from_place.id, self.to_place.id)


@dataclass
class TravelPlan:
    journeys: list[Journey] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.journeys)

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:ERRORS_SHOWN]

    @property
    def more_errors(self) -> int:
        return max(0, len(self.errors) - ERRORS_SHOWN)


def pair_of(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a <= b else (b, a)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- reading the file ---------------------------------------------------------------------------------------


def read_rows(content: bytes, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> list[tuple[int, list[str]]]:
    """(row number, cells) for every non-blank row, the header row (if any) left out."""
    if len(content) > max_bytes:
        raise TravelFileError(_("The file is larger than %(size)s kB.", size=max_bytes // 1000))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # Excel on Windows saves "CSV" in the code page
    if "\x00" in text:
        raise TravelFileError(_("This is not a CSV file: save the spreadsheet as CSV and choose it again."))
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows: list[tuple[int, list[str]]] = []
    first = True
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if number > MAX_LINES_READ:
                raise TravelFileError(_("The file has more than %(max)s lines, empty ones included.",
                                        max=MAX_LINES_READ))
            if len(cells) > MAX_CELLS:
                raise TravelFileError(_("A line has more than %(max)s cells: save only the three columns.",
                                        max=MAX_CELLS))
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if first and [_key(cell) for cell in cells[:3]] == list(HEADER):
                first = False
                continue  # the optional header row, only as the first row that is not blank
            first = False
            rows.append((number, cells))
            if len(rows) > max_rows:
                raise TravelFileError(_("The file has more than %(max)s rows; split it into smaller files.",
                                        max=max_rows))
    except csv.Error as error:
        raise TravelFileError(_("The CSV file could not be read: %(error)s", error=str(error))) from error
    return rows


def _quoted(name: str) -> str:
    """A name as an error quotes it: short, whatever was typed."""
    name = " ".join(name[:QUOTE_CHARS * 2].split())
    return name if len(name) <= QUOTE_CHARS else name[:QUOTE_CHARS - 1].rstrip() + "…"


def _minutes(text: str) -> tuple[Optional[int], str]:
    """(minutes, "") or (None, why not)."""
    if text.startswith("-") and _WHOLE_MINUTES.match(text[1:]):
        return None, _("Minutes cannot be negative.")
    if not _WHOLE_MINUTES.match(text):
        return None, _("Enter whole minutes from 0 to %(max)s, like 25.", max=MAX_MINUTES)
    minutes = int(text)
    if minutes > MAX_MINUTES:
        return None, _("At most %(max)s minutes.", max=MAX_MINUTES)
    return minutes, ""


class PlaceNames:
    """The review's places in use, by name as the setup page shows it (case and spacing ignored)."""

    def __init__(self, places: Iterable[Place], retired: Iterable[Place] = ()):
        self._places: dict[str, list[Place]] = {}
        for place in places:
            self._places.setdefault(_key(place.name), []).append(place)
        self._retired = {_key(place.name) for place in retired}

    def find(self, name: str) -> tuple[Optional[Place], str]:
        found = self._places.get(_key(name), [])
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, _("More than one place is called ‘%(name)s’: rename one on the setup page.",
                           name=_quoted(name))
        if _key(name) in self._retired:
            return None, _("‘%(name)s’ is marked no longer used: bring it back into use first.", name=_quoted(name))
        return None, _("Unknown place ‘%(name)s’: use a name as the setup page lists it.", name=_quoted(name))


def plan_journeys(rows: list[tuple[int, list[str]]], places: PlaceNames) -> TravelPlan:
    """Every row checked: names known, minutes a whole number from 0 to 600, not a place to itself, a pair given
    once (again with the same minutes is harmless; with other minutes it is an error, as nobody can tell which
    is right)."""
    plan = TravelPlan()
    seen: dict[tuple[int, int], Journey] = {}
    for number, cells in rows:
        if any(cells[MAX_COLUMNS:]):  # empty cells past the third are a spreadsheet's habit, not an error
            plan.errors.append(RowError(number, _("Each row needs three cells: from, to, minutes.")))
            continue
        cells = (cells + ["", "", ""])[:3]
        row_errors = []
        found = []
        for cell, what in ((cells[0], _("from")), (cells[1], _("to"))):
            if not cell:
                row_errors.append(_("The ‘%(column)s’ place is missing.", column=what))
                found.append(None)
                continue
            place, message = places.find(cell)
            if message:
                row_errors.append(message)
            found.append(place)
        minutes, message = _minutes(cells[2]) if cells[2] else (None, _("The minutes are missing."))
        if message:
            row_errors.append(message)
        if found[0] is not None and found[0] == found[1]:
            row_errors.append(_("A place to itself needs no travel time."))
        if row_errors:
            plan.errors.extend(RowError(number, text) for text in row_errors)
            continue
        journey = Journey(number, found[0], found[1], minutes)
        earlier = seen.get(journey.pair)
        if earlier is None:
            seen[journey.pair] = journey
            plan.journeys.append(journey)
        elif earlier.minutes != minutes:
            plan.errors.append(RowError(number, _(
                "Row %(row)s already gives %(from)s to %(to)s as %(minutes)s min; this row says %(now)s.",
                row=earlier.row, **{"from": earlier.from_place.name}, to=earlier.to_place.name,
                minutes=earlier.minutes, now=minutes)))
    return plan


def to_csv(journeys: Iterable[Journey]) -> str:
    """The checked rows, carried to the confirm step in a hidden field and read there again by `read_rows`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for journey in journeys:
        writer.writerow((journey.from_place.name, journey.to_place.name, journey.minutes))
    return buffer.getvalue()


# --- the matrix form ----------------------------------------------------------------------------------------


def field_name(pair: tuple[int, int]) -> str:
    return f"t-{pair[0]}-{pair[1]}"


def encode_loaded(minutes: Mapping[tuple[int, int], int]) -> str:
    """The values the form was opened with, in one hidden field: "3-7:25;3-9:40"."""
    return ";".join(f"{a}-{b}:{value}" for (a, b), value in sorted(minutes.items()))


def decode_loaded(text: str, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The opposite of `encode_loaded`, keeping only the pairs the form shows; anything malformed is ignored (the
    form then saves every value it shows)."""
    wanted = set(pairs)
    loaded = {}
    for part in text.split(";")[:len(wanted)]:
        match = re.match(r"^(\d{1,10})-(\d{1,10}):(\d{1,3})$", part)
        if match and (int(match[1]), int(match[2])) in wanted:
            loaded[(int(match[1]), int(match[2]))] = int(match[3])
    return loaded


def read_matrix(form: Mapping[str, str], pairs: Iterable[tuple[int, int]],
                loaded: Mapping[tuple[int, int], int]) -> tuple[dict[tuple[int, int], Optional[int]],
                                                                   dict[str, list[str]]]:
    """(changes, errors): the pairs whose posted value differs from the one the form was opened with (None: back
    to the default), and a message per bad field. A pair the form did not post is left alone, and so is one
    unchanged since the form was opened, so two people editing different pairs do not undo each other."""
    changes: dict[tuple[int, int], Optional[int]] = {}
    errors: dict[str, list[str]] = {}
    for pair in pairs:
        name = field_name(pair)
        if name not in form:
            continue
        text = (form.get(name) or "").strip()
        if text == "":
            value = None
        else:
            value, message = _minutes(text)
            if message:
                errors[name] = [message]
                continue
        if value != loaded.get(pair):
            changes[pair] = value
    return changes, errors


def pairs_of(place_ids: list[int], from_id: Optional[int] = None) -> list[tuple[int, int]]:
    """Every pair among the places (each once), or only those of one place."""
    if from_id is not None:
        return [pair_of(from_id, other) for other in place_ids if other != from_id]
    ordered = sorted(place_ids)
    return [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1:]]
