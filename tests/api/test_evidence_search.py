"""Full-text search of the evidence (DESIGN section 12): the database's own engine (SQLite FTS5 here; PostgreSQL's
full-text search in the postgres-marked test), plain words and phrases, stemmed, never a note the viewer may not
read, and nothing a person types breaks it."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app import create_app
from visits.evidence.queries import EvidenceFilters, readable_notes
from visits.evidence import search
from visits.evidence.search import excerpt, parse_terms
from visits.extensions import db
from visits.models import Note

from ..support import factories as f
from ..support.clients import signed_in
from ..support.world import at


@pytest.fixture
def notes(console):
    """Rhys's interview note, Ffion's note on a staff interview only she is on, and Lena's observations (a prompt)."""
    world = console
    world.rhys_note = f.gen_note(world.interview, world.reviewer,
                                 "Assessments are waiting weeks; the team is visiting families late.", kind="interview")
    world.ffion_visit = f.gen_visit(world.review, [world.reviewer2], [], "staff_interview", at(world.day, 15),
                                    title="Interview: Ffion's manager")
    world.ffion_note = f.gen_note(world.ffion_visit, world.reviewer2, "The manager spoke of QUIXOTIC budgets.")
    world.lay_note = f.gen_note(world.setting_visit, world.lay, "", kind="setting_observation",
                                prompts={"welcome_and_reception": "A warm welcome from the receptionist.",
                                         "to_follow_up": "Ask about the broken lift."})
    db.session.commit()
    return world


def hit(note) -> str:
    """How a note shows among the hits (its words may be marked up: found words are highlighted)."""
    return f'id="note-{note.id}"'


def found(client, world, query, **filters) -> str:
    response = client.get("/evidence", query_string={"review": world.review.id, "q": query, **filters})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_a_word_of_a_notes_text_finds_it_and_only_it(app, notes):
    text = found(signed_in(app, notes.lead), notes, "assessments")
    assert hit(notes.rhys_note) in text and "QUIXOTIC" not in text and "kitchen" not in text
    assert "1 note found." in text


def test_a_stemmed_form_finds_the_note(app, notes):
    client = signed_in(app, notes.lead)
    assert hit(notes.rhys_note) in found(client, notes, "visits")        # "visiting" in the text
    assert hit(notes.rhys_note) in found(client, notes, "assessment")    # "Assessments"
    assert hit(notes.rhys_note) in found(client, notes, "WAITED")


def test_every_word_must_be_found_and_a_phrase_in_its_order(app, notes):
    client = signed_in(app, notes.lead)
    assert hit(notes.rhys_note) in found(client, notes, "families late")
    assert hit(notes.rhys_note) not in found(client, notes, "families lift")
    assert hit(notes.rhys_note) in found(client, notes, '"waiting weeks"')
    assert hit(notes.rhys_note) not in found(client, notes, '"weeks waiting"')


def test_the_answers_to_prompts_are_searched_too(app, notes):
    text = found(signed_in(app, notes.lead), notes, "lift")
    assert hit(notes.lay_note) in text and hit(notes.rhys_note) not in text


def test_a_reviewer_never_finds_a_colleagues_note_on_a_visit_they_are_not_on(app, notes):
    assert "QUIXOTIC" in found(signed_in(app, notes.reviewer2), notes, "quixotic")
    text = found(signed_in(app, notes.reviewer), notes, "quixotic")
    assert "QUIXOTIC" not in text and "0 notes found." in text
    assert "QUIXOTIC" not in found(signed_in(app, notes.lay), notes, "quixotic")


def test_the_words_found_are_marked_and_the_text_is_escaped(app, notes):
    f.gen_note(notes.interview, notes.reviewer, "<script>alert(1)</script> the BUDGETS <b>bold</b>")
    db.session.commit()
    text = found(signed_in(app, notes.lead), notes, "budget")
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<mark>BUDGETS</mark>" in text and "<b>bold</b>" not in text


@pytest.mark.parametrize("query", ['"', '""', "NEAR(", "NEAR(a b", "*", "a*", "AND", "OR NOT", "(", ")", "^",
                                   "-", "col:value", "text:waiting", "'; DROP TABLE notes; --", "\\", "{}", "+",
                                   "é", "🙂", "a" * 200, "x " * 100])
def test_search_syntax_characters_are_plain_text_never_an_error(app, notes, query):
    found(signed_in(app, notes.lead), notes, query)
    assert db.session.scalar(select(Note.id).limit(1)) is not None


def test_edits_and_deletions_keep_the_index_in_step(app, notes):
    client = signed_in(app, notes.lead)
    notes.rhys_note.body = "Rewritten: now about transport."
    db.session.commit()
    assert "Rewritten" in found(client, notes, "transport")
    assert "Rewritten" not in found(client, notes, "assessments")
    db.session.delete(notes.rhys_note)
    db.session.commit()
    left = db.session.execute(text("SELECT count(*) FROM note_search WHERE note_search MATCH 'transport'")).scalar()
    assert left == 0


def test_parse_terms_keeps_words_and_phrases_only():
    assert parse_terms('care  "home visit" NEAR(x*').quoted() == '"care" "home visit" "NEAR" "x"'
    assert parse_terms('"').quoted() == "" and not parse_terms("*")
    assert len(parse_terms("w " * 50).words) == 12


def test_excerpt_marks_stems_and_escapes():
    terms = parse_terms("visit")
    assert str(excerpt("We were <visiting> & visited.", terms)) == \
        "We were &lt;<mark>visiting</mark>&gt; &amp; <mark>visited</mark>."
    long = "word " * 200 + "target here"
    piece = str(excerpt(long, parse_terms("target")))
    assert piece.startswith("…") and "<mark>target</mark>" in piece and len(piece) < 300


def test_the_migration_builds_the_search_and_its_triggers(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    assert app.test_cli_runner().invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        world_review = f.gen_review("Migrated council")
        lead = f.gen_member(world_review, "lead_reviewer")
        visit = f.gen_visit(world_review, [lead])
        f.gen_note(visit, lead, "Carers described respite shortages.")
        db.session.commit()
        query = readable_notes(lead, world_review, EvidenceFilters(text="shortage"))
        assert [n.body for n in db.session.scalars(query).unique()] == ["Carers described respite shortages."]
        db.engine.dispose()


@pytest.mark.postgres
def test_the_same_search_on_postgresql(pg_app):
    from ..support.world import console_world

    world = console_world()
    rhys = f.gen_note(world.interview, world.reviewer, "Assessments are waiting weeks; visiting families late.")
    other = f.gen_visit(world.review, [world.reviewer2], [], "staff_interview", at(world.day, 15))
    f.gen_note(other, world.reviewer2, "The manager spoke of QUIXOTIC budgets.")
    lay = f.gen_note(world.setting_visit, world.lay, "", kind="setting_observation",
                     prompts={"to_follow_up": "Ask about the broken lift."})
    db.session.commit()
    lead, rhys_client = signed_in(pg_app, world.lead), signed_in(pg_app, world.reviewer)
    assert hit(rhys) in found(lead, world, "visits")
    assert hit(rhys) in found(lead, world, '"waiting weeks"')
    assert hit(lay) in found(lead, world, "lift")
    assert "QUIXOTIC" in found(lead, world, "quixotic")
    assert "QUIXOTIC" not in found(rhys_client, world, "quixotic")
    for query in ['"', "NEAR(", "*", "!", "a & b | c", "-", "or", "'"]:
        found(lead, world, query)
    # The GIN index serves the search: the query's expression is the index's (no sequential scan when barred).
    db.session.execute(text("SET enable_seqscan = off"))
    condition = search.matches(parse_terms("waiting"))
    sql = str(select(Note.id).where(condition).compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = "\n".join(db.session.execute(text("EXPLAIN " + sql)).scalars())
    assert "notes_full_text" in plan, plan


def test_the_migration_and_create_all_build_the_same_search():
    """Migration 0008 keeps its own copy of the statements (a migration must not change when the code does): they
    must say what search.py says, or a migrated database would search differently from a test's."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0008_note_search.py"
    spec = importlib.util.spec_from_file_location("note_search_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.SQLITE_UP == search.SQLITE_DDL
    assert migration.POSTGRES_UP == search.POSTGRES_DDL
