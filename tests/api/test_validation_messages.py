"""A bad field in a JSON request still gets a clear message, in plain English through gettext: the 400s'
`fields` and a rejected sync operation's `errors` name the field with a list of sentences a person can act on."""
from __future__ import annotations

import flask_babel
from babel.support import NullTranslations

from ..support import factories as f
from ..support.clients import signed_in
from ..support.sync import send_one


def test_a_bad_query_field_is_a_400_with_a_clear_message(team, app):
    reviewer = signed_in(app, team.reviewer)
    response = reviewer.get("/api/notes", query_string={"visit": "the home visit"})
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid", "fields": {"visit": ["Enter a whole number."]}}

    response = reviewer.get("/api/itinerary", query_string={"from": "2026-11-23", "to": "2026-11-20"})
    assert response.status_code == 400 and response.get_json()["fields"] == {"to": ["Must be on or after ‘from’."]}

    response = reviewer.get("/api/attendance", query_string={})
    assert response.status_code == 400 and response.get_json()["fields"] == {"date": ["This is needed."]}


def test_a_rejected_operation_names_each_bad_field_in_plain_words(team, app):
    answer = send_one(signed_in(app, team.reviewer), f.operation(
        "note.save", note_id="not-a-uuid", visit_id="abc", kind="general", body="", mood="calm"))
    assert answer["status"] == "rejected"
    assert answer["errors"] == {"note_id": ["Expected a UUID here."], "visit_id": ["Enter a whole number."],
                                "mood": ["Not a field this accepts."]}

    answer = send_one(signed_in(app, team.reviewer), f.operation(
        "note.save", note_id=f.new_id(), visit_id=team.home_visit.id, kind="general", body="   "))
    assert answer["errors"] == {"body": ["Write something before saving."]}


class Pseudo(NullTranslations):
    def ugettext(self, message):
        return f"«{message}»"

    gettext = ugettext


def test_the_messages_come_from_the_catalogue(team, app, monkeypatch):
    reviewer = signed_in(app, team.reviewer)
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Pseudo())
    response = reviewer.get("/api/notes", query_string={"visit": "x"})
    assert response.get_json()["fields"] == {"visit": ["«Enter a whole number.»"]}
