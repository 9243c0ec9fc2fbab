"""The database objects each backend needs beside the ``search_entry`` table, created by the migrations.

SQLite: FTS5 tables with *external content*, one per shard of ``SHARD`` document ids (see sqlite.py for
why): ``search_fts_N`` over the view ``search_fold_N``, which folds that range of entries with ``cv_fold``
(congvan.text.fold, registered on every connection), so the index holds folded words (đ→d included, which
FTS5's own remove_diacritics does not do) while the table keeps the accented original once.
``unicode61 remove_diacritics 2`` stays as a second safety net. Shards are created by the first write into
their range. The app writes the FTS rows itself (congvan.search.backends.sqlite), no triggers. (Migration
0001 made a single table, ``search_fts``; 0002 replaced it by the shards.)

PostgreSQL: ``unaccent`` and a ``vietnamese`` configuration (no stemming, no stop words: Vietnamese is
syllabic), a stored generated tsvector (subject A, meta B, body C, access tokens D) over the text with
ASCII punctuation turned into spaces (so 1468/UBND-VP gives the words 1468, ubnd, vp as in SQLite), and a
GIN index on it.
"""

PUNCTUATION = "/-.:,;_()[]{}<>\\\"'!?@#$%^&*+=|~`"
_SPACES = " " * len(PUNCTUATION)


def _pg_punct(column: str) -> str:
    quoted = PUNCTUATION.replace("'", "''")
    return f"translate({column}, '{quoted}', '{_SPACES}')"


SQLITE = [
    "CREATE VIEW search_entry_folded AS SELECT document_id, cv_fold(subject) AS subject, cv_fold(meta) AS meta, "
    "cv_fold(body) AS body, scope FROM search_entry",
    "CREATE VIRTUAL TABLE search_fts USING fts5(subject, meta, body, scope, content='search_entry_folded', "
    "content_rowid='document_id', tokenize=\"unicode61 remove_diacritics 2\")",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS search_fts", "DROP VIEW IF EXISTS search_entry_folded"]
SQLITE_TOKENIZER = "tokenize=\"unicode61 remove_diacritics 2\""


def sqlite_shard_table(shard: int) -> str:
    return f"search_fts_{int(shard)}"


def sqlite_shard(shard: int, size: int) -> list[str]:
    """The view and the FTS5 table of one shard: the entries of its ``size`` ids, and the second half of the
    previous shard's (``(shard - ½) * size <= document_id < (shard + 1) * size``)."""
    view = f"search_fold_{int(shard)}"
    low, high = max(0, int(shard) * size - size // 2), (int(shard) + 1) * size
    return [
        f"CREATE VIEW IF NOT EXISTS {view} AS SELECT document_id, cv_fold(subject) AS subject, cv_fold(meta) AS meta, "
        f"cv_fold(body) AS body, scope FROM search_entry WHERE document_id >= {low} AND document_id < {high}",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {sqlite_shard_table(shard)} USING fts5(subject, meta, body, scope, "
        f"content='{view}', content_rowid='document_id', {SQLITE_TOKENIZER})",
    ]


def sqlite_shard_drop(shard: int) -> list[str]:
    return [f"DROP TABLE IF EXISTS {sqlite_shard_table(shard)}", f"DROP VIEW IF EXISTS search_fold_{int(shard)}"]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'vietnamese') THEN "
    "CREATE TEXT SEARCH CONFIGURATION vietnamese (COPY = simple); "
    "ALTER TEXT SEARCH CONFIGURATION vietnamese ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, "
    "numhword, hword_asciipart, hword_part, hword_numpart WITH unaccent, simple; END IF; END $$",
    "ALTER TABLE search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('vietnamese'::regconfig, {_pg_punct('subject')}), 'A') || "
    f"setweight(to_tsvector('vietnamese'::regconfig, {_pg_punct('meta')}), 'B') || "
    f"setweight(to_tsvector('vietnamese'::regconfig, {_pg_punct('body')}), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, scope), 'D')) STORED",
    "CREATE INDEX search_entry_tsv ON search_entry USING gin (tsv)",
    "CREATE INDEX search_entry_agency_date ON search_entry (agency_id, doc_date)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS search_entry_tsv", "ALTER TABLE search_entry DROP COLUMN IF EXISTS tsv"]


def _run(schema_editor, statements: dict) -> None:
    with schema_editor.connection.cursor() as cursor:
        for statement in statements.get(schema_editor.connection.vendor, []):
            cursor.execute(statement)


def create(apps, schema_editor) -> None:
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})


def drop(apps, schema_editor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})
