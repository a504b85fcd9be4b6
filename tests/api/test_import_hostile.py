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


@pytest.mark.parametrize("part", ["sheet", "shared strings"])
def test_a_workbook_that_unzips_to_hundreds_of_mb_is_refused_without_unzipping_it(client, console, bombs, part,
                                                                                   monkeypatch):
    content = bombs[part]
    assert len(content) < 2_000_000  # small on disk: within the upload limit
    client.login(console.link)
    tracemalloc.start()
    try:
        response = upload(client, console, content, "programme.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
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
