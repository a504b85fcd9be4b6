"""Every message the schemas give goes through gettext: marshmallow's own defaults (replaced once in
visits/schemas/base.py), its validators' and our own rules'. A pseudo-translation marks each translated message
«like this», so one that bypasses gettext shows up in English; the messages stay plain strings in lists,
the shape the sync answers and the APIs' `fields` have."""
from __future__ import annotations

import inspect

import flask_babel
import marshmallow
import pytest
from babel.support import NullTranslations
from marshmallow import ValidationError, fields
from marshmallow.validate import Length, OneOf, Range

from visits import schemas


class Pseudo(NullTranslations):
    def ugettext(self, message):
        return f"«{message}»"

    def ungettext(self, singular, plural, number):
        return f"«{singular if number == 1 else plural}»"

    gettext, ngettext = ugettext, ungettext


@pytest.fixture
def pseudo(app, monkeypatch):
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Pseudo())
    with app.test_request_context():
        yield


def messages_of(schema, data) -> dict:
    with pytest.raises(ValidationError) as raised:
        schema.load(data)
    return raised.value.messages


def test_marshmallow_s_own_messages_are_translated_and_stay_strings_in_lists(pseudo):
    found = messages_of(schemas.NoteSaveData(), {"note_id": "x", "visit_id": "abc", "kind": "diary", "body": 5,
                                                 "resolves_conflict": "maybe", "colour": "red"})

    assert found == {
        "note_id": ["«Expected a UUID here.»"],
        "visit_id": ["«Enter a whole number.»"],
        "kind": ["«Choose one of: {choices}.»".format(choices=", ".join(schemas.NOTE_KINDS))],
        "body": ["«Expected text here.»"],
        "resolves_conflict": ["«Expected true or false.»"],
        "colour": ["«Not a field this accepts.»"],
    }
    assert all(type(message) is str for listed in found.values() for message in listed)


def test_missing_fields_lengths_ranges_dates_and_objects_are_translated(pseudo):
    assert messages_of(schemas.CheckData(), {}) == {"visit_id": ["«This is needed.»"], "at": ["«This is needed.»"]}
    assert messages_of(schemas.CheckData(), {"visit_id": 0, "at": "2026-11-23T10:00:00"}) == {
        "visit_id": [f"«Expected a number from 1 to {schemas.MAX_ID}.»"],
        "at": ["«Give the time with its UTC offset, like 2026-11-23T10:00:00+00:00.»"]}
    assert messages_of(schemas.NeedSetData(), {"need_id": schemas.MAX_ID, "participant_id": 1, "type": "access",
                                               "detail": "x" * 301})["detail"] == [
        "«Too long: the maximum length is 300.»"]
    assert messages_of(schemas.AttendanceQuery(), {"date": "23/11/2026"}) == {
        "date": ["«Enter a date like 2026-11-23.»"]}
    assert messages_of(schemas.SyncIn(), {"ops": [42]}) == {"ops": {0: {"_schema": ["«Expected an object here.»"]}}}


def test_our_own_rules_are_translated(pseudo, app):
    query = schemas.ItineraryQuery()
    assert messages_of(query, {"from": "2026-11-23", "to": "2026-11-20"}) == {"to": ["«Must be on or after ‘from’.»"]}
    assert messages_of(query, {"from": "2026-11-01", "to": "2026-12-31"}) == {
        "to": [f"«At most {schemas.MAX_RANGE_DAYS} days at a time.»"]}

    note = {"note_id": "0b6d7c3e-8f3a-4d4a-9a52-5d7f0e7c9b11", "visit_id": 1}
    assert messages_of(schemas.NoteSaveData(), {**note, "kind": "general", "body": " "}) == {
        "body": ["«Write something before saving.»"]}
    assert messages_of(schemas.NoteSaveData(), {**note, "kind": "general",
                                                "prompts": {"to_follow_up": "The lift"}}) == {
        "prompts": ["«A general note has no headings: write it all in the note.»"]}
    assert messages_of(schemas.NoteSaveData(), {**note, "kind": "setting_observation",
                                                "prompts": {"colour": "red"}}) == {
        "prompts": ["«Unknown prompt: colour.»"]}
    app.config["SYNC_MAX_BYTES"] = 400
    limit = 100
    assert messages_of(schemas.NoteSaveData(), {**note, "kind": "general", "body": "x" * (limit + 1)}) == {
        "body": [f"«At most {limit} characters in all, the text and the prompts together.»"]}


def test_outside_a_request_the_messages_are_english(app):
    with app.app_context():
        assert messages_of(schemas.NotesQuery(), {"visit": "abc"}) == {"visit": ["Enter a whole number."]}


def _fields_within(schema: marshmallow.Schema):
    """Every field of a schema, with the fields inside lists, dicts and nested schemas."""
    pending = list(schema.fields.values())
    while pending:
        field = pending.pop()
        yield field
        if isinstance(field, fields.List):
            pending.append(field.inner)
        elif isinstance(field, fields.Dict):
            pending += [inner for inner in (field.key_field, field.value_field) if inner is not None]
        elif isinstance(field, fields.Nested):
            pending += list(field.schema.fields.values())


SCHEMAS = [value for _name, value in inspect.getmembers(schemas, inspect.isclass)
           if issubclass(value, marshmallow.Schema) and value is not schemas.Schema]


@pytest.mark.parametrize("schema_class", SCHEMAS, ids=lambda schema_class: schema_class.__name__)
def test_no_message_of_any_schema_is_marshmallow_s_english(app, schema_class):
    """A bare str message would be shown as it is, in English; ours are lazy strings or translated when used."""
    with app.test_request_context():
        schema = schema_class()
    assert issubclass(schema_class, schemas.Schema)
    assert not set(schema.error_messages.values()) & set(marshmallow.Schema._default_error_messages.values())
    for field in _fields_within(schema):
        bare = {key: message for key, message in field.error_messages.items() if type(message) is str}
        assert not bare, f"{schema_class.__name__}.{field.name}: {bare}"
        for validator in field.validators:
            if isinstance(validator, (OneOf, Range)):
                assert type(validator.error) is not str, f"{schema_class.__name__}.{field.name}: {validator}"
            if isinstance(validator, Length) and validator.error is None:
                assert type(Length.message_max) is not str and type(Length.message_all) is not str
