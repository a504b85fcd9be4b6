"""On a phone (360 px): a file full of clashes lists the first problems and says how many more; a title naming a
service user is pointed out in the import preview and on the visit form (issue 12, items 2 and 5)."""
from __future__ import annotations

from visits.extensions import db

from ..support.browser import assert_accessible, sign_in
from ..support.world import SERVICE_USER_NAME, console_world

HEADER = "date,start,end,kind,title,location,team,participants,case,status,briefing\n"


def test_a_file_of_clashing_rows_lists_the_first_fifty_problems_and_how_many_more(page, app, tmp_path):
    console = console_world()
    day = console.day.isoformat()
    csv_file = tmp_path / "clashes.csv"  # Rhys, who is already at an interview at 10:00, booked 300 times over
    csv_file.write_text(HEADER + "".join(f"{day},10:00,11:00,staff_interview,Interview {n},,Rhys Reviewer,,,,\n"
                                         for n in range(300)), encoding="utf-8")
    sign_in(page, console.link)
    page.goto("/programme/import")
    page.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("Nothing was imported: 300 problems to fix").wait_for()
    assert page.locator("tr.row-error").count() == 50
    assert page.get_by_text("… and 250 more problems.").is_visible()
    assert_accessible(page, "console-import-bounded-errors-360")


def test_the_link_officer_is_warned_of_a_title_naming_a_service_user_in_the_preview_and_on_the_form(
        page, app, tmp_path):
    console = console_world()
    day = console.day.isoformat()
    csv_file = tmp_path / "named.csv"
    csv_file.write_text(HEADER + f"{day},19:00,19:45,home_visit,Home visit – {SERVICE_USER_NAME},,,,AD-014,,\n",
                        encoding="utf-8")
    sign_in(page, console.link)
    page.goto("/programme/import")
    page.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text(f"Row 2: this title names a service user or carer ({SERVICE_USER_NAME}).").wait_for()
    assert_accessible(page, "console-import-title-warning-360")

    console.home_visit.title = f"Home visit – {SERVICE_USER_NAME}"
    db.session.commit()
    page.goto(f"/programme/visits/{console.home_visit.id}/edit?review={console.review.id}")
    title = page.get_by_label("Title")
    assert "names a service user or carer" in title.evaluate(
        "field => field.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id).textContent).join(' ')")
    assert_accessible(page, "console-visit-title-warning-360")
