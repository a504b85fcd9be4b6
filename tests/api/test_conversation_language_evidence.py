"""The lead filters the evidence by the conversation's language and the Welsh active offer (issue 13, item 5), on
the page and in the exports; the exports' headings follow the reader's language (item 4)."""
from __future__ import annotations

import csv
import io

import docx
import pytest
from flask_babel import force_locale, gettext

from visits.evidence.exports import CSV_HEADINGS
from visits.evidence.queries import EvidenceFilters, readable_notes
from visits.extensions import db

from ..support import factories as f
from ..support.clients import signed_in
from ..support.i18n import app_with_welsh
from ..support.world import console_world

WELSH_NOTE = "Cyfweliad yn Gymraeg WELSHNOTE-1101"
ENGLISH_NOTE = "Interview in English ENGLISHNOTE-2202"
INTERPRETED_NOTE = "Through an interpreter INTERPRETED-3303"
SILENT_NOTE = "Nothing said of the language SILENT-4404"
MARKS = ("WELSHNOTE", "ENGLISHNOTE", "INTERPRETED", "SILENT", "Private note body")


def plant(world):
    """Four notes of Rhys's on his interview (Welsh with the offer, English without, through an interpreter,
    nothing recorded), beside the console world's home-visit note (nothing recorded)."""
    for body, language, offer in ((WELSH_NOTE, "cy", True), (ENGLISH_NOTE, "en", False),
                                  (INTERPRETED_NOTE, "interpreter", None), (SILENT_NOTE, None, None)):
        note = f.gen_note(world.interview, world.reviewer, body, kind="interview")
        note.language, note.active_offer = language, offer
    db.session.commit()
    return world


@pytest.fixture
def spoken(console):
    return plant(console)


def found(viewer, world, **filters) -> set[str]:
    notes = db.session.scalars(readable_notes(viewer, world.review, EvidenceFilters(**filters))).unique()
    return {mark for note in notes for mark in MARKS if mark in note.body}


# --- the one query ---------------------------------------------------------------------------------------------


def check_the_filters(world):
    lead = world.lead
    assert found(lead, world, language="cy") == {"WELSHNOTE"}
    assert found(lead, world, language="interpreter") == {"INTERPRETED"}
    assert found(lead, world, language="other") == set()
    assert found(lead, world, language="none") == {"SILENT", "Private note body"}
    assert found(lead, world, active_offer="yes") == {"WELSHNOTE"}
    assert found(lead, world, active_offer="no") == {"ENGLISHNOTE"}
    assert found(lead, world, active_offer="none") == {"INTERPRETED", "SILENT", "Private note body"}
    assert found(lead, world, language="en", active_offer="yes") == set()
    # The filters narrow what the viewer may read, never widen it: Lena reads no interview.
    assert found(world.lay, world, language="cy") == set()


def test_the_query_filters_by_language_and_offer_on_sqlite(spoken):
    check_the_filters(spoken)


@pytest.mark.postgres
def test_the_query_filters_by_language_and_offer_on_postgres(pg_app):
    check_the_filters(plant(console_world()))


# --- the page ----------------------------------------------------------------------------------------------------


def page(client, world, **query):
    return client.get("/evidence", query_string={"review": world.review.id, **query})


def test_the_lead_filters_the_evidence_page_and_each_hit_says_its_language(app, spoken):
    lead = signed_in(app, spoken.lead)
    html = page(lead, spoken).get_data(as_text=True)
    assert 'id="language"' in html and 'id="offer"' in html
    assert "Language of the conversation: Welsh. The Welsh active offer was made." in html
    welsh = page(lead, spoken, language="cy", offer="yes").get_data(as_text=True)
    assert "WELSHNOTE" in welsh and not any(mark in welsh for mark in MARKS if mark != "WELSHNOTE")
    assert '<option value="cy" selected>' in welsh
    unrecorded = page(lead, spoken, language="none").get_data(as_text=True)
    assert "SILENT" in unrecorded and "WELSHNOTE" not in unrecorded


@pytest.mark.parametrize("query, field, message", [
    ({"language": "welsh"}, "language",
     "Choose Welsh, English, another language, with an interpreter or not recorded."),
    ({"offer": "maybe"}, "offer", "Choose yes, no or not recorded."),
])
def test_a_bad_filter_is_a_400_with_its_message_beside_it(app, spoken, query, field, message):
    response = page(signed_in(app, spoken.lead), spoken, **query)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html and f'id="{field}-error"' in html
    assert not any(mark in html for mark in MARKS)


@pytest.mark.parametrize("role", ["link_officer", "coordinator"])
def test_the_link_officer_and_coordinator_never_reach_it_filtered_or_not(app, spoken, role):
    client = signed_in(app, spoken.member(role))
    for path in ("/evidence", "/evidence/export.csv", "/evidence/export.docx"):
        response = client.get(path, query_string={"review": spoken.review.id, "language": "cy", "offer": "yes"})
        assert response.status_code == 403
        assert not any(mark in response.get_data(as_text=True) for mark in MARKS)


def test_a_reviewer_filters_only_their_own_visits_notes(app, spoken):
    ffion = page(signed_in(app, spoken.reviewer2), spoken, language="none").get_data(as_text=True)
    assert "Private note body" in ffion and "SILENT" not in ffion  # the interview is Rhys's alone


# --- the exports -------------------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.data.decode("utf-8").lstrip("\ufeff"))))


def test_the_csv_has_a_column_for_each_and_takes_the_filters(app, spoken):
    lead = signed_in(app, spoken.lead)
    rows = csv_rows(lead.get("/evidence/export.csv", query_string={"review": spoken.review.id}))
    header = rows[0]
    by_text = {row[header.index("Text")]: row for row in rows[1:]}
    welsh = by_text[WELSH_NOTE]
    assert welsh[header.index("Language of the conversation")] == "Welsh"
    assert welsh[header.index("Welsh active offer made")] == "Yes"
    assert by_text[ENGLISH_NOTE][header.index("Welsh active offer made")] == "No"
    assert by_text[SILENT_NOTE][header.index("Language of the conversation")] == ""
    filtered = csv_rows(lead.get("/evidence/export.csv",
                                 query_string={"review": spoken.review.id, "language": "cy"}))
    assert [row[header.index("Text")] for row in filtered[1:]] == [WELSH_NOTE]


def test_the_word_pack_says_each_notes_language_and_its_filters(app, spoken):
    lead = signed_in(app, spoken.lead)
    response = lead.get("/evidence/export.docx", query_string={"review": spoken.review.id, "offer": "yes"})
    assert response.status_code == 200
    text = "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert "Language of the conversation: Welsh. The Welsh active offer was made." in text
    assert "Welsh active offer made: Yes" in text  # the filters on the first page
    assert "WELSHNOTE" in text and "ENGLISHNOTE" not in text


# --- the headings in the reader's language ------------------------------------------------------------------------

MARKER = "Ŵ·"


@pytest.fixture
def marked_welsh_app(tmp_path):
    """The app with a Welsh catalogue whose every heading and answer of the exports is marked: a heading that
    did not go through gettext comes out unmarked. (The real catalogue is being translated: comparing with it
    alone could not fail while it is empty.)"""
    marked = [*(str(h) for h in CSV_HEADINGS), "Welsh", "Yes", "No", "Language of the conversation: %(language)s.",
              "The Welsh active offer was made."]
    with app_with_welsh(tmp_path, {message: MARKER + message for message in marked}) as app:
        yield app


def test_the_csv_headings_are_in_the_readers_language(marked_welsh_app):
    app = marked_welsh_app
    world = plant(console_world())
    lead = signed_in(app, world.lead)
    assert lead.get("/evidence", query_string={"lang": "cy"}).status_code == 303  # chosen on the page
    header, *rows = csv_rows(lead.get("/evidence/export.csv", query_string={"review": world.review.id}))
    with app.test_request_context(), force_locale("cy"):
        expected = [gettext(str(heading)) for heading in CSV_HEADINGS]
    assert header == expected == [MARKER + str(heading) for heading in CSV_HEADINGS]
    welsh = next(row for row in rows if WELSH_NOTE in row)
    assert welsh[-2:] == [MARKER + "Welsh", MARKER + "Yes"]
    # The other language's reader, on the same server, gets English.
    english = signed_in(app, world.reviewer)
    assert csv_rows(english.get("/evidence/export.csv", query_string={"review": world.review.id}))[0] == [
        str(heading) for heading in CSV_HEADINGS]


def test_before_anyone_chooses_the_browsers_language_decides_and_the_word_pack_follows(marked_welsh_app):
    app = marked_welsh_app
    world = plant(console_world())
    lead = signed_in(app, world.lead)
    welsh = {"Accept-Language": "cy"}
    response = lead.http.get("/evidence/export.csv", query_string={"review": world.review.id}, headers=welsh)
    assert csv_rows(response)[0][0] == MARKER + "Note id"
    pack = lead.http.get("/evidence/export.docx", query_string={"review": world.review.id}, headers=welsh)
    text = "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(pack.data)).paragraphs)
    assert f"{MARKER}Language of the conversation: {MARKER}Welsh. {MARKER}The Welsh active offer was made." in text


def test_the_real_catalogues_welsh_for_each_heading(app, spoken):
    """Whatever the catalogue holds now: the header row is its Welsh for each heading."""
    lead = signed_in(app, spoken.lead)
    lead.get("/evidence", query_string={"lang": "cy"})
    header = csv_rows(lead.get("/evidence/export.csv", query_string={"review": spoken.review.id}))[0]
    with app.test_request_context(), force_locale("cy"):
        assert header == [gettext(str(heading)) for heading in CSV_HEADINGS]
