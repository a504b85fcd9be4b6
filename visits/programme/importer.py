"""Programme import (CSV and XLSX) and export (CSV), with one set of columns so a file round-trips.

Import is a dry run first: `read_table` turns the file into rows, `plan_import` checks every row against the
review (dates and times, kinds, known people, places and cases, overlaps within the file and with the current
programme) and returns the visits it would create plus every error with its spreadsheet row number. Nothing is
written unless the whole file is valid; `apply_plan` then creates the visits through the programme service, so
an imported visit is audit-logged like a typed one.

Columns (header row first, names case-insensitive, any order; see README "Importing a programme"):
    date, start, end, kind, title, location, team, participants, case, status, briefing

Bounds, so no file (nor the confirm step's posted rows, read by the same code) can make a worker work without end
(issue 12): the bytes (the view), the rows and the lines read, the cells of a line and the header's columns
(refused before any is looked at), the names in one cell, what an .xlsx unpacks to (counted as it is read: all its
parts together, and each part other than the sheets and the shared strings on its own, as openpyxl builds an
object per entry of the styles and of the workbook part's names however little it needs them), the errors kept
(the first ERRORS_SHOWN, all counted) and the length of what an error quotes. Overlaps are found by one sweep per
person, each row told its first clash.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Iterable, Optional

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Attendance, Case, Location, Participant, Review, User, Visit
from ..schemas import VisitForm, flatten_errors
from ..vocabulary import LABELS, NOT_LIVE_VISIT_STATUSES, label
from .service import TEAM_ELIGIBLE, create_visit

COLUMNS = ("date", "start", "end", "kind", "title", "location", "team", "participants", "case", "status",
           "briefing")
REQUIRED_COLUMNS = ("date", "start", "end", "kind")
SEPARATOR = ";"
# Spreadsheet formula injection: a cell starting with one of these is prefixed with ' on export (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A cell that really starts with ' is guarded too, so the import can take off every guard and only guards: "'=1+1"
# typed in the programme is exported "''=1+1" and reads back as typed.
GUARDED_STARTS = FORMULA_STARTS + ("'",)
# Reading limits beyond the row limit: lines read at all, empty ones included (a sheet formatted far below its
# last visit is common, so this is generous), and columns a sheet may claim to have.
MAX_LINES_READ = 50_000
MAX_COLUMNS = 64
# Bounds on the work one file can cause (issue 12): a line with more cells than a spreadsheet has columns is
# refused before any cell is looked at; a cell names at most this many people; the errors listed are the first
# ERRORS_SHOWN (the page says how many more); a name quoted in an error is cut to QUOTE_CHARS.
MAX_CELLS = 16_384
MAX_NAMES_PER_CELL = 50
ERRORS_SHOWN = 50
QUOTE_CHARS = 60
# An .xlsx is a zip: what it unpacks to is counted as it is read, all its parts together. A workbook of
# IMPORT_MAX_BYTES unpacks to a few times that; a zip bomb to hundreds of MB.
XLSX_MAX_UNPACKED_BYTES = 20_000_000
XLSX_MAX_PARTS = 500
# Each part other than the sheets and the shared strings (styles, the workbook part with its defined names, the
# theme, properties, relationships) unpacks to at most this: openpyxl parses them whole into one object per entry
# even when reading only values, so 15 MB of <xf/> cost 50 s and 1.7 GB. A workbook openpyxl writes has styles of
# about 1.5 KB and Excel's tens of KB; 2,000 rows each given its own font and fill came to 285 KB. At the cap the
# worst styles cost about 2 s and 40 MB.
XLSX_MAX_OTHER_PART_BYTES = 512 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, no header, too big)."""


@dataclass(frozen=True)
class RowError:
    row: int                 # as the spreadsheet numbers it: the header is row 1
    column: Optional[str]
    message: str


@dataclass
class PlannedVisit:
    row: int
    values: dict                        # what VisitForm loaded, plus ids resolved against the review
    participant_ids: list[int]
    location_name: str = ""
    team_names: list[str] = field(default_factory=list)
    participant_names: list[str] = field(default_factory=list)
    case_reference: str = ""

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.values["date"], self.values["start"])

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.values["date"], self.values["end"])


@dataclass
class ImportPlan:
    visits: list[PlannedVisit]
    errors: list[RowError]              # the first ERRORS_SHOWN, by row
    row_count: int
    error_count: int = 0                # all of them

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.visits)

    @property
    def more_errors(self) -> int:
        return max(0, self.error_count - len(self.errors))

    def errors_by_row(self) -> dict[int, list[RowError]]:
        rows: dict[int, list[RowError]] = defaultdict(list)
        for error in self.errors:
            rows[error.row].append(error)
        return dict(rows)


# --- reading the file ---------------------------------------------------------------------------------------


def read_table(filename: str, content: bytes, max_rows: int = 2000) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every non-blank data row of a CSV or XLSX file."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        records = _xlsx_records(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        records = _csv_records(content)
    else:
        raise ImportFileError(_("Choose a .csv or .xlsx file."))
    header: Optional[list[str]] = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in records:
        if number > MAX_LINES_READ:  # empty lines cost reading too
            raise ImportFileError(_("The file has more than %(max)s lines, empty ones included: delete the empty "
                                    "rows below the last visit and try again.", max=MAX_LINES_READ))
        if len(cells) > MAX_CELLS:  # before anything is done per cell
            raise _too_many_columns()
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = _header(cells)
            _check_header(header)
            continue
        rows.append((number, {column: _unprotect(_lines(cells[i]).strip()) if i < len(cells) else ""
                              for i, column in enumerate(header) if column in COLUMNS}))
        if len(rows) > max_rows:
            raise ImportFileError(_("The file has more than %(max)s rows; split it into smaller files.",
                                    max=max_rows))
    if header is None:
        raise ImportFileError(_("The file is empty: it needs a header row and one row per visit."))
    return rows


def _too_many_columns() -> ImportFileError:
    return ImportFileError(_("The file has more than %(max)s columns: keep the columns named in the guide below "
                             "and try again.", max=MAX_COLUMNS))


def _header(cells: list[str]) -> list[str]:
    """The header's names; empty cells a spreadsheet leaves to the right of the last column do not count."""
    last = len(cells)
    while last and not cells[last - 1].strip():
        last -= 1
    if last > MAX_COLUMNS:
        raise _too_many_columns()
    return [cell.strip().lower() for cell in cells[:last]]


def _check_header(header: list[str]) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(_("The header row must name the columns %(columns)s; missing: %(missing)s.",
                                columns=", ".join(COLUMNS), missing=", ".join(missing)))
    counts = Counter(column for column in header if column)
    repeated = sorted(column for column, count in counts.items() if count > 1)
    if repeated:
        raise ImportFileError(_("These columns appear twice: %(columns)s.", columns=", ".join(repeated)))


def _csv_records(content: bytes) -> Iterable[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the system code page.
        text = content.decode("cp1252", errors="replace")
    # The delimiter is the one the header row uses (Excel in many locales saves ";"); cells below may hold
    # any of them (the team column separates names with ";"), so guessing from the whole text would mislead.
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            yield number, cells
    except csv.Error as error:
        raise ImportFileError(_("The CSV file could not be read: %(error)s", error=str(error))) from error


class _UnpackedTooLarge(Exception):
    pass


class _PartTooLarge(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class _MeteredPart(io.RawIOBase):
    """One part of the workbook as it unzips, each byte counted against the budget the whole workbook shares and,
    for a part that is not data, against its own cap, so reading stops there however large the part says it is
    (or really is)."""

    CHUNK = 64 * 1024

    def __init__(self, part, budget: list[int], name: str, cap: Optional[int]):
        self._part, self._budget, self._name, self._left = part, budget, name, cap

    def readable(self) -> bool:
        return True

    def read(self, size=-1):
        if size is None or size < 0:  # read whole: in chunks, so the budget is met before the part is
            chunks = []
            while chunk := self.read(self.CHUNK):
                chunks.append(chunk)
            return b"".join(chunks)
        chunk = self._part.read(min(size, self.CHUNK))
        self._budget[0] -= len(chunk)
        if self._budget[0] < 0:
            raise _UnpackedTooLarge()
        if self._left is not None:
            self._left -= len(chunk)
            if self._left < 0:
                raise _PartTooLarge(self._name)
        return chunk

    def readinto(self, buffer) -> int:
        chunk = self.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._part.close()
        super().close()


class _MeteredZip(zipfile.ZipFile):
    """The workbook's zip as openpyxl reads it: every part it opens is a _MeteredPart drawing on one budget; all
    but the data parts (the sheets and the shared strings, named once openpyxl has found them) are capped each at
    XLSX_MAX_OTHER_PART_BYTES."""

    def __init__(self, file, budget: int):
        super().__init__(file)
        self.budget = [budget]
        self.data_parts: set[str] = set()

    def open(self, name, mode="r", pwd=None, **kwargs):
        part = super().open(name, mode, pwd, **kwargs)
        if mode != "r":
            return part
        key = name.filename if isinstance(name, zipfile.ZipInfo) else name
        return _MeteredPart(part, self.budget, key, None if key in self.data_parts else XLSX_MAX_OTHER_PART_BYTES)


def _declared_sizes_fit(archive: zipfile.ZipFile, budget: int) -> bool:
    """What the zip's directory says its parts unpack to: a quick first refusal (the reading is metered anyway,
    as whoever made the file wrote these numbers)."""
    parts = archive.infolist()
    return len(parts) <= XLSX_MAX_PARTS and sum(part.file_size for part in parts) <= budget


def _too_large_unpacked() -> ImportFileError:
    return ImportFileError(_("The workbook unpacks to more than %(size)s MB: save it again with only the "
                             "programme in it, or save it as CSV.", size=XLSX_MAX_UNPACKED_BYTES // 1_000_000))


def _part_too_large(name: str) -> ImportFileError:
    size = XLSX_MAX_OTHER_PART_BYTES // 1024
    if name == "xl/styles.xml":
        return ImportFileError(_("The workbook's styles are too large (more than %(size)s KB): copy the programme "
                                 "into a new workbook, or save it as CSV, and try again.", size=size))
    return ImportFileError(_("The workbook's part %(part)s is too large (more than %(size)s KB): copy the "
                             "programme into a new workbook, or save it as CSV, and try again.",
                             part=_quoted(name), size=size))


def _metered_refusal(error: BaseException) -> Optional[ImportFileError]:
    """The refusal a meter raised, whether openpyxl or the XML parser let it through as it was or wrapped it."""
    for cause in (error, error.__cause__, error.__context__):
        if isinstance(cause, _PartTooLarge):
            return _part_too_large(cause.name)
        if isinstance(cause, _UnpackedTooLarge):
            return _too_large_unpacked()
    return None


# Parts with a fixed role that openpyxl parses whole: never data, whatever the manifest or relationships claim.
_NEVER_DATA = ("[Content_Types].xml", "xl/styles.xml", "docProps/core.xml", "docProps/app.xml",
               "docProps/custom.xml", "xl/theme/theme1.xml")


def _reader_class():
    from openpyxl.reader.excel import ExcelReader, _find_workbook_part  # only needed for imports
    from openpyxl.xml.constants import SHARED_STRINGS

    class MeteredReader(ExcelReader):
        """openpyxl's own reading steps, each data part named to the meter just before openpyxl opens it (the
        shared strings once the manifest is read, the sheets once the workbook part is)."""

        def _data(self, names) -> None:
            never = {*_NEVER_DATA, _find_workbook_part(self.package).PartName[1:]}
            self.archive.data_parts |= {name for name in names if name not in never and not name.endswith(".rels")}

        def read_strings(self):
            strings = self.package.find(SHARED_STRINGS)
            if strings is not None:
                self._data([strings.PartName[1:]])
            super().read_strings()

        def read_worksheets(self):
            self._data([rel.target for _, rel in self.parser.find_sheets() if "chartsheet" not in rel.Type])
            super().read_worksheets()

    return MeteredReader


def _open_workbook(content: bytes):
    try:
        archive = _MeteredZip(io.BytesIO(content), XLSX_MAX_UNPACKED_BYTES)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise ImportFileError(_("The file is not an Excel workbook (.xlsx) that can be read.")) from error
    if not _declared_sizes_fit(archive, XLSX_MAX_UNPACKED_BYTES):
        raise _too_large_unpacked()
    reader = _reader_class()(io.BytesIO(content), read_only=True, data_only=True)
    reader.archive.close()
    reader.archive = archive  # load_workbook's own steps, reading through the metered zip
    reader.read()
    return reader.wb


def _xlsx_records(content: bytes) -> Iterable[tuple[int, list[str]]]:
    try:
        workbook = _open_workbook(content)
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise (_metered_refusal(error) or ImportFileError(
            _("The file is not an Excel workbook (.xlsx) that can be read."))) from error
    try:
        # read_only parses the sheet lazily, so a damaged sheet fails here rather than in load_workbook. The
        # column cap keeps a sheet whose stated size is the whole grid from padding every row to 16,384 cells.
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read every row there is, not the size the file claims (it may be wrong)
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            yield number, [_cell_text(value) for value in values]
    except ImportFileError:
        raise
    except Exception as error:
        raise (_metered_refusal(error) or ImportFileError(
            _("The file is not an Excel workbook (.xlsx) that can be read."))) from error
    finally:
        workbook.close()


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a person would have typed (dates ISO, times HH:MM)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        if value.date() <= date(1900, 1, 1):  # Excel's day zero: a time typed into a time-formatted cell
            return value.strftime("%H:%M")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lines(text: str) -> str:
    """One line ending inside a cell, whatever wrote it (Excel, a browser's form post: \r\n)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _unprotect(text: str) -> str:
    """Undo the export's guard against formula injection, exactly: one ' before a guarded start comes off."""
    if len(text) > 1 and text[0] == "'" and text[1] in GUARDED_STARTS:
        return text[1:]
    return text


def _protect(text: str) -> str:
    return "'" + text if text.startswith(GUARDED_STARTS) else text


# --- checking the rows --------------------------------------------------------------------------------------


def _names(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Lookup:
    """Names (and e-mail addresses for the team) to ids within one review; a name used twice is ambiguous."""

    def __init__(self):
        self._found: dict[str, list] = defaultdict(list)

    def add(self, key: str, value) -> None:
        if key and value not in self._found[_key(key)]:
            self._found[_key(key)].append(value)

    def get(self, key: str):
        found = self._found.get(_key(key), [])
        return found[0] if len(found) == 1 else ("ambiguous" if found else None)


def _lookups(review: Review) -> dict[str, _Lookup]:
    places, team, people, cases = _Lookup(), _Lookup(), _Lookup(), _Lookup()
    for location in db.session.scalars(db.select(Location).filter_by(review_id=review.id)):
        places.add(location.name, location)
    for membership in review.memberships:
        if membership.role in TEAM_ELIGIBLE:
            team.add(membership.user.email, membership.user)
            team.add(membership.user.name, membership.user)
    for person in db.session.scalars(db.select(Participant).filter_by(review_id=review.id)):
        people.add(person.name, person)
    for case in db.session.scalars(db.select(Case).filter_by(review_id=review.id)):
        cases.add(case.reference, case)
    return {"location": places, "team": team, "participants": people, "case": cases}


def _code(kind: str, text: str) -> str:
    """A cell's code for `kind` ("visit_kind", "visit_status"): the code itself, spaces or hyphens allowed
    ("home visit"), or the words the pages use for it ("Service user and carer group"). Anything else is
    passed on as typed, for the form to reject."""
    key = _key(text).replace("-", " ")
    labels = LABELS[kind]
    if key.replace(" ", "_") in labels:
        return key.replace(" ", "_")
    by_words = {_key(str(words)): code.value for code, words in labels.items()}
    return by_words.get(key, text.strip())


def plan_import(review: Review, rows: list[tuple[int, dict[str, str]]]) -> ImportPlan:
    """Every row checked; the errors kept are the first ERRORS_SHOWN by row, and all are counted. Rows come in
    order, so once that many row errors are kept the rest are only counted (none of them could come first)."""
    lookups = _lookups(review)
    form = VisitForm()  # made once: a schema is reusable, and making one costs more than checking a row
    planned: list[PlannedVisit] = []
    errors: list[RowError] = []
    error_count = 0
    for number, cells in rows:
        visit, row_errors = _plan_row(number, cells, lookups, form)
        error_count += len(row_errors)
        if len(errors) < ERRORS_SHOWN:
            errors.extend(row_errors)
        if visit is not None and not row_errors:
            planned.append(visit)
    clashes = _overlaps(review, planned)
    error_count += len(clashes)
    errors.extend(clashes)
    errors.sort(key=lambda error: (error.row, COLUMNS.index(error.column) if error.column in COLUMNS else 99))
    return ImportPlan(planned, errors[:ERRORS_SHOWN], len(rows), error_count)


def _quoted(text: str) -> str:
    """A cell's text as an error message quotes it: short, whatever was typed."""
    text = " ".join(text[:QUOTE_CHARS * 2].split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1].rstrip() + "…"


def _names_in(number: int, column: str, cell: str, errors: list[RowError]) -> list[str]:
    names = _names(cell)
    if len(names) > MAX_NAMES_PER_CELL:
        errors.append(RowError(number, column, _("At most %(max)s names in one cell.", max=MAX_NAMES_PER_CELL)))
        return []
    return names


def _plan_row(number: int, cells: dict[str, str], lookups,
              schema: VisitForm) -> tuple[Optional[PlannedVisit], list[RowError]]:
    errors: list[RowError] = []
    form = {key: cells.get(key, "") for key in ("date", "start", "end", "title", "briefing")}
    form["kind"] = _code("visit_kind", cells.get("kind", ""))
    form["status"] = _code("visit_status", cells.get("status") or "planned")
    form = {key: value for key, value in form.items() if value != ""}
    values = None
    try:
        values = schema.load(form)
    except ValidationError as error:
        for column, messages in flatten_errors(error.messages).items():
            errors.extend(RowError(number, column, message) for message in messages)

    visit = PlannedVisit(number, values or {}, [])
    location_name = cells.get("location", "")
    if location_name:
        location = lookups["location"].get(location_name)
        if location is None:
            errors.append(RowError(number, "location", _("Unknown place ‘%(name)s’: add it under People, places "
                                                          "and cases first.", name=_quoted(location_name))))
        elif location == "ambiguous":
            errors.append(RowError(number, "location", _("More than one place is called ‘%(name)s’.",
                                                          name=_quoted(location_name))))
        else:
            visit.values["location_id"], visit.location_name = location.id, location.name
    team_ids = []
    for name in _names_in(number, "team", cells.get("team", ""), errors):
        member = lookups["team"].get(name)
        if member is None:
            errors.append(RowError(number, "team", _("Unknown review team member ‘%(name)s’ (use their name or "
                                                      "e-mail address as the review knows it).", name=_quoted(name))))
        elif member == "ambiguous":
            errors.append(RowError(number, "team", _("More than one team member is called ‘%(name)s’: use their "
                                                      "e-mail address.", name=_quoted(name))))
        else:
            team_ids.append(member.id)
            visit.team_names.append(member.name)
    visit.values["team"] = list(dict.fromkeys(team_ids))
    for name in _names_in(number, "participants", cells.get("participants", ""), errors):
        person = lookups["participants"].get(name)
        if person is None:
            errors.append(RowError(number, "participants", _("Unknown person ‘%(name)s’: add them under People, "
                                                              "places and cases first.", name=_quoted(name))))
        elif person == "ambiguous":
            errors.append(RowError(number, "participants", _("More than one person is called ‘%(name)s’: give one "
                                                              "of them a fuller name.", name=_quoted(name))))
        elif person.id not in visit.participant_ids:
            visit.participant_ids.append(person.id)
            visit.participant_names.append(person.name)
    reference = cells.get("case", "")
    if reference:
        case = lookups["case"].get(reference)
        if case is None or case == "ambiguous":
            errors.append(RowError(number, "case", _("Unknown case reference ‘%(reference)s’.",
                                                      reference=_quoted(reference))))
        else:
            visit.values["case_id"], visit.case_reference = case.id, case.reference
    if values is None:
        return None, errors
    return visit, errors


@dataclass(frozen=True)
class _Booking:
    starts_at: datetime
    ends_at: datetime
    row: int                # 0 for a visit already in the programme
    where: str
    name: str = ""


def _overlaps(review: Review, planned: list[PlannedVisit]) -> list[RowError]:
    """Someone in two places at once: two rows of the file, or a row and a visit already in the programme.
    The programme checker warns about these too, but an import should not create them wholesale.

    Each person's bookings are sorted by start and swept once, keeping the one that ends last so far: a booking
    that starts before that one ends clashes with it. Of the two, the later row of the file is told (a visit
    already in the programme counts as earlier than any row), and a row is told its first clash only, so the
    errors and the work grow with the rows, not with their pairs."""
    bookings: dict[tuple[str, int], list[_Booking]] = defaultdict(list)
    existing = db.session.scalars(
        db.select(Visit).where(Visit.review_id == review.id, Visit.status.not_in(NOT_LIVE_VISIT_STATUSES))
        .options(selectinload(Visit.team), selectinload(Visit.attendances))).all()
    for visit in existing:
        where = _("‘%(title)s’ already in the programme (%(day)s %(start)s)", title=_quoted(visit.title),
                  day=visit.starts_at.date().isoformat(), start=visit.starts_at.strftime("%H:%M"))
        for member in visit.team:
            bookings[("team", member.id)].append(_Booking(visit.starts_at, visit.ends_at, 0, where))
        for attendance in visit.attendances:
            bookings[("person", attendance.participant_id)].append(_Booking(visit.starts_at, visit.ends_at, 0,
                                                                            where))
    for visit in planned:
        # An export holds cancelled visits beside their rebooking.
        if visit.values.get("status") in NOT_LIVE_VISIT_STATUSES:
            continue
        people = [(("team", user_id), name) for user_id, name in zip(visit.values["team"], visit.team_names)]
        people += [(("person", pid), name) for pid, name in zip(visit.participant_ids, visit.participant_names)]
        for key, name in people:
            bookings[key].append(_Booking(visit.starts_at, visit.ends_at, visit.row,
                                          _("row %(row)s", row=visit.row), name))
    first_clash: dict[int, RowError] = {}
    for key, booked in bookings.items():
        if not any(booking.row for booking in booked):
            continue
        booked.sort(key=lambda booking: (booking.starts_at, booking.row))
        latest = booked[0]
        for booking in booked[1:]:
            if booking.starts_at < latest.ends_at:
                told, other = (booking, latest) if booking.row > latest.row else (latest, booking)
                if told.row and told.row not in first_clash:
                    first_clash[told.row] = RowError(
                        told.row, "team" if key[0] == "team" else "participants",
                        _("%(name)s would also be at %(where)s at that time.", name=told.name, where=other.where))
            if booking.ends_at > latest.ends_at:
                latest = booking
    return list(first_clash.values())


def apply_plan(review: Review, user: User, plan: ImportPlan) -> list[Visit]:
    if not plan.is_valid:
        raise ValueError("only a valid plan is applied")
    return [create_visit(review, user, visit.values, visit.participant_ids, via="import") for visit in plan.visits]


# --- export -------------------------------------------------------------------------------------------------


def programme_visits(review: Review) -> list[Visit]:
    """Every visit of the review in start order, with what an export row needs loaded at once."""
    return list(db.session.scalars(
        db.select(Visit).where(Visit.review_id == review.id).order_by(Visit.starts_at, Visit.id).options(
            selectinload(Visit.team), selectinload(Visit.location), selectinload(Visit.case),
            selectinload(Visit.attendances).selectinload(Attendance.participant))))


def export_rows(review: Review, visits: list[Visit]) -> list[dict[str, str]]:
    """The programme in the import's columns; team members by name (by e-mail where two share a name)."""
    name_count: dict[str, int] = defaultdict(int)
    for membership in review.memberships:
        name_count[_key(membership.user.name)] += 1

    def member(user: User) -> str:
        return user.name if name_count[_key(user.name)] == 1 else user.email

    return [{
        "date": visit.starts_at.date().isoformat(),
        "start": visit.starts_at.strftime("%H:%M"),
        "end": visit.ends_at.strftime("%H:%M"),
        "kind": visit.kind.value,
        "title": visit.title,
        "location": visit.location.name if visit.location else "",
        "team": f"{SEPARATOR} ".join(member(user) for user in visit.team),
        "participants": f"{SEPARATOR} ".join(a.participant.name for a in visit.attendances),
        "case": visit.case.reference if visit.case else "",
        "status": visit.status.value,
        "briefing": visit.briefing or "",
    } for visit in visits]


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _protect(row.get(column, "")) for column in COLUMNS})
    return buffer.getvalue()


def template_csv() -> str:
    """The documented template: the header and two example rows."""
    example = [
        {"date": "2026-11-23", "start": "10:00", "end": "11:00", "kind": "staff_interview",
         "title": "Interview: team leader, Adult services east", "location": "Civic Centre",
         "team": "Rhian Evans; Tom Price", "participants": "Sam Jones", "case": "", "status": "planned",
         "briefing": ""},
        {"date": "2026-11-23", "start": "18:00", "end": "18:45", "kind": "home_visit",
         "title": "Home visit", "location": "", "team": "Rhian Evans; Tom Price", "participants": "",
         "case": "AD-014", "status": "planned", "briefing": "Interpreter (Polish) arranged by the link officer"},
    ]
    return to_csv(example)


def title_for(visit: PlannedVisit) -> str:
    return visit.values.get("title") or label("visit_kind", visit.values["kind"])


def title_warnings(plan: ImportPlan, names_in) -> tuple[list[tuple[int, str]], int]:
    """(row, the names it holds) for the first ERRORS_SHOWN titles that name a service user or carer of the
    review, and how many there are in all: the preview warns so the link officer can fix the file first."""
    found = [(visit.row, ", ".join(names)) for visit in plan.visits
             if (names := names_in(visit.values.get("title") or ""))]
    return found[:ERRORS_SHOWN], len(found)
