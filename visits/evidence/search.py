"""Full-text search of notes with the database's own engine, behind one query API.

- SQLite: an FTS5 table `note_search(note_id UNINDEXED, text)` (tokenize 'porter unicode61', so "visiting" finds
  "visit"), kept in step with notes.body and the text of notes.prompts by triggers on notes.
- PostgreSQL: `to_tsvector('english', ...) @@ websearch_to_tsquery('english', ...)` over the same text, served
  by a GIN expression index on notes.

Both are created by migration 0008_note_search and, for `db.create_all()` (the tests, the bench), by an
`after_create` event on the notes table below. People type plain words and "quoted phrases": their input is
never handed to the engine's query syntax as it is. Each word is reduced to letters and digits and quoted, so
`"`, `NEAR(`, `*` or `OR` are searched for as words, or not at all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import DDL, event, literal_column, select, text
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import Note

# How much a search may ask for: the words of one query, and the characters of one word.
MAX_TERMS = 12
MAX_WORD_LENGTH = 60

# The names this module adds to the schema. The migration/model comparisons leave them out: the models do not
# declare them (an FTS5 virtual table and its shadow tables; an expression index).
SQLITE_TABLE = "note_search"
POSTGRES_INDEX = "notes_full_text"


def is_search_object(name: str | None) -> bool:
    """For alembic's include_name/include_object: the FTS table, its shadow tables and the GIN index."""
    return bool(name) and (name == SQLITE_TABLE or name.startswith(SQLITE_TABLE + "_") or name == POSTGRES_INDEX)


# --- the schema --------------------------------------------------------------------------------------------
# The searchable text of a note: its body and every string of its prompts (json_tree walks nested answers too).
_SQLITE_NOTE_TEXT = ("coalesce({row}.body, '') || ' ' || coalesce((SELECT group_concat(value, ' ') "
                     "FROM json_tree({row}.prompts) WHERE type = 'text'), '')")

SQLITE_DDL: tuple[str, ...] = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5("
    "note_id UNINDEXED, text, tokenize = 'porter unicode61')",
    f"CREATE TRIGGER IF NOT EXISTS note_search_insert AFTER INSERT ON notes BEGIN "
    f"INSERT INTO {SQLITE_TABLE} (note_id, text) VALUES (new.id, {_SQLITE_NOTE_TEXT.format(row='new')}); END",
    f"CREATE TRIGGER IF NOT EXISTS note_search_update AFTER UPDATE OF body, prompts ON notes BEGIN "
    f"DELETE FROM {SQLITE_TABLE} WHERE note_id = old.id; "
    f"INSERT INTO {SQLITE_TABLE} (note_id, text) VALUES (new.id, {_SQLITE_NOTE_TEXT.format(row='new')}); END",
    f"CREATE TRIGGER IF NOT EXISTS note_search_delete AFTER DELETE ON notes BEGIN "
    f"DELETE FROM {SQLITE_TABLE} WHERE note_id = old.id; END",
    # Notes already there (the migration on a database in use).
    f"INSERT INTO {SQLITE_TABLE} (note_id, text) SELECT id, {_SQLITE_NOTE_TEXT.format(row='notes')} FROM notes",
)

# The document PostgreSQL searches. The query below repeats it exactly, so the planner uses the index.
POSTGRES_DOCUMENT = ("(to_tsvector('english', coalesce(body, '')) || "
                     "to_tsvector('english', coalesce(prompts, '{}'::json)))")
POSTGRES_DDL: tuple[str, ...] = (
    f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON notes USING gin ({POSTGRES_DOCUMENT})",
)

for _statement in SQLITE_DDL:
    event.listen(Note.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_DDL:
    event.listen(Note.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
# db.drop_all() drops notes (and its triggers); the FTS table goes with it.
event.listen(Note.__table__, "after_drop",
             DDL(f"DROP TABLE IF EXISTS {SQLITE_TABLE}").execute_if(dialect="sqlite"))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


# --- what people type --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchTerms:
    """A query as words and phrases: each a tuple of plain words (letters and digits only)."""

    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.phrases)

    @property
    def words(self) -> list[str]:
        return [word for phrase in self.phrases for word in phrase]

    def quoted(self) -> str:
        """Every word or phrase in double quotes, side by side: all of them must be found. Safe as an FTS5 MATCH
        string and as websearch_to_tsquery's input (the words hold no quote, operator or bracket)."""
        return " ".join('"' + " ".join(phrase) + '"' for phrase in self.phrases)


_CHUNK = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"\w+", re.UNICODE)


def parse_terms(query: str) -> SearchTerms:
    """Plain words and "quoted phrases"; anything that is not a letter or a digit separates words. At most
    MAX_TERMS words are kept, each cut to MAX_WORD_LENGTH characters."""
    phrases: list[tuple[str, ...]] = []
    budget = MAX_TERMS
    for quoted, bare in _CHUNK.findall(query or ""):
        words = [w[:MAX_WORD_LENGTH] for w in _WORD.findall(quoted if quoted else bare)]
        if quoted:
            words = words[:budget]
            if words:
                phrases.append(tuple(words))
                budget -= len(words)
        else:
            for word in words[:budget]:
                phrases.append((word,))
                budget -= 1
        if budget <= 0:
            break
    return SearchTerms(tuple(phrases))


def matches(terms: SearchTerms) -> ColumnElement[bool]:
    """A condition on notes: the note's text holds every word and phrase (stemmed: "visits" finds "visiting")."""
    if _dialect() == "postgresql":
        condition = text(f"{POSTGRES_DOCUMENT} @@ websearch_to_tsquery('english', :evidence_query)").bindparams(
            evidence_query=terms.quoted())
        # Asked on its own (OFFSET 0 keeps PostgreSQL from folding it into the outer query), the search is answered
        # from the GIN index. Folded in, the planner may rather work out the text of each note of the review's
        # visits, one by one: 40 ms for 500 notes and growing with them, against a few ms from the index.
        return Note.id.in_(select(literal_column("id")).select_from(text("notes")).where(condition).offset(0))
    found = (select(literal_column("note_id")).select_from(text(SQLITE_TABLE))
             .where(text(f"{SQLITE_TABLE} MATCH :evidence_query").bindparams(evidence_query=terms.quoted())))
    return Note.id.in_(found)


# --- showing a hit -----------------------------------------------------------------------------------------

_SUFFIXES = ("ational", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "ies", "ied", "ed", "es",
             "ly", "s", "e", "y")


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _pattern(terms: SearchTerms):
    stems = sorted({_stem(word) for word in terms.words}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE | re.UNICODE)


def excerpt(body: str, terms: SearchTerms, width: int = 240) -> Markup:
    """A short piece of the text around the first word found, escaped, with the words found in <mark>. Without
    terms (or no word found), the text's beginning."""
    body = " ".join((body or "").split())
    pattern = _pattern(terms) if terms else None
    first = pattern.search(body) if pattern else None
    start = 0
    if first and first.start() > width // 3:
        start = body.rfind(" ", 0, first.start() - width // 3) + 1
    end = min(len(body), start + width)
    if end < len(body):
        end = body.rfind(" ", start, end) if body.rfind(" ", start, end) > start else end
    piece = body[start:end]
    out = Markup("…" if start > 0 else "")
    position = 0
    for found in (pattern.finditer(piece) if pattern else ()):
        out += escape(piece[position:found.start()]) + Markup("<mark>") + escape(found.group(0)) + Markup("</mark>")
        position = found.end()
    out += escape(piece[position:])
    if end < len(body):
        out += Markup("…")
    return out
