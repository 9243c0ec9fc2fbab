"""PostgreSQL backend: the stored tsvector of ``search_entry`` (``vietnamese`` configuration with unaccent,
see ddl.py) and its GIN index; ts_rank over a bounded set of candidates (ranking tens of thousands of
matches takes seconds); ts_headline on the original accented text, for the page shown only.

**Newest first without reading every match.** A GIN index returns its matches as a bitmap of table rows,
in no useful order: to find the most recent ones PostgreSQL would read every matching row (nine thousand
for a common pair of words). Each entry therefore carries a recency token (``rc{N}``, its id's block of
``scope.RECENCY_BLOCK`` ids): a query first asks for the words, access tokens *and* the two newest blocks,
which the index intersects by itself, then widens to as many older blocks as the density found so far
says are needed, and only then to the rest of the table. Rows are read for the matches of the blocks
scanned, about as many as the page and the count need.
"""

from __future__ import annotations

import math

from django.db import connection, transaction

from congvan.search import highlight, scope
from congvan.search import query as q
from congvan.search.backends import filter_sql
from congvan.search.index import COLUMNS, Entry

WEIGHTS = "'{0.0, 0.1, 0.4, 1.0}'"  # D scope, C body, B meta, A subject
HEADLINE = (f"StartSel={highlight.START}, StopSel={highlight.STOP}, MaxWords=35, MinWords=15, MaxFragments=2, "
            "FragmentDelimiter=\" … \"")
SUBJECT_HEADLINE = f"StartSel={highlight.START}, StopSel={highlight.STOP}, HighlightAll=true"
FIRST_BLOCKS = 2  # recency blocks asked for first
SAFETY = 1.5  # a wider window than the density found says, so that one more pass is rarely needed


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
    """Empty the index. Outside a transaction (``congvan search reindex --full``) by TRUNCATE: the table and
    its GIN index start afresh, as compact as a first build — after a DELETE, the rebuilt rows would land
    in a table twice the size and a GIN index grown around the dead entries, and queries of frequent words
    measured 60 % slower. Inside one, DELETE: deferred foreign-key checks may be pending there."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_entry" if connection.in_atomic_block else "TRUNCATE search_entry")


def optimize() -> None:
    """After a rebuild: VACUUM empties the GIN index's pending list and marks the pages all-visible (what
    autovacuum would do later), ANALYZE gives the planner the new statistics."""
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            cursor.execute("ANALYZE search_entry")
        else:
            cursor.execute("VACUUM (ANALYZE) search_entry")


def _tsquery(query: q.Query, scope_tokens: list[str], required: list[str], blocks: range | None) -> tuple[str, list]:
    """The tsquery of a pass: words && (any access token) & every filter token & (any of the blocks).

    No weight restriction (:D) on the tokens: with one, the GIN index can no longer answer alone and every
    candidate row is read again to check it. A body that happened to contain "oc1" would only add a
    candidate, which the service's final access check removes."""
    tokens = "(" + " | ".join(f"'{t}'" for t in scope_tokens) + ")"
    tokens += "".join(f" & '{t}'" for t in required)
    if blocks is not None:
        tokens += " & (" + " | ".join(f"'{scope.block_token(b)}'" for b in blocks) + ")"
    if query.empty:
        return "to_tsquery('simple', %s)", [tokens]
    return "(to_tsquery('vietnamese', %s) && to_tsquery('simple', %s))", [q.tsquery_expression(query), tokens]


def _matches(cursor, query: q.Query, scope_tokens: list[str], filters: dict, need: int) -> list[int]:
    """Ids of the ``need`` most recent matches: the newest recency blocks first, widened as needed."""
    cursor.execute("SELECT max(document_id) FROM search_entry")
    newest = cursor.fetchone()[0]
    if newest is None:
        return []
    block = scope.RECENCY_BLOCK
    where, params = filter_sql(filters, "")
    required = scope.required_tokens(filters)
    found: list[int] = []
    low = newest // block + 1  # the oldest block scanned so far
    count = FIRST_BLOCKS
    while len(found) < need:
        if count < low / 2:  # a window of recent blocks…
            blocks: range | None = range(low - count, low)
            bound = ""
        else:  # …or, once it would be half of what is left, everything older than what was scanned
            blocks, bound = None, " AND document_id < %s"
        tsquery, qparams = _tsquery(query, scope_tokens, required, blocks)
        # OFFSET 0 keeps the planner from walking the primary key backwards and testing every row: the
        # bitmap of the index gives the matches, which are then sorted.
        cursor.execute(f"SELECT document_id FROM (SELECT document_id FROM search_entry WHERE tsv @@ {tsquery}"
                       f"{where}{bound} OFFSET 0) AS m ORDER BY document_id DESC LIMIT %s",
                       [*qparams, *params, *([low * block] if bound else []), need - len(found)])
        found += [r[0] for r in cursor.fetchall()]
        if blocks is None:
            break
        low -= count
        scanned = newest + 1 - low * block
        wanted = (need - len(found)) * scanned / len(found) * SAFETY if found else math.inf
        count = max(count, math.ceil(wanted / block)) if wanted != math.inf else low
    return found


def search(query: q.Query, scope_tokens: list[str], filters: dict, *, candidates: int, ranked: bool,
           offset: int, limit: int, count_limit: int) -> tuple[int, list[tuple[int, float]]]:
    """(total, [(document_id, score)]) for one page. Ranked: ts_rank over the ``candidates`` most recent
    matches, best first; else most recent first. The total is counted up to ``count_limit`` + 1."""
    with connection.cursor() as cursor:
        if not ranked:
            found = _matches(cursor, query, scope_tokens, filters, max(offset + limit, count_limit + 1))
            return len(found), [(i, 0.0) for i in found[offset:offset + limit]]
        found = _matches(cursor, query, scope_tokens, filters, max(candidates, count_limit + 1))
        cursor.execute(f"SELECT document_id, ts_rank({WEIGHTS}, tsv, to_tsquery('vietnamese', %s)) FROM search_entry "
                       "WHERE document_id = ANY(%s)", [q.tsquery_expression(q.Query(required=query.required)),
                                                        found[:candidates]])
        rows = sorted(cursor.fetchall(), key=lambda r: (-r[1], -r[0]))
        return len(found), [(r[0], float(r[1])) for r in rows[offset:offset + limit]]


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
