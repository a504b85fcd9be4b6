"""The link officer enters travel times between the review's places, in a matrix or from a CSV file checked before
anything is saved, and the programme check's travel rule uses them at once."""
from __future__ import annotations

import html as html_text
import io
import re
from datetime import datetime, timezone

import pytest

from visits.extensions import db
from visits.models import AuditEvent, Location, TravelTime

from ..support import factories as f
from ..support.world import NOTE_BODY, at


def minutes_between(a: Location, b: Location):
    rows = db.session.scalars(db.select(TravelTime).where(
        db.or_(db.and_(TravelTime.from_location_id == a.id, TravelTime.to_location_id == b.id),
               db.and_(TravelTime.from_location_id == b.id, TravelTime.to_location_id == a.id)))).all()
    assert len(rows) <= 1, "a pair is kept once"
    return rows[0].minutes if rows else None


def field(a: Location, b: Location) -> str:
    first, second = sorted((a.id, b.id))
    return f"t-{first}-{second}"


def matrix_form(client, console, **extra):
    """The form as the page sends it: the hidden fields it was opened with, then what the test types."""
    page = client.get("/programme/travel").get_data(as_text=True)
    loaded = re.search(r'name="loaded" value="([^"]*)"', page).group(1)
    return {"review": str(console.review.id), "loaded": loaded, **extra}


def upload(client, console, text: str, filename: str = "travel.csv"):
    return client.post("/programme/travel/import", data={
        "review": str(console.review.id), "file": (io.BytesIO(text.encode("utf-8")), filename)})


def travel_findings(client) -> list[dict]:
    return [finding for finding in client.get("/api/programme/findings").get_json()["findings"]
            if finding["rule"] == "travel_time"]


# --- the matrix -------------------------------------------------------------------------------------------------


def test_minutes_typed_in_the_matrix_make_and_clear_a_travel_finding(client, console):
    """Rhys ends an interview at the Civic Centre at 11:00 and starts at the day centre at 11:30."""
    after = f.gen_visit(console.review, [console.reviewer], [], "setting_visit", at(console.day, 11, 30), 60,
                        console.day_centre, title="Day centre at 11:30")
    db.session.commit()
    client.login(console.link)
    assert travel_findings(client) == []  # the default 20 minutes fit in the 30

    pair = field(console.office, console.day_centre)
    response = client.post("/programme/travel", data=matrix_form(client, console, **{pair: "60"}))
    assert response.status_code == 302 and "saved=1" in response.headers["Location"]
    assert minutes_between(console.office, console.day_centre) == 60
    [finding] = travel_findings(client)
    assert finding["visit_ids"] == [console.interview.id, after.id] and "60 travel" in finding["message"]

    client.post("/programme/travel", data=matrix_form(client, console, **{pair: "10"}))
    assert minutes_between(console.office, console.day_centre) == 10
    assert travel_findings(client) == []


def test_the_matrix_lists_every_place_in_use_homes_included_and_shows_the_default(client, console):
    spare = f.gen_location(console.review, "other", name="Retired Annexe")
    spare.retired_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    db.session.add(TravelTime(from_location_id=console.home.id, to_location_id=console.office.id, minutes=35))
    db.session.commit()
    client.login(console.link)
    html = client.get("/programme/travel").get_data(as_text=True)
    assert "Home (GS)" in html and "Civic Centre" in html and "Maes Day Centre" in html
    assert "Retired Annexe" not in html
    assert 'placeholder="20"' in html
    assert f'name="{field(console.home, console.office)}"' in html and 'value="35"' in html
    assert NOTE_BODY not in html


def test_a_pair_is_one_journey_whichever_way_round_it_was_kept(client, console):
    # Kept the other way round (by hand, or before this page existed): the form still shows and replaces it.
    first, second = sorted((console.office.id, console.home.id))
    db.session.add(TravelTime(from_location_id=second, to_location_id=first, minutes=40))
    db.session.commit()
    client.login(console.link)
    html = client.get(f"/programme/travel?from={console.home.id}").get_data(as_text=True)
    assert 'value="40"' in html
    client.post("/programme/travel", data={"review": str(console.review.id), "from": str(console.home.id),
                                           "loaded": f"{first}-{second}:40", f"t-{first}-{second}": "45"})
    rows = db.session.scalars(db.select(TravelTime)).all()
    assert [(row.from_location_id, row.to_location_id, row.minutes) for row in rows] == [(first, second, 45)]


def test_an_emptied_box_goes_back_to_the_default(client, console):
    db.session.add(TravelTime(from_location_id=min(console.office.id, console.home.id),
                              to_location_id=max(console.office.id, console.home.id), minutes=35))
    db.session.commit()
    client.login(console.link)
    client.post("/programme/travel", data=matrix_form(client, console, **{field(console.office, console.home): ""}))
    assert f.count(TravelTime) == 0


def test_wrong_minutes_save_nothing_and_keep_what_was_typed(client, console):
    client.login(console.link)
    good, bad = field(console.office, console.home), field(console.office, console.day_centre)
    response = client.post("/programme/travel", data=matrix_form(client, console, **{good: "25", bad: "-5"}))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{bad}-error"' in html and "Minutes cannot be negative." in html
    assert 'value="-5"' in html and 'value="25"' in html
    assert f.count(TravelTime) == 0
    for typed in ("lots", "601", "=1+2"):
        assert client.post("/programme/travel",
                           data=matrix_form(client, console, **{bad: typed})).status_code == 400
    assert f.count(TravelTime) == 0


def test_someone_elses_change_to_another_pair_is_not_undone(client, app, console):
    client.login(console.link)
    opened = matrix_form(client, console)  # the link officer opens the page
    colleague = f.gen_member(console.review, "link_officer", name="Lin Assistant")
    db.session.commit()
    other = type(client)(app)
    other.login(colleague)
    other.post("/programme/travel", data=matrix_form(other, console, **{field(console.office, console.home): "30"}))
    # The first page posts every box as it was, with one changed.
    client.post("/programme/travel", data={**opened, field(console.office, console.home): "",
                                           field(console.office, console.day_centre): "15"})
    assert minutes_between(console.office, console.home) == 30
    assert minutes_between(console.office, console.day_centre) == 15


def test_with_more_places_than_one_table_holds_one_place_is_edited_at_a_time(client, console):
    for number in range(40):
        f.gen_location(console.review, "home", name=f"Home {number:02d}")
    db.session.commit()
    client.login(console.link)
    html = client.get("/programme/travel").get_data(as_text=True)
    assert "more than fit in one table" in html and "travel-matrix" not in html
    response = client.get(f"/programme/travel?from={console.office.id}")
    assert response.status_code == 200 and response.get_data(as_text=True).count('type="number"') == 42
    assert client.post("/programme/travel", data={"review": str(console.review.id),
                                                  field(console.office, console.home): "5"}).status_code == 302
    assert f.count(TravelTime) == 0  # no place chosen: no table was shown, nothing is read


def test_a_saved_matrix_is_audited_with_place_ids_and_minutes_only(client, console):
    client.login(console.link)
    client.post("/programme/travel", data=matrix_form(client, console, **{field(console.office, console.home): "25"}))
    [event] = db.session.scalars(db.select(AuditEvent).filter_by(subject_type="travel_times")).all()
    first, second = sorted((console.office.id, console.home.id))
    assert event.action == "update" and event.detail == {"via": "matrix", "pairs": 1,
                                                         "changed": [[first, second, 25]]}


# --- the CSV import ---------------------------------------------------------------------------------------------


def test_a_csv_file_is_checked_shown_and_saved_only_when_confirmed(client, console):
    after = f.gen_visit(console.review, [console.reviewer], [], "setting_visit", at(console.day, 11, 30), 60,
                        console.day_centre, title="Day centre at 11:30")
    db.session.commit()
    client.login(console.link)
    preview = upload(client, console, "from,to,minutes\ncivic centre,MAES DAY CENTRE,60\nHome (GS),Civic Centre,25\n")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 travel times are ready to import from travel.csv. Nothing has been saved yet." in html
    assert f.count(TravelTime) == 0 and travel_findings(client) == []

    payload = html_text.unescape(re.search(r'name="payload" value="([^"]*)"', html).group(1))
    confirm = client.post("/programme/travel/import/confirm", data={
        "review": str(console.review.id), "filename": "travel.csv", "payload": payload})
    assert confirm.status_code == 302 and "imported=2" in confirm.headers["Location"]
    assert minutes_between(console.office, console.day_centre) == 60
    assert minutes_between(console.home, console.office) == 25
    [finding] = travel_findings(client)
    assert after.id in finding["visit_ids"]
    [event] = db.session.scalars(db.select(AuditEvent).filter_by(subject_type="travel_times")).all()
    assert event.detail["via"] == "import" and event.detail["pairs"] == 2 and event.detail["filename"] == "travel.csv"


def test_a_file_with_any_wrong_row_saves_nothing_and_says_which_rows(client, console):
    client.login(console.link)
    response = upload(client, console, "Civic Centre,Maes Day Centre,15\nCivic Centre,Narnia,10\n"
                                       "Civic Centre,Civic Centre,5\nMaes Day Centre,Home (GS),-3\n"
                                       "Maes Day Centre,Civic Centre,20\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported: 4 problems to fix" in html
    for row, words in ((2, "Unknown place ‘Narnia’"), (3, "A place to itself"), (4, "cannot be negative"),
                       (5, "Row 1 already gives Civic Centre to Maes Day Centre as 15 min")):
        assert f'data-row="{row}"' in html and words in html
    assert 'name="payload"' not in html
    assert f.count(TravelTime) == 0


def test_many_errors_are_listed_fifty_at_a_time(client, console):
    client.login(console.link)
    html = upload(client, console, "Nowhere,Civic Centre,5\n" * 60).get_data(as_text=True)
    assert html.count('class="row-error"') == 50 and "and 10 more problems" in html


def test_the_confirm_step_checks_the_rows_again(client, console):
    client.login(console.link)
    payload = "from,to,minutes\r\nCivic Centre,Maes Day Centre,15\r\n"
    client.post(f"/programme/locations/{console.day_centre.id}/remove")  # in use: marked no longer used
    response = client.post("/programme/travel/import/confirm", data={"review": str(console.review.id),
                                                                     "payload": payload})
    assert response.status_code == 400 and "marked no longer used" in response.get_data(as_text=True)
    assert f.count(TravelTime) == 0
    forged = client.post("/programme/travel/import/confirm", data={
        "review": str(console.review.id), "payload": "Civic Centre,Maes Day Centre,=1+2"})
    assert forged.status_code == 400 and f.count(TravelTime) == 0
    empty = client.post("/programme/travel/import/confirm", data={"review": str(console.review.id), "payload": ""})
    assert empty.status_code == 400


@pytest.mark.parametrize("filename,content,words", [
    ("travel.csv", "", "no travel times"),
    ("travel.csv", "from,to,minutes\n", "no travel times"),
    ("travel.csv", "x" * 500_001, "larger than 500 kB"),
    ("travel.csv", "a,b,1\n" * 5_001, "more than 5000 rows"),
    ("travel.xlsx", "PK\x03\x04\x00\x00", "not a CSV file"),
])
def test_a_file_that_cannot_be_read_is_refused_in_words(client, console, filename, content, words):
    client.login(console.link)
    response = upload(client, console, content, filename)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert f.count(TravelTime) == 0


def test_no_file_chosen_is_a_message_not_an_error(client, console):
    client.login(console.link)
    response = client.post("/programme/travel/import", data={"review": str(console.review.id)})
    assert response.status_code == 400 and "Choose a file to import." in response.get_data(as_text=True)


# --- who may ----------------------------------------------------------------------------------------------------

TRAVEL_ROUTES = [("get", "/programme/travel"), ("post", "/programme/travel"), ("get", "/programme/travel/import"),
                 ("post", "/programme/travel/import"), ("post", "/programme/travel/import/confirm")]


@pytest.mark.parametrize("role,expected", [
    ("reviewer", 403), ("reviewer2", 403), ("lay_assessor", 403), ("coordinator", 403),
    ("lead_b", 404), ("link_b", 404),
])
@pytest.mark.parametrize("method,url", TRAVEL_ROUTES)
def test_only_the_lead_and_the_link_officer_of_the_review_enter_travel_times(client, console, role, expected,
                                                                            method, url):
    client.login(console.member(role))
    data = {"review": str(console.review.id), "payload": "Civic Centre,Maes Day Centre,15",
            field(console.office, console.home): "5"}
    response = client.get(url, query_string=data) if method == "get" else client.post(url, data=data)
    assert response.status_code == expected
    assert f.count(TravelTime) == 0
    assert "Home (GS)" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["lead_reviewer", "link_officer"])
def test_the_lead_and_the_link_officer_open_the_travel_pages(client, console, role):
    client.login(console.member(role))
    for url in ("/programme/travel", "/programme/travel/import"):
        response = client.get(url)
        assert response.status_code == 200 and NOTE_BODY not in response.get_data(as_text=True)
