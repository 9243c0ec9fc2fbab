"""SQLite backend: FTS5 over the folded text of ``search_entry``, bm25 with the subject weighted above the rest.

**Shards.** The index is cut into shards by ranges of ``SHARD`` document ids: ``search_fts_0``,
``search_fts_1``… each an FTS5 table whose external content is a view folding its entries (see ddl.py).
FTS5's bm25 reads the whole posting list of every phrase of the query to count the documents that hold it,
on every query: over a million documents a common syllable ("chuyên", "văn", "số") costs tens of
milliseconds, whatever the page asks for. A shard bounds that work, so a query costs about the same at a
hundred thousand or ten million documents. bm25's statistics (document frequencies, average length) are
the shard's, as in any sharded search engine; so that a shard just begun does not rank its few documents
on their own, each shard also holds the second half of the previous range (half the entries are indexed
twice): the documents are always ranked among at least ``SHARD / 2`` others.

**A query** makes one pass per shard, newest first, for the ids of the matches in the shard's own range
(words, access tokens and filter tokens in one MATCH, most recent first, no ranking), and stops at
``count_limit`` + 1 matches. The most recent ``candidates`` of them are then ranked with bm25 on a MATCH of
the query's words alone (the access tokens are no phrase of bm25, so their posting lists are not read),
restricted to those rows.

The app writes the FTS rows: a changed entry first has its old rows deleted (FTS5's 'delete' command takes
the old folded values), then the new ones inserted, in one transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.db import connection, transaction

from congvan.search import query as q
from congvan.search import scope
from congvan.search.backends import ddl, filter_sql
from congvan.search.index import COLUMNS, Entry
from congvan.text import fold

WEIGHTS = "10.0, 4.0, 1.0, 0.0"  # subject, meta, body, scope
SHARD = 1 << 17  # document ids per shard (131 072); changing it needs `congvan search reindex --full`
_SHARD_TABLE = re.compile(r"search_fts_(\d+)")


def _fold(value):
    return fold(value) if isinstance(value, str) else value


def register_functions(sender, connection, **kwargs) -> None:
    """``cv_fold`` on every SQLite connection: the FTS5 content views call it (highlight, integrity-check)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("cv_fold", 1, _fold, deterministic=True)


def shard_of(document_id: int) -> int:
    """The shard whose own range holds this document (the one that finds and ranks it)."""
    return document_id // SHARD


def shards_holding(document_id: int) -> list[int]:
    """Its own shard, and the next one too for the second half of a range."""
    shard = shard_of(document_id)
    return [shard, shard + 1] if document_id % SHARD >= SHARD // 2 else [shard]


def shards(cursor) -> list[int]:
    """The shards that exist, newest first."""
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'search\\_fts\\_%' ESCAPE '\\'")
    return sorted((int(m.group(1)) for (name,) in cursor.fetchall() if (m := _SHARD_TABLE.fullmatch(name))),
                  reverse=True)


def _by_shard(ids) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i in ids:
        groups[shard_of(i)].append(i)
    return groups


def _old_rows(cursor, ids: list[int]) -> dict[int, tuple]:
    marks = ",".join(["%s"] * len(ids))
    cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM search_entry WHERE document_id IN ({marks})", ids)
    return {row[0]: row for row in cursor.fetchall()}


def _same(old: tuple, entry: Entry) -> bool:
    new = entry.row()
    return old[:7] == new[:7] and (old[7] or None) == (str(new[7]) if new[7] else None) and old[8:] == new[8:]


def _fts_rows(cursor, command: str, rows) -> None:
    """Insert (or, with the 'delete' command, remove) the folded rows into their shards."""
    groups: dict[int, list] = defaultdict(list)
    for r in rows:
        folded = (r[0], fold(r[1]), fold(r[2]), fold(r[3]), r[4])
        for shard in shards_holding(r[0]):
            groups[shard].append(folded)
    for shard, values in groups.items():
        table = ddl.sqlite_shard_table(shard)
        if command:
            cursor.executemany(f"INSERT INTO {table}({table}, rowid, subject, meta, body, scope) "
                               f"VALUES ('{command}', %s, %s, %s, %s, %s)", values)
        else:
            cursor.executemany(f"INSERT INTO {table}(rowid, subject, meta, body, scope) VALUES (%s, %s, %s, %s, %s)",
                               values)


def write(entries: list[Entry]) -> int:
    if not entries:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        old = _old_rows(cursor, [e.document_id for e in entries])
        changed = [e for e in entries if e.document_id not in old or not _same(old[e.document_id], e)]
        if not changed:
            return 0
        existing = set(shards(cursor))
        for shard in sorted({s for e in changed for s in shards_holding(e.document_id)} - existing):
            for statement in ddl.sqlite_shard(shard, SHARD):
                cursor.execute(statement)
        _fts_rows(cursor, "delete", [old[e.document_id] for e in changed if e.document_id in old])
        marks = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(f"INSERT OR REPLACE INTO search_entry ({', '.join(COLUMNS)}) VALUES ({marks})",
                           [e.row() for e in changed])
        _fts_rows(cursor, "", [(e.document_id, e.subject, e.meta, e.body, e.scope) for e in changed])
    return len(changed)


def delete(ids: list[int]) -> None:
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        old = _old_rows(cursor, ids)
        _fts_rows(cursor, "delete", list(old.values()))
        marks = ",".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM search_entry WHERE document_id IN ({marks})", ids)


def clear() -> None:
    """Empty the index: every shard dropped (the next writes create them again)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for shard in shards(cursor):
            for statement in ddl.sqlite_shard_drop(shard):
                cursor.execute(statement)
        cursor.execute("DELETE FROM search_entry")


def optimize() -> None:
    """Merge each shard's FTS segments, and give the query planner fresh statistics (sampled, so it takes
    seconds on millions of rows): without them SQLite may walk an agency's whole inbox to check twenty
    documents."""
    with connection.cursor() as cursor:
        for shard in shards(cursor):
            table = ddl.sqlite_shard_table(shard)
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


def match_expression(query: q.Query, tokens: list[str], required: list[str] = ()) -> str:
    """Words and access tokens (any of ``tokens``) and filter tokens (all of ``required``) as one MATCH."""
    parts = [] if query.empty else [f"({q.fts5_expression(query)})"]
    parts.append("(scope : (" + " OR ".join(f'"{t}"' for t in tokens) + "))")
    parts += [f'(scope : "{t}")' for t in required]
    return " AND ".join(parts)


def _matches(cursor, match: str, filters: dict, need: int) -> list[int]:
    """Ids of the ``need`` most recent matches, newest shard first (each in its own range)."""
    where, params = filter_sql(filters, "e.")
    found: list[int] = []
    for shard in shards(cursor):
        table = ddl.sqlite_shard_table(shard)
        join = f" JOIN search_entry e ON e.document_id = {table}.rowid" if where else ""
        cursor.execute(f"SELECT {table}.rowid FROM {table}{join} WHERE {table} MATCH %s AND {table}.rowid >= %s"
                       f"{where} ORDER BY {table}.rowid DESC LIMIT %s",
                       [match, shard * SHARD, *params, need - len(found)])
        found += [r[0] for r in cursor.fetchall()]
        if len(found) >= need:
            break
    return found


def _rank(cursor, query: q.Query, ids: list[int]) -> list[tuple[int, float]]:
    """bm25 of these documents (they match the query), best first: one statement per shard, on the words
    alone and only these rows (the rowid range lets FTS5 seek, the list keeps bm25 to these rows)."""
    words = q.fts5_expression(q.Query(required=query.required))
    ranked = []
    for shard, group in _by_shard(ids).items():
        table = ddl.sqlite_shard_table(shard)
        marks = ",".join(["%s"] * len(group))
        cursor.execute(f"SELECT rowid, bm25({table}, {WEIGHTS}) FROM {table} WHERE {table} MATCH %s "
                       f"AND rowid BETWEEN %s AND %s AND +rowid IN ({marks})",
                       [words, min(group), max(group), *group])
        ranked += cursor.fetchall()
    ranked.sort(key=lambda r: (r[1], -r[0]))
    return [(r[0], -r[1]) for r in ranked]


def search(query: q.Query, scope_tokens: list[str], filters: dict, *, candidates: int, ranked: bool,
           offset: int, limit: int, count_limit: int) -> tuple[int, list[tuple[int, float]]]:
    """(total, [(document_id, score)]) for one page. Ranked: bm25 over the ``candidates`` most recent
    matches, best first; else most recent first. The total is counted up to ``count_limit`` + 1."""
    match = match_expression(query, scope_tokens, scope.required_tokens(filters))
    with connection.cursor() as cursor:
        if ranked:
            found = _matches(cursor, match, filters, max(candidates, count_limit + 1))
            return len(found), _rank(cursor, query, found[:candidates])[offset:offset + limit]
        found = _matches(cursor, match, filters, max(offset + limit, count_limit + 1))
        return len(found), [(i, 0.0) for i in found[offset:offset + limit]]


def texts(ids: list[int]) -> dict[int, tuple[str, str]]:
    """(subject, body) of the entries, for the snippets."""
    if not ids:
        return {}
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT document_id, subject, body FROM search_entry WHERE document_id IN ({marks})", ids)
        return {r[0]: (r[1], r[2]) for r in cursor.fetchall()}
