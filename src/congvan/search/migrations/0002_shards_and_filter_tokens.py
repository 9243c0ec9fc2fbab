"""Faster search at a million documents (docs/search.md): every entry gains its filter and recency tokens
(congvan.search.scope), and on SQLite the single FTS5 table becomes one table per shard of document ids
(congvan.search.backends.sqlite). Existing entries are converted in place, batch by batch, each batch
committed (about two minutes for a million entries on SQLite, ten on PostgreSQL, whose tsvector column is
computed again); nothing needs `congvan search reindex` afterwards."""

from django.db import migrations, transaction

BATCH = 5000


def _with_tokens(scope_text: str, document_id: int, agency_id: int, doc_type: str) -> str:
    from congvan.search import scope

    access = [t for t in (scope_text or "").split() if not t.startswith(("ag", "ty", "rc"))]
    return " ".join(access + scope.filter_tokens(document_id=document_id, agency_id=agency_id, doc_type=doc_type))


def add_tokens(apps, schema_editor) -> None:
    connection = schema_editor.connection
    last = -1
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT document_id, scope, agency_id, doc_type FROM search_entry WHERE document_id > %s "
                           "ORDER BY document_id LIMIT %s", [last, BATCH])
            rows = cursor.fetchall()
            if not rows:
                break
            updates = [(_with_tokens(s, i, a, t), i) for i, s, a, t in rows]
            cursor.executemany("UPDATE search_entry SET scope = %s WHERE document_id = %s",
                               [u for u, r in zip(updates, rows) if u[0] != r[1]])
            last = rows[-1][0]


def sqlite_shards(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    from congvan.search.backends import ddl, sqlite

    with connection.cursor() as cursor:
        for statement in ddl.SQLITE_DROP:
            cursor.execute(statement)
        for shard in sqlite.shards(cursor):  # left by an interrupted run of this migration
            for statement in ddl.sqlite_shard_drop(shard):
                cursor.execute(statement)
        size = sqlite.SHARD
        cursor.execute("SELECT DISTINCT document_id / %s FROM search_entry UNION SELECT DISTINCT document_id / %s + 1 "
                       "FROM search_entry WHERE document_id %% %s >= %s", [size, size, size, size // 2])
        numbers = sorted(r[0] for r in cursor.fetchall())
    for shard in numbers:
        table = ddl.sqlite_shard_table(shard)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for statement in ddl.sqlite_shard(shard, size):
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {table}(rowid, subject, meta, body, scope) "
                           f"SELECT document_id, subject, meta, body, scope FROM search_fold_{shard}")
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")


def sqlite_single_table(apps, schema_editor) -> None:
    """Back to migration 0001's single FTS5 table, rebuilt from the entries."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    from congvan.search.backends import ddl, sqlite

    with connection.cursor() as cursor:
        for shard in sqlite.shards(cursor):
            for statement in ddl.sqlite_shard_drop(shard):
                cursor.execute(statement)
        for statement in ddl.SQLITE:
            cursor.execute(statement)
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def fresh_statistics(apps, schema_editor) -> None:
    """PostgreSQL: VACUUM (every row was rewritten) and ANALYZE (the planner learns the new tokens);
    SQLite: ANALYZE."""
    from congvan.search import index

    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        index.backend().optimize()


class Migration(migrations.Migration):
    atomic = False  # committed batch by batch: a million entries would make one huge transaction

    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(add_tokens, migrations.RunPython.noop),
        migrations.RunPython(sqlite_shards, sqlite_single_table),
        migrations.RunPython(fresh_statistics, migrations.RunPython.noop),
    ]
