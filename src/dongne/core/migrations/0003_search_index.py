"""The database's own full-text index over SearchDocument (FTS5 on SQLite, GIN tsvector on PostgreSQL)."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE core_searchdocument_fts USING fts5(
        name_tokens, body_tokens, content='core_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER core_searchdoc_ai AFTER INSERT ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(rowid, name_tokens, body_tokens)
        VALUES (new.id, new.name_tokens, new.body_tokens); END""",
    """CREATE TRIGGER core_searchdoc_ad AFTER DELETE ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, name_tokens, body_tokens)
        VALUES ('delete', old.id, old.name_tokens, old.body_tokens); END""",
    """CREATE TRIGGER core_searchdoc_au AFTER UPDATE ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, name_tokens, body_tokens)
        VALUES ('delete', old.id, old.name_tokens, old.body_tokens);
        INSERT INTO core_searchdocument_fts(rowid, name_tokens, body_tokens)
        VALUES (new.id, new.name_tokens, new.body_tokens); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_searchdoc_au",
    "DROP TRIGGER IF EXISTS core_searchdoc_ad",
    "DROP TRIGGER IF EXISTS core_searchdoc_ai",
    "DROP TABLE IF EXISTS core_searchdocument_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE core_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(name_tokens, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(body_tokens, '')), 'B')) STORED""",
    "CREATE INDEX core_searchdoc_tsv ON core_searchdocument USING GIN (tsv)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS core_searchdoc_tsv",
    "ALTER TABLE core_searchdocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
