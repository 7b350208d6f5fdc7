"""Indexes for the search box: "reference or title contains q", without reading every case.

The search is ``reference__icontains=q | title__icontains=q`` (``violations.selectors``). A
B-tree cannot serve a substring, so without these the list's count and page read the whole
table for every search.

* PostgreSQL: the ``pg_trgm`` extension and trigram GIN indexes on ``UPPER(reference)`` and
  ``UPPER(title)``, the expressions Django's ``icontains`` compares
  (``UPPER(col::text) LIKE UPPER('%q%')``), so the planner answers the search with two bitmap
  index scans.
* SQLite: an FTS5 table with the trigram tokenizer over the same two columns, kept in step
  with ``violations_case`` by triggers. ``selectors.case_search`` narrows the candidates with
  it and keeps the ``LIKE`` as the rule that decides, so results are the same as before.
  A later migration that makes Django rebuild the case table on SQLite (``AlterField`` and
  the like copy the rows to a new table and drop the old one with its triggers) must run
  ``create_sqlite_search`` again; ``tests/test_read_indexes.py`` fails if the triggers are gone.

Neither is part of the model state (both are specific to one database), so
``makemigrations`` has nothing to add.
"""

from django.db import migrations

SEARCH_TABLE = "violations_case_search"

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5(
        reference, title, content='violations_case', content_rowid='id', tokenize='trigram')""",
    f"""CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_insert AFTER INSERT ON violations_case
    BEGIN
        INSERT INTO {SEARCH_TABLE}(rowid, reference, title)
        VALUES (new.id, new.reference, new.title);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_delete AFTER DELETE ON violations_case
    BEGIN
        INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, reference, title)
        VALUES ('delete', old.id, old.reference, old.title);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_update AFTER UPDATE OF reference, title
    ON violations_case
    WHEN old.reference IS NOT new.reference OR old.title IS NOT new.title
    BEGIN
        INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, reference, title)
        VALUES ('delete', old.id, old.reference, old.title);
        INSERT INTO {SEARCH_TABLE}(rowid, reference, title)
        VALUES (new.id, new.reference, new.title);
    END""",
    # Index the cases that exist already (and repair the index after a table rebuild).
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')",
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_update",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
]


# The expressions must be the ones Django's icontains compares, or the planner cannot use them.
# (Plain SQL: ``OpClass`` around an expression needs django.contrib.postgres installed.)
PG_INDEXES = {
    "violations_case_ref_trgm": "UPPER(reference)",
    "violations_case_title_trgm": "UPPER(title)",
}


def create_sqlite_search(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def create_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # What django.contrib.postgres's TrigramExtension does, whose reverse is not limited
        # to PostgreSQL; unapplying leaves the extension (something else may use it).
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
        for name, expression in PG_INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON violations_case "
                f"USING gin (({expression}) gin_trgm_ops)", params=None)
    create_sqlite_search(apps, schema_editor)


def drop_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in PG_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("violations", "0005_case_reported_at_index")]

    operations = [migrations.RunPython(create_search_indexes, drop_search_indexes)]
