"""PostgreSQL backend: the stored tsvector of ``search_entry`` (``vietnamese`` configuration with unaccent,
see ddl.py) and its GIN index; ts_rank over a bounded set of candidates (ranking tens of thousands of
matches takes seconds); ts_headline on the original accented text for the snippets."""

from __future__ import annotations

from django.db import connection, transaction

from congvan.search import highlight
from congvan.search import query as q
from congvan.search.backends import filter_sql
from congvan.search.index import COLUMNS, Entry

WEIGHTS = "'{0.0, 0.1, 0.4, 1.0}'"  # D scope, C body, B meta, A subject
HEADLINE = (f"StartSel={highlight.START}, StopSel={highlight.STOP}, MaxWords=35, MinWords=15, MaxFragments=2, "
            "FragmentDelimiter=\" … \"")
SUBJECT_HEADLINE = f"StartSel={highlight.START}, StopSel={highlight.STOP}, HighlightAll=true"


def write(entries: list[Entry]) -> int:
    if not entries:
        return 0
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
    changed = " OR ".join(f"search_entry.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in COLUMNS[1:])
    marks = ", ".join(["%s"] * len(COLUMNS))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO search_entry ({', '.join(COLUMNS)}) VALUES ({marks}) "
                           f"ON CONFLICT (document_id) DO UPDATE SET {updates} WHERE {changed}",
                           [e.row() for e in entries])
    return len(entries)


def delete(ids: list[int]) -> None:
    if ids:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_entry WHERE document_id = ANY(%s)", [ids])


def clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_entry")  # not TRUNCATE: deferred foreign-key checks may be pending


def optimize() -> None:
    """After a rebuild: VACUUM empties the GIN index's pending list and marks the pages all-visible (what
    autovacuum would do later), ANALYZE gives the planner the new statistics."""
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute("ANALYZE search_entry")
        else:
            cursor.execute("VACUUM (ANALYZE) search_entry")


def _tsquery(query: q.Query, scope_tokens: list[str]) -> tuple[str, list]:
    # No weight restriction (:D) on the access tokens: with one, the GIN index can no longer answer alone and
    # every candidate row is read again to check it. A body that happened to contain "oc1" would only add a
    # candidate, which the service's final access check removes.
    scope = " | ".join(f"'{t}'" for t in scope_tokens)
    if query.empty:
        return "to_tsquery('simple', %s)", [scope]
    return "(to_tsquery('vietnamese', %s) && to_tsquery('simple', %s))", [q.tsquery_expression(query), scope]


def search(query: q.Query, scope_tokens: list[str], filters: dict, *, candidates: int, ranked: bool,
           offset: int, limit: int, count_limit: int) -> tuple[int, list[tuple[int, float]]]:
    tsquery, qparams = _tsquery(query, scope_tokens)
    where, params = filter_sql(filters, "")
    with connection.cursor() as cursor:
        if ranked:
            cursor.execute(f"SELECT e.document_id, ts_rank({WEIGHTS}, e.tsv, {tsquery}) FROM search_entry e JOIN ("
                           f"SELECT document_id FROM search_entry WHERE tsv @@ {tsquery}{where} "
                           "ORDER BY document_id DESC LIMIT %s) AS candidates USING (document_id)",
                           [*qparams, *qparams, *params, candidates])
            rows = cursor.fetchall()
            total = len(rows) if len(rows) < candidates else _count(cursor, tsquery, qparams, where, params,
                                                                         count_limit)
            rows.sort(key=lambda r: (-r[1], -r[0]))
            return total, [(r[0], float(r[1])) for r in rows[offset:offset + limit]]
        cursor.execute(f"SELECT document_id FROM search_entry WHERE tsv @@ {tsquery}{where} "
                       "ORDER BY document_id DESC LIMIT %s OFFSET %s", [*qparams, *params, limit, offset])
        rows = cursor.fetchall()
        return _count(cursor, tsquery, qparams, where, params, count_limit), [(r[0], 0.0) for r in rows]


def _count(cursor, tsquery: str, qparams: list, where: str, params: list, cap: int) -> int:
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM search_entry WHERE tsv @@ {tsquery}{where} LIMIT %s) AS m",
                   [*qparams, *params, cap + 1])
    return cursor.fetchone()[0]


def headlines(ids: list[int], query: q.Query) -> dict[int, tuple[str, str]]:
    """(subject, snippet) as safe HTML, the matched words of the original text marked by ts_headline."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        if query.empty:
            cursor.execute("SELECT document_id, subject, left(body, 240) FROM search_entry "
                           "WHERE document_id = ANY(%s)", [ids])
            return {r[0]: (highlight.highlight(r[1], set(), window=None), highlight.highlight(r[2], set()))
                    for r in cursor.fetchall()}
        tsquery = "to_tsquery('vietnamese', %s)"
        text = q.tsquery_expression(q.Query(required=query.required))
        cursor.execute(f"SELECT document_id, ts_headline('vietnamese', subject, {tsquery}, %s), "
                       f"ts_headline('vietnamese', left(body, 100000), {tsquery}, %s) FROM search_entry "
                       "WHERE document_id = ANY(%s)", [text, SUBJECT_HEADLINE, text, HEADLINE, ids])
        return {r[0]: (highlight.from_markers(r[1]), highlight.from_markers(r[2])) for r in cursor.fetchall()}
