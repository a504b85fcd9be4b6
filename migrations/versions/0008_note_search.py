"""full-text search of notes (DESIGN section 12, the evidence page): on SQLite an FTS5 table note_search kept in
step with notes.body and the text of notes.prompts by triggers; on PostgreSQL a GIN index over the same text.

Neither is declared in the models (visits/evidence/search.py creates the same for db.create_all() through an
after_create event on notes): the migration/model comparisons leave them out (search.is_search_object).

Revision ID: 8d3f1e0f0008
Revises: 7c2e0d0e0007
Create Date: 2026-12-05 07:10:00

"""
from alembic import op


revision = '8d3f1e0f0008'
down_revision = '7c2e0d0e0007'
branch_labels = None
depends_on = None

# A note's searchable text: its body and every string of its prompts. Kept word for word as in search.py.
_NOTE_TEXT = ("coalesce({row}.body, '') || ' ' || coalesce((SELECT group_concat(value, ' ') "
              "FROM json_tree({row}.prompts) WHERE type = 'text'), '')")

SQLITE_UP = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS note_search USING fts5("
    "note_id UNINDEXED, text, tokenize = 'porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS note_search_insert AFTER INSERT ON notes BEGIN "
    f"INSERT INTO note_search (note_id, text) VALUES (new.id, {_NOTE_TEXT.format(row='new')}); END",
    "CREATE TRIGGER IF NOT EXISTS note_search_update AFTER UPDATE OF body, prompts ON notes BEGIN "
    "DELETE FROM note_search WHERE note_id = old.id; "
    f"INSERT INTO note_search (note_id, text) VALUES (new.id, {_NOTE_TEXT.format(row='new')}); END",
    "CREATE TRIGGER IF NOT EXISTS note_search_delete AFTER DELETE ON notes BEGIN "
    "DELETE FROM note_search WHERE note_id = old.id; END",
    f"INSERT INTO note_search (note_id, text) SELECT id, {_NOTE_TEXT.format(row='notes')} FROM notes",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS note_search_insert",
    "DROP TRIGGER IF EXISTS note_search_update",
    "DROP TRIGGER IF EXISTS note_search_delete",
    "DROP TABLE IF EXISTS note_search",
)
POSTGRES_UP = (
    "CREATE INDEX IF NOT EXISTS notes_full_text ON notes USING gin ("
    "(to_tsvector('english', coalesce(body, '')) || to_tsvector('english', coalesce(prompts, '{}'::json))))",
)
POSTGRES_DOWN = ("DROP INDEX IF EXISTS notes_full_text",)


def _run(statements):
    for statement in statements:
        op.execute(statement)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
