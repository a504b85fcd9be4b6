"""The link officer loads a draft programme from a spreadsheet: a dry run first, nothing written until the whole
file is valid, and what is exported reads back in as the same rows."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime, time, timedelta

import pytest
from openpyxl import Workbook

from visits.extensions import db
from visits.models import AuditEvent, Note, Visit

from ..support.world import console_world

HEADER = ["date", "start", "end", "kind", "title", "location", "team", "participants", "case", "status", "briefing"]


@pytest.fixture
def console(app):
    console = console_world()
    # Start from an empty programme so the round trip compares like with like.
    db.session.execute(db.delete(Note))
    for visit in db.session.scalars(db.select(Visit)).all():
        db.session.delete(visit)
    db.session.commit()
    return console


def csv_bytes(rows, header=HEADER, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def valid_rows(console):
    day = console.day.isoformat()
    next_day = (console.day + timedelta(days=1)).isoformat()
    return [
        [day, "10:00", "11:00", "staff_interview", "Interview: social worker", "Civic Centre", "Rhys Reviewer",
         "Sian Socialworker", "AD-014", "planned", ""],
        [day, "11:15", "12:15", "staff_interview", "Interview: team leader", "Civic Centre", "Rhys Reviewer",
         "Tomos Teamleader", "AD-014", "confirmed", ""],
        [day, "14:00", "15:30", "setting_visit", "=Maes Day Centre, first look", "Maes Day Centre", "Lena Lay", "",
         "", "planned", "Ask about the new minibus"],
        [next_day, "18:00", "18:45", "home_visit", "Home visit AD-014", "Home (GS)", "Ffion Reviewer; Rhys Reviewer",
         "Mrs Gwenllian Secretname", "AD-014", "planned", "Interpreter: Polish"],
    ]


def upload(client, console, content: bytes, filename="programme.csv"):
    return client.http.post("/programme/import", data={
        "review": str(console.review.id), "csrf_token": client.csrf(),
        "file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def payload_of(html: str) -> str:
    import html as html_lib
    return html_lib.unescape(html.split('name="payload" value="')[1].split('">')[0])


def confirm(client, console, html: str):
    return client.post("/programme/import/confirm", data={"review": str(console.review.id),
                                                          "payload": payload_of(html), "filename": "programme.csv"})


def visit_count() -> int:
    return db.session.scalar(db.select(db.func.count(Visit.id)))


def exported_rows(client, console) -> list[list[str]]:
    text = client.get("/export/programme.csv", query_string={"review": console.review.id}).get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_a_valid_csv_is_previewed_without_writing_then_imported_and_exports_as_the_same_rows(client, console):
    client.login(console.link)
    rows = valid_rows(console)
    preview = upload(client, console, csv_bytes(rows))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "4 visits are ready to import" in html and "Nothing has been saved yet" in html
    assert visit_count() == 0  # the dry run wrote nothing

    done = confirm(client, console, html)
    assert done.status_code == 302
    assert visit_count() == 4
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="import")) is not None

    exported = exported_rows(client, console)
    assert exported[0] == HEADER
    # The formula-looking title comes back guarded ('=...) in the file and as typed after a re-import.
    assert exported[3][4] == "'=Maes Day Centre, first look"
    exported[3][4] = "=Maes Day Centre, first look"
    assert exported[1:] == rows


def test_an_xlsx_with_real_date_and_time_cells_imports_and_round_trips(client, console):
    client.login(console.link)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    rows = valid_rows(console)
    rows[2][4] = "Maes Day Centre, first look"  # openpyxl would store "=..." as a formula, not text
    for row in rows:
        day = datetime.fromisoformat(row[0])
        start, end = (time.fromisoformat(value) for value in row[1:3])
        sheet.append([day, start, end, *row[3:]])
    sheet.append([None] * len(HEADER))  # a blank row at the end is ignored
    content = io.BytesIO()
    workbook.save(content)

    preview = upload(client, console, content.getvalue(), "programme.xlsx")
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert confirm(client, console, preview.get_data(as_text=True)).status_code == 302
    assert exported_rows(client, console)[1:] == rows


def test_team_names_or_emails_kind_words_semicolon_files_and_short_times_are_understood(client, console):
    client.login(console.link)
    row = [console.day.isoformat(), "9:30", "10.30", "Staff interview", "", "civic centre",
           console.reviewer2.email.upper(), "", "", "", ""]
    preview = upload(client, console, csv_bytes([row], delimiter=";"))
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert confirm(client, console, preview.get_data(as_text=True)).status_code == 302
    visit = db.session.scalar(db.select(Visit))
    assert visit.title == "Staff interview" and visit.starts_at.strftime("%H:%M") == "09:30"
    assert [m.id for m in visit.team] == [console.reviewer2.id] and visit.location_id == console.office.id


BAD_ROWS = {
    "bad date": (["31/02/2026", "10:00", "11:00", "staff_interview", "", "", "", "", "", "", ""], "date",
                 "Enter a date like"),
    "bad time": ([None, "25:00", "11:00", "staff_interview", "", "", "", "", "", "", ""], "start",
                 "Enter a time like"),
    "end before start": ([None, "11:00", "10:00", "staff_interview", "", "", "", "", "", "", ""], "end",
                         "The end must be after the start"),
    "unknown kind": ([None, "10:00", "11:00", "coffee", "", "", "", "", "", "", ""], "kind",
                     "Choose a kind of visit"),
    "missing kind": ([None, "10:00", "11:00", "", "", "", "", "", "", "", ""], "kind",
                     "<td>kind</td><td>This is needed.</td>"),
    "unknown status": ([None, "10:00", "11:00", "briefing", "", "", "", "", "", "maybe", ""], "status",
                       "Choose a status"),
    "unknown place": ([None, "10:00", "11:00", "staff_interview", "", "Atlantis", "", "", "", "", ""],
                      "location", "Unknown place ‘Atlantis’"),
    "unknown team member": ([None, "10:00", "11:00", "staff_interview", "", "", "Nobody Known", "", "", "", ""],
                            "team", "Unknown review team member ‘Nobody Known’"),
    "unknown person": ([None, "10:00", "11:00", "staff_interview", "", "", "", "Ghost Person", "", "", ""],
                       "participants", "Unknown person ‘Ghost Person’"),
    "unknown case": ([None, "10:00", "11:00", "home_visit", "", "", "", "", "ZZ-999", "", ""], "case",
                     "Unknown case reference ‘ZZ-999’"),
}


@pytest.mark.parametrize("kind", sorted(BAD_ROWS))
def test_each_kind_of_bad_row_is_reported_with_its_row_number_and_nothing_is_written(client, console, kind):
    client.login(console.link)
    bad, column, message = BAD_ROWS[kind]
    bad = [value if value is not None else console.day.isoformat() for value in bad]
    rows = valid_rows(console)[:2] + [bad] + valid_rows(console)[2:]
    response = upload(client, console, csv_bytes(rows))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported: 1 problem to fix" in html, html
    # Row 4: the header is row 1, and the bad row is the third data row.
    assert f'data-row="4"><th scope="row">4</th><td>{column}</td>' in html
    import html as html_lib
    assert message in html_lib.unescape(html)
    assert 'name="payload"' not in html  # no way to confirm an invalid file
    assert visit_count() == 0


def test_overlaps_within_the_file_and_with_the_programme_are_reported_by_row(client, console):
    client.login(console.link)
    day = console.day.isoformat()
    rows = [
        [day, "10:00", "11:00", "staff_interview", "A", "", "Rhys Reviewer", "", "", "", ""],
        [day, "10:30", "11:30", "staff_interview", "B", "", "Rhys Reviewer", "", "", "", ""],
        [day, "15:00", "16:00", "staff_interview", "C", "", "", "Sian Socialworker", "", "", ""],
    ]
    from ..support.factories import gen_visit
    gen_visit(console.review, [], [console.social_worker], "team_visit",
              datetime.combine(console.day, time(15, 30)), 60, title="Team visit already booked")
    db.session.commit()
    before = visit_count()
    response = upload(client, console, csv_bytes(rows))
    html = response.get_data(as_text=True)
    import html as html_lib
    text = html_lib.unescape(html)
    assert response.status_code == 400
    assert 'data-row="3"' in html and "Rhys Reviewer would also be at row 2 at that time." in text
    assert 'data-row="4"' in html and "Sian Socialworker would also be at ‘Team visit already booked’" in text
    assert 'data-row="2"' not in html
    assert visit_count() == before


def test_a_file_without_the_needed_columns_or_of_another_type_is_refused_whole(client, console):
    client.login(console.link)
    response = upload(client, console, b"when,who\n2026-11-23,Rhys\n")
    assert response.status_code == 400 and "missing: date, start, end, kind" in response.get_data(as_text=True)
    response = upload(client, console, b"%PDF-1.4", "programme.pdf")
    assert response.status_code == 400 and "Choose a .csv or .xlsx file." in response.get_data(as_text=True)
    response = upload(client, console, b"not a zip", "programme.xlsx")
    assert response.status_code == 400 and "not an Excel workbook" in response.get_data(as_text=True)
    response = upload(client, console, csv_bytes([]))
    assert response.status_code == 400 and "no visits" in response.get_data(as_text=True)
    assert visit_count() == 0


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in [HEADER, *rows]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten_xlsx(content: bytes, change) -> bytes:
    """The same workbook with each zipped part passed through change(name, data) (None drops the part)."""
    source, target = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                out.writestr(name, data)
    return target.getvalue()


@pytest.mark.parametrize("damage", ["sheet cut in half", "no worksheet"])
def test_a_damaged_workbook_is_a_readable_error_not_a_server_error(client, console, damage):
    client.login(console.link)
    content = xlsx_bytes([["2026-11-23", "10:00", "11:00", "briefing"]])
    if damage == "sheet cut in half":
        content = rewritten_xlsx(content, lambda name, data: data[:len(data) // 2] if "worksheets/" in name else data)
    else:
        content = rewritten_xlsx(content, lambda name, data: (
            None if "worksheets/" in name else data.replace(b"<sheet ", b"<ignored ") if name == "xl/workbook.xml"
            else data))
    response = upload(client, console, content, "programme.xlsx")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "not an Excel workbook" in response.get_data(as_text=True)
    assert visit_count() == 0


def test_empty_rows_below_the_visits_are_read_past_but_not_without_end(client, console, monkeypatch):
    from visits.programme import importer

    client.login(console.link)
    formatted = valid_rows(console)[:1] + [["", "", "", ""]] * 3000  # a sheet formatted far below its last row
    assert upload(client, console, csv_bytes(formatted)).status_code == 200
    monkeypatch.setattr(importer, "MAX_LINES_READ", 1000)
    response = upload(client, console, csv_bytes(formatted))
    assert response.status_code == 400 and "more than 1000 lines" in response.get_data(as_text=True)
    assert visit_count() == 0


def test_a_cancelled_visit_beside_its_rebooking_round_trips(client, console):
    client.login(console.link)
    rows = valid_rows(console)
    cancelled = list(rows[0])
    cancelled[9] = "cancelled"
    rows.insert(0, cancelled)  # the same people at the same time: the cancelled one holds nobody's time
    preview = upload(client, console, csv_bytes(rows))
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert confirm(client, console, preview.get_data(as_text=True)).status_code == 302
    assert visit_count() == 5
    exported = exported_rows(client, console)[1:]
    assert sorted(row[9] for row in exported) == ["cancelled", "confirmed", "planned", "planned", "planned"]


def test_the_confirm_step_checks_the_rows_again_against_the_programme_as_it_is_now(client, console):
    client.login(console.link)
    preview = upload(client, console, csv_bytes(valid_rows(console)[:1]))
    assert preview.status_code == 200
    # Meanwhile someone books Rhys at the same time.
    from ..support.factories import gen_visit
    gen_visit(console.review, [console.reviewer], [], "briefing", datetime.combine(console.day, time(10, 30)), 30,
              title="Surprise briefing")
    db.session.commit()
    response = confirm(client, console, preview.get_data(as_text=True))
    assert response.status_code == 400 and "Surprise briefing" in response.get_data(as_text=True)
    assert visit_count() == 1


def test_the_template_download_is_a_file_the_import_reads(client, console):
    client.login(console.link)
    template = client.get("/programme/import/template.csv", query_string={"review": console.review.id})
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert template.get_data(as_text=True).splitlines()[0] == ",".join(HEADER)


def test_a_title_typed_with_a_quote_before_a_formula_comes_back_as_typed_after_export_and_import(client, console):
    """Issue 12, item 5: "'=1+1" used to come back as "=1+1"."""
    client.login(console.link)
    rows = valid_rows(console)[:2]
    rows[0][4], rows[1][4] = "'=1+1", "'quoted'"
    preview = upload(client, console, csv_bytes([[("'" + cell if cell.startswith("'") else cell) for cell in row]
                                                 for row in rows]))  # as the export writes them
    assert confirm(client, console, preview.get_data(as_text=True)).status_code == 302
    exported = exported_rows(client, console)
    assert [row[4] for row in exported[1:]] == ["''=1+1", "''quoted'"]
    for visit in db.session.scalars(db.select(Visit)).all():
        db.session.delete(visit)
    db.session.commit()
    text = "\r\n".join(",".join(f'"{cell}"' for cell in row) for row in exported).encode()
    preview = upload(client, console, text)
    assert confirm(client, console, preview.get_data(as_text=True)).status_code == 302
    assert sorted(db.session.scalars(db.select(Visit.title))) == ["'=1+1", "'quoted'"]
