"""SQLite backend: FTS5 over the folded view of ``search_entry`` (see ddl.py), bm25 with the subject
weighted above the rest. The app writes the FTS rows: a changed entry first has its old row deleted
(FTS5's 'delete' command takes the old folded values), then the new one inserted, in one transaction."""

from __future__ import annotations

from django.db import connection, transaction

from congvan.search import query as q
from congvan.search.backends import filter_sql
from congvan.search.index import COLUMNS, Entry
from congvan.text import fold

WEIGHTS = "10.0, 4.0, 1.0, 0.0"  # subject, meta, body, scope


def _fold(value):
    return fold(value) if isinstance(value, str) else value


def register_functions(sender, connection, **kwargs) -> None:
    """``cv_fold`` on every SQLite connection: the FTS5 content view calls it (rebuild, integrity-check)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("cv_fold", 1, _fold, deterministic=True)


def _old_rows(cursor, ids: list[int]) -> dict[int, tuple]:
    marks = ",".join(["%s"] * len(ids))
    cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM search_entry WHERE document_id IN ({marks})", ids)
    return {row[0]: row for row in cursor.fetchall()}


def _same(old: tuple, entry: Entry) -> bool:
    new = entry.row()
    return old[:7] == new[:7] and (old[7] or None) == (str(new[7]) if new[7] else None) and old[8:] == new[8:]


def _fts_delete(cursor, rows) -> None:
    cursor.executemany(
        "INSERT INTO search_fts(search_fts, rowid, subject, meta, body, scope) VALUES ('delete', %s, %s, %s, %s, %s)",
        [(r[0], fold(r[1]), fold(r[2]), fold(r[3]), r[4]) for r in rows])


def write(entries: list[Entry]) -> int:
    if not entries:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        old = _old_rows(cursor, [e.document_id for e in entries])
        changed = [e for e in entries if e.document_id not in old or not _same(old[e.document_id], e)]
        if not changed:
            return 0
        _fts_delete(cursor, [old[e.document_id] for e in changed if e.document_id in old])
        marks = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(f"INSERT OR REPLACE INTO search_entry ({', '.join(COLUMNS)}) VALUES ({marks})",
                           [e.row() for e in changed])
        cursor.executemany("INSERT INTO search_fts(rowid, subject, meta, body, scope) VALUES (%s, %s, %s, %s, %s)",
                           [(e.document_id, fold(e.subject), fold(e.meta), fold(e.body), e.scope) for e in changed])
    return len(changed)


def delete(ids: list[int]) -> None:
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        old = _old_rows(cursor, ids)
        _fts_delete(cursor, list(old.values()))
        marks = ",".join(["%s"] * len(ids))
        cursor.execute(f"DELETE FROM search_entry WHERE document_id IN ({marks})", ids)


def clear() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
        cursor.execute("DELETE FROM search_entry")


def optimize() -> None:
    """Merge the FTS segments, and give the query planner fresh statistics (sampled, so it takes seconds on
    millions of rows): without them SQLite may walk an agency's whole inbox to check twenty documents."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


def match_expression(query: q.Query, scope_tokens: list[str]) -> str:
    scope = "scope : (" + " OR ".join(f'"{t}"' for t in scope_tokens) + ")"
    return scope if query.empty else f"({q.fts5_expression(query)}) AND ({scope})"


def search(query: q.Query, scope_tokens: list[str], filters: dict, *, candidates: int, ranked: bool,
           offset: int, limit: int, count_limit: int) -> tuple[int, list[tuple[int, float]]]:
    """(total, [(document_id, score)]) for one page. Ranked: bm25 over the ``candidates`` most recent
    matches, best first; else most recent first. The total is counted up to ``count_limit`` + 1."""
    match = match_expression(query, scope_tokens)
    where, params = filter_sql(filters, "e.")
    join = " JOIN search_entry e ON e.document_id = search_fts.rowid" if where else ""
    with connection.cursor() as cursor:
        if ranked:
            cursor.execute(f"SELECT search_fts.rowid, bm25(search_fts, {WEIGHTS}) FROM search_fts{join} "
                           f"WHERE search_fts MATCH %s{where} ORDER BY search_fts.rowid DESC LIMIT %s",
                           [match, *params, candidates])
            rows = cursor.fetchall()
            total = len(rows) if len(rows) < candidates else _count(cursor, join, where, match, params, count_limit)
            rows.sort(key=lambda r: (r[1], -r[0]))
            return total, [(r[0], -r[1]) for r in rows[offset:offset + limit]]
        cursor.execute(f"SELECT search_fts.rowid FROM search_fts{join} WHERE search_fts MATCH %s{where} "
                       "ORDER BY search_fts.rowid DESC LIMIT %s OFFSET %s", [match, *params, limit, offset])
        rows = cursor.fetchall()
        return _count(cursor, join, where, match, params, count_limit), [(r[0], 0.0) for r in rows]


def _count(cursor, join: str, where: str, match: str, params: list, cap: int) -> int:
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM search_fts{join} WHERE search_fts MATCH %s{where} LIMIT %s)",
                   [match, *params, cap + 1])
    return cursor.fetchone()[0]


def texts(ids: list[int]) -> dict[int, tuple[str, str]]:
    """(subject, body) of the entries, for the snippets."""
    if not ids:
        return {}
    marks = ",".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT document_id, subject, body FROM search_entry WHERE document_id IN ({marks})", ids)
        return {r[0]: (r[1], r[2]) for r in cursor.fetchall()}
