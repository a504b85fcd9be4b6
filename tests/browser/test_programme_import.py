"""The link officer loads a draft programme from a spreadsheet in a real browser: check, then import."""
from __future__ import annotations

from visits.extensions import db
from visits.models import Visit

from ..support.world import console_world
from ..support.browser import assert_accessible, sign_in


def test_link_officer_checks_a_file_then_imports_it(page, app, tmp_path):
    console = console_world()
    day = console.day.isoformat()
    csv_file = tmp_path / "draft.csv"
    csv_file.write_text(
        "date,start,end,kind,title,location,team,participants,case,status,briefing\n"
        f'{day},08:00,08:45,briefing,Morning briefing,Civic Centre,Lowri Lead; Rhys Reviewer,,,planned,'
        '"Parking: use the rear car park,\nthen sign in at reception"\n'
        f"{day},12:00,13:00,staff_interview,Interview: team leader,Civic Centre,Rhys Reviewer,Tomos Teamleader,"
        "AD-014,planned,\n", encoding="utf-8")
    before = db.session.scalar(db.select(db.func.count(Visit.id)))

    sign_in(page, console.link)
    page.goto("/programme/import")
    page.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("2 visits are ready to import").wait_for()
    assert db.session.scalar(db.select(db.func.count(Visit.id))) == before
    assert_accessible(page, "console-import-preview-360")

    page.get_by_role("button", name="Import 2 visits").click()
    page.wait_for_url("**/programme?*")
    assert page.get_by_role("status").filter(has_text="2 visits imported.").is_visible()
    assert page.get_by_role("rowheader", name="Morning briefing").is_visible() or \
        page.get_by_text("Morning briefing").first.is_visible()
    briefing = db.session.scalar(db.select(Visit).filter_by(title="Morning briefing"))
    assert briefing.briefing == "Parking: use the rear car park,\nthen sign in at reception"
    # The 08:00 start is one of the checker's findings now.
    assert page.get_by_text("early_start").first.is_visible()
