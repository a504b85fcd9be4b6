"""Files built to exhaust a worker are refused in a few words, with the work bounded (issue 12, item 2): rows that
all overlap, a header of 60,000 columns, and workbooks whose sheet or shared strings unzip to hundreds of MB. The
confirm step reads what is posted back with the same bounds, so it is no second way around them."""
from __future__ import annotations

import html as html_lib
import io
import tracemalloc
import zipfile

import pytest

from visits.programme import importer

from .test_import import HEADER, console, csv_bytes, upload, visit_count, xlsx_bytes  # noqa: F401

PAGE_LIMIT = 60_000  # bytes: the page with its first errors, the upload form and the column guide


def overlapping_rows(console, count=1000):
    """Every row books Rhys at the same hour: a pair-by-pair check would find half a million clashes."""
    day = console.day.isoformat()
    return [[day, "10:00", "11:00", "staff_interview", f"Interview {n}", "", "Rhys Reviewer", "", "", "", ""]
            for n in range(count)]


def shown_errors(html: str) -> int:
    return html.count('class="row-error"')


def assert_readable_and_small(response, *words):
    assert response.status_code == 400
    body = response.get_data()
    assert len(body) < PAGE_LIMIT, len(body)
    text = html_lib.unescape(body.decode())
    for word in words:
        assert word in text, text[:2000]
    assert 'name="payload"' not in text
    return text


def test_a_thousand_overlapping_rows_list_the_first_clashes_and_say_how_many_more(client, console):
    client.login(console.link)
    response = upload(client, console, csv_bytes(overlapping_rows(console)))
    text = assert_readable_and_small(response, "Rhys Reviewer would also be at row 2 at that time.")
    # One clash reported per row (the first it has), not one per pair of rows.
    assert "Nothing was imported: 999 problems to fix" in text
    assert shown_errors(text) == importer.ERRORS_SHOWN
    assert f"and {999 - importer.ERRORS_SHOWN} more problems" in text
    assert visit_count() == 0


def test_overlap_checking_does_work_in_proportion_to_the_rows_not_their_pairs(app, console):
    with app.test_request_context():
        rows = importer.read_table("p.csv", csv_bytes(overlapping_rows(console, 1500)), 2000)
        plan = importer.plan_import(console.review, rows)
    assert plan.error_count == 1499 and len(plan.errors) == importer.ERRORS_SHOWN
    assert plan.errors[0].row == 3 and "row 2" in plan.errors[0].message


def test_many_bad_names_in_one_cell_are_bounded_too(client, console):
    client.login(console.link)
    crowd = "; ".join(f"Ghost {n}" for n in range(20_000))
    row = [console.day.isoformat(), "10:00", "11:00", "staff_interview", "", "", crowd, crowd, "", "", ""]
    response = upload(client, console, csv_bytes([row]))
    text = assert_readable_and_small(response)
    assert shown_errors(text) <= importer.ERRORS_SHOWN


def test_a_name_of_many_kilobytes_is_quoted_shortened(client, console):
    client.login(console.link)
    long_name = "Ghost " * 15_000
    rows = [[console.day.isoformat(), "10:00", "11:00", "staff_interview", "", long_name[:100_000], "", "", "",
             "", ""] for _ in range(10)]
    response = upload(client, console, csv_bytes(rows))
    text = assert_readable_and_small(response, "Unknown place ‘Ghost Ghost")
    assert "…’" in text


def test_a_header_of_sixty_thousand_columns_is_refused_before_any_column_is_looked_at(client, console,
                                                                                        monkeypatch):
    looked_at = []
    real_check = importer._check_header
    monkeypatch.setattr(importer, "_check_header", lambda header: (looked_at.append(len(header)),
                                                                  real_check(header)))
    client.login(console.link)
    header = HEADER + [f"extra {n}" for n in range(60_000)]
    response = upload(client, console, csv_bytes([HEADER], header=header))
    assert_readable_and_small(response, f"more than {importer.MAX_COLUMNS} columns")
    assert looked_at == []


def test_repeated_columns_are_still_named_and_found_in_one_pass(app):
    with app.test_request_context():
        header = HEADER + ["title", "title", "", ""]
        with pytest.raises(importer.ImportFileError, match="These columns appear twice: title."):
            importer.read_table("p.csv", csv_bytes([], header=header))


def test_a_header_with_empty_cells_spreadsheets_leave_to_its_right_is_fine(client, console):
    client.login(console.link)
    header = HEADER + [""] * 200
    row = [console.day.isoformat(), "10:00", "11:00", "briefing", "", "", "", "", "", "", ""]
    assert upload(client, console, csv_bytes([row], header=header)).status_code == 200


# --- workbooks that unzip to far more than they weigh ---------------------------------------------------------

BOMB_MB = 300
CHUNK = b"x" * 1_000_000


def _bomb_part(head: bytes, tail: bytes):
    def write(out: zipfile.ZipFile, name: str):
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w", force_zip64=True) as part:
            part.write(head)
            for _ in range(BOMB_MB):
                part.write(CHUNK)
            part.write(tail)
    return write


def bomb_workbook(part_name: str, head: bytes, tail: bytes) -> bytes:
    """A real workbook with one part replaced by `head`, hundreds of MB of one letter, and `tail`, deflated."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["2026-11-23", "10:00", "11:00", "briefing"]])))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            if name == part_name:
                _bomb_part(head, tail)(out, name)
            elif name == "[Content_Types].xml" and part_name == STRINGS:
                # openpyxl writes its strings inline; Excel keeps them in a shared table the manifest names.
                out.writestr(name, source.read(name).replace(b"</Types>", STRINGS_TYPE + b"</Types>"))
            else:
                out.writestr(name, source.read(name))
        if part_name not in source.namelist():
            _bomb_part(head, tail)(out, part_name)
    return target.getvalue()


SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
SHEET_TAIL = b"</t></is></c></row></sheetData></worksheet>"
STRINGS_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
STRINGS_TAIL = b"</t></si></sst>"
STRINGS = "xl/sharedStrings.xml"
STRINGS_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.sharedStrings+xml"/>')


@pytest.fixture(scope="module")
def bombs():
    return {
        "sheet": bomb_workbook("xl/worksheets/sheet1.xml", SHEET_HEAD, SHEET_TAIL),
        "shared strings": bomb_workbook(STRINGS, STRINGS_HEAD, STRINGS_TAIL),
    }


def uploaded_with_peak_memory(client, console, content: bytes):
    """The link officer's upload of an .xlsx, and the most memory Python held while the server answered it."""
    tracemalloc.start()
    try:
        response = upload(client, console, content, "programme.xlsx")
        return response, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("part", ["sheet", "shared strings"])
def test_a_workbook_that_unzips_to_hundreds_of_mb_is_refused_without_unzipping_it(client, console, bombs, part,
                                                                                   monkeypatch):
    content = bombs[part]
    assert len(content) < 2_000_000  # small on disk: within the upload limit
    client.login(console.link)
    response, peak = uploaded_with_peak_memory(client, console, content)
    assert_readable_and_small(response, "unpacks to more than")
    assert peak < 3 * importer.XLSX_MAX_UNPACKED_BYTES, peak
    assert visit_count() == 0


@pytest.mark.parametrize("part", ["sheet", "shared strings"])
def test_the_unpacked_size_is_counted_while_reading_not_only_as_the_zip_declares_it(app, bombs, part,
                                                                                   monkeypatch):
    """Sizes in a zip's directory are written by whoever made the file: the reading itself is metered too."""
    monkeypatch.setattr(importer, "_declared_sizes_fit", lambda archive, budget: True)
    read = []
    real_read = importer._MeteredPart.read

    def counting_read(self, size=-1):
        chunk = real_read(self, size)
        if size is not None and size >= 0:  # a whole read is made of sized ones
            read.append(len(chunk))
        return chunk

    monkeypatch.setattr(importer._MeteredPart, "read", counting_read)
    with app.test_request_context(), pytest.raises(importer.ImportFileError, match="unpacks to more than"):
        importer.read_table("p.xlsx", bombs[part])
    assert sum(read) <= importer.XLSX_MAX_UNPACKED_BYTES + importer._MeteredPart.CHUNK


# --- workbooks whose styles or names are small zipped but make openpyxl build millions of objects ------------
# Read fine before: 3,000,000 <xf/> (26 KB zipped) cost 52.7 s and 1.7 GB, 2,500,000 <font/> 38.6 s and 1.2 GB,
# 400,000 defined names 5.4 s and 471 MB: within the unpacked budget, each an object openpyxl keeps.


def swollen_workbook(kind: str, count: int, manifest_extra: bytes = b"") -> bytes:
    """A valid workbook with one visit whose styles (cell formats or fonts) or defined names hold `count` entries."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["2026-11-23", "10:00", "11:00", "briefing"]])))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            data = source.read(name).decode()
            if name == "xl/styles.xml" and kind in ("cell formats", "fonts"):
                tag, entry = ("cellXfs", "<xf/>") if kind == "cell formats" else ("fonts", "<font/>")
                start, end = data.index(f"<{tag}"), data.index(f"</{tag}>")
                data = data[:start] + f'<{tag} count="{count}">' + entry * count + data[end:]
            if name == "xl/workbook.xml" and kind == "names":
                at = data.index("</sheets>") + len("</sheets>")
                names = "".join(f'<definedName name="n{n}">1</definedName>' for n in range(count))
                data = data[:at] + f"<definedNames>{names}</definedNames>" + data[at:]
            if name == "[Content_Types].xml":
                data = data.replace("</Types>", manifest_extra.decode() + "</Types>")
            out.writestr(name, data)
    return target.getvalue()


SWOLLEN = {"cell formats": 3_000_000, "fonts": 2_500_000, "names": 400_000}
SWOLLEN_PART = {"cell formats": "xl/styles.xml", "fonts": "xl/styles.xml", "names": "xl/workbook.xml"}
SWOLLEN_SAYS = {"cell formats": "The workbook's styles are too large", "fonts": "The workbook's styles are too large",
                "names": "The workbook's part xl/workbook.xml is too large"}


@pytest.fixture(scope="module")
def swollen():
    return {kind: swollen_workbook(kind, count) for kind, count in SWOLLEN.items()}


@pytest.mark.parametrize("kind", list(SWOLLEN))
def test_a_workbook_of_millions_of_styles_or_names_is_refused_in_a_few_words_without_building_them(
        client, console, swollen, kind):
    content = swollen[kind]
    assert len(content) < 2_000_000  # small on disk: within the upload limit
    client.login(console.link)
    response, peak = uploaded_with_peak_memory(client, console, content)
    assert_readable_and_small(response, SWOLLEN_SAYS[kind], "save it as CSV")
    assert peak < 30_000_000, peak  # was 471 MB to 1.7 GB
    assert visit_count() == 0


def counted_reads(monkeypatch) -> dict[str, int]:
    """Bytes unpacked per part, counted where the meter hands them to openpyxl."""
    read: dict[str, int] = {}
    real_read = importer._MeteredPart.read

    def counting_read(self, size=-1):
        chunk = real_read(self, size)
        if size is not None and size >= 0:  # a whole read is made of sized ones
            read[self._name] = read.get(self._name, 0) + len(chunk)
        return chunk

    monkeypatch.setattr(importer._MeteredPart, "read", counting_read)
    return read


@pytest.mark.parametrize("kind", list(SWOLLEN))
def test_a_part_that_is_not_data_is_unpacked_no_further_than_its_cap_whatever_the_zip_declares(
        app, swollen, kind, monkeypatch):
    monkeypatch.setattr(importer, "_declared_sizes_fit", lambda archive, budget: True)
    read = counted_reads(monkeypatch)
    with app.test_request_context(), pytest.raises(importer.ImportFileError, match="too large"):
        importer.read_table("p.xlsx", swollen[kind])
    assert read[SWOLLEN_PART[kind]] <= importer.XLSX_MAX_OTHER_PART_BYTES + importer._MeteredPart.CHUNK, read
    assert sum(read.values()) < 2 * importer.XLSX_MAX_OTHER_PART_BYTES, read


def test_styles_the_manifest_calls_shared_strings_are_still_capped(app, monkeypatch):
    """Which part is data is read from the file too: the styles' own name is never taken for data."""
    content = swollen_workbook("cell formats", 3_000_000, manifest_extra=STRINGS_TYPE.replace(
        b"/xl/sharedStrings.xml", b"/xl/styles.xml"))
    read = counted_reads(monkeypatch)
    with app.test_request_context(), pytest.raises(importer.ImportFileError, match="styles are too large"):
        importer.read_table("p.xlsx", content)
    assert read["xl/styles.xml"] <= importer.XLSX_MAX_OTHER_PART_BYTES + importer._MeteredPart.CHUNK


def test_a_workbook_formatted_by_hand_still_imports(client, console):
    """Hundreds of fonts and fills: well within the cap on styles."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for n in range(300):
        sheet.append([console.day.isoformat(), "10:00", "10:30", "briefing", f"Briefing {n}"])
        sheet.cell(n + 2, 1).font = Font(bold=n % 2 == 0, size=8 + n % 12, color="FF%04X00" % n)
        sheet.cell(n + 2, 2).fill = PatternFill("solid", fgColor="FF00%04X" % n)
    buffer = io.BytesIO()
    workbook.save(buffer)
    parts = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    assert 10_000 < parts.getinfo("xl/styles.xml").file_size < importer.XLSX_MAX_OTHER_PART_BYTES
    client.login(console.link)
    response = upload(client, console, buffer.getvalue(), "programme.xlsx")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert "Briefing 299" in response.get_data(as_text=True)


# --- the confirm step reads what is posted back with the same bounds ----------------------------------------


def post_confirm(client, console, payload: str):
    return client.post("/programme/import/confirm", data={"review": str(console.review.id), "payload": payload,
                                                          "filename": "programme.csv"})


def test_a_confirm_posting_a_thousand_overlapping_rows_is_as_bounded_as_the_preview(client, console):
    client.login(console.link)
    payload = csv_bytes(overlapping_rows(console)).decode()
    text = assert_readable_and_small(post_confirm(client, console, payload), "Nothing was imported: 999 problems")
    assert shown_errors(text) == importer.ERRORS_SHOWN
    assert visit_count() == 0


def test_a_confirm_posting_sixty_thousand_columns_is_refused_before_any_column_is_looked_at(client, console,
                                                                                              monkeypatch):
    monkeypatch.setattr(importer, "_check_header", lambda header: pytest.fail("a column was looked at"))
    client.login(console.link)
    payload = csv_bytes([], header=HEADER + [f"extra {n}" for n in range(60_000)]).decode()
    assert_readable_and_small(post_confirm(client, console, payload), f"more than {importer.MAX_COLUMNS} columns")
    assert visit_count() == 0


def test_the_command_line_import_lists_the_first_problems_and_how_many_more(app, console, tmp_path):
    bad = tmp_path / "clashes.csv"
    bad.write_bytes(csv_bytes(overlapping_rows(console, importer.ERRORS_SHOWN + 11)))
    result = app.test_cli_runner().invoke(args=["import-programme", str(console.review.id), str(bad), "--as",
                                                console.link.email])
    assert result.exit_code != 0
    assert result.output.count("would also be at") == importer.ERRORS_SHOWN
    assert "... and 10 more problems." in result.output  # the first row clashes with nothing
