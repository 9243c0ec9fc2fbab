"""What keeps search fast over a million documents, on both backends (make test runs these again on
PostgreSQL), exercised with shards (SQLite) and recency blocks (PostgreSQL) of two document ids, so that a
handful of documents spreads over many of them: results, order, paging, totals and filters stay those of
one big index; and an index made by the first version of the search converts in place.

(Relevance itself is tested with the normal shard size: bm25 over a shard of two documents, where every
word is in half of them, has no statistics to rank with.)"""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from congvan.documents import services as documents
from congvan.documents.models import Document
from congvan.search import index, scope
from congvan.search.backends import ddl, sqlite
from congvan.search.service import Filters, search

pytestmark = pytest.mark.postgres

SENDER, RECIPIENT = "ubndtinh", "000.05.00.H21"


@pytest.fixture
def small_blocks(monkeypatch, db):
    monkeypatch.setattr(sqlite, "SHARD", 2)
    monkeypatch.setattr(scope, "RECENCY_BLOCK", 2)
    index.backend().clear()  # the shards of the normal size go (the test's transaction brings them back)


@pytest.fixture
def small_recency_blocks(monkeypatch):
    monkeypatch.setattr(scope, "RECENCY_BLOCK", 2)


@pytest.fixture
def drafter(person):
    return person(f"chuyenvien.{SENDER}")


def draft(drafter, subject, summary="", doc_type="CV"):
    return documents.create_draft(drafter, doc_type=doc_type, subject=subject, summary=summary,
                                  recipients=[RECIPIENT])


def ids(hits):
    return [hit.document.pk for hit in hits]


def test_newest_first_pages_and_totals_across_shards(small_blocks, drafter, person, settings):
    made = [draft(drafter, f"Kế hoạch trồng rừng phòng hộ đợt {i}").pk for i in range(9)]
    draft(drafter, "Báo cáo thu ngân sách")
    pages = [search(drafter, "trong rung", sort="newest", page=p, per_page=4) for p in (1, 2, 3)]
    assert [r.total for r in pages] == [9, 9, 9] and all(r.total_exact for r in pages)
    assert [ids(r.hits) for r in pages] == [made[::-1][:4], made[::-1][4:8], made[:1]]
    assert search(person(f"chuyenvien2.{SENDER}"), "trong rung").total == 0  # someone else's drafts

    settings.SEARCH_COUNT_LIMIT = 5
    for sort in ("newest", "relevance"):
        capped = search(drafter, "trong rung", sort=sort)
        assert (capped.total, capped.total_exact) == (5, False)


def test_relevance_ranks_the_most_recent_matches(small_recency_blocks, drafter, settings):
    settings.SEARCH_CANDIDATES = 5
    older = draft(drafter, "Về việc bảo vệ rừng đầu nguồn")  # best, but not among the five most recent
    in_subject = draft(drafter, "Quy chế bảo vệ rừng").pk
    in_summary = [draft(drafter, f"Thông báo số {i}", summary="Tuần tra bảo vệ rừng trên địa bàn").pk for i in range(4)]
    results = search(drafter, "bao ve rung", per_page=20)
    assert results.total == 6 and results.windowed
    assert ids(results.hits)[0] == in_subject
    assert set(ids(results.hits)) == {in_subject, *in_summary} and older.pk not in ids(results.hits)
    assert results.hits[0].score > results.hits[1].score > 0
    assert "<mark>bảo</mark> <mark>vệ</mark> <mark>rừng</mark>" in results.hits[0].subject_html
    assert ids(search(drafter, "bao ve rung", sort="newest", per_page=20).hits)[-1] == older.pk


def test_filters_and_edits_across_shards(small_blocks, drafter):
    plans = [draft(drafter, f"Kế hoạch phòng cháy chữa cháy số {i}", doc_type="KH").pk for i in range(3)]
    notices = [draft(drafter, f"Thông báo phòng cháy chữa cháy số {i}", doc_type="TB").pk for i in range(3)]
    everything = {hit.document.pk for hit in search(drafter, "phong chay", per_page=50).hits}
    assert everything == set(plans + notices)
    assert set(ids(search(drafter, "phong chay", Filters(doc_type="KH")).hits)) == set(plans)
    assert set(ids(search(drafter, "", Filters(doc_type="TB")).hits)) == set(notices)
    assert ids(search(drafter, "phong chay", Filters(agency="000.05.00.H21")).hits) == []  # issued by ubndtinh

    first = Document.objects.get(pk=plans[0])
    documents.update_draft(drafter, first, subject="Kế hoạch diễn tập cứu nạn")
    assert plans[0] not in ids(search(drafter, "phong chay", per_page=50).hits)
    assert ids(search(drafter, "dien tap cuu nan").hits) == [plans[0]]


def test_an_index_of_the_first_version_converts_in_place(drafter):
    """Migration 0002 on an index written by 0001: no filter tokens, and on SQLite one FTS5 table."""
    document = draft(drafter, "Quy chế phối hợp phòng, chống thiên tai", doc_type="QĐ")
    with connection.cursor() as cursor:
        cursor.execute("SELECT scope FROM search_entry WHERE document_id = %s", [document.pk])
        tokens = cursor.fetchone()[0].split()
        assert {"tyqd", f"ag{document.agency_id}", f"rc{document.pk // scope.RECENCY_BLOCK}"} <= set(tokens)
        cursor.execute("UPDATE search_entry SET scope = %s WHERE document_id = %s",
                       [" ".join(t for t in tokens if t[:2] not in ("ag", "ty", "rc")), document.pk])
    migration = importlib.import_module("congvan.search.migrations.0002_shards_and_filter_tokens")
    editor = SimpleNamespace(connection=connection)
    migration.sqlite_single_table(apps, editor)  # back to 0001's single FTS5 table (SQLite only)
    # the old index is not read (SQLite) or lacks the filter tokens (PostgreSQL)
    assert search(drafter, "thien tai", Filters(doc_type="QĐ")).total == 0

    migration.add_tokens(apps, editor)
    migration.sqlite_shards(apps, editor)
    assert ids(search(drafter, "thien tai", Filters(doc_type="QĐ")).hits) == [document.pk]
    assert ids(search(drafter, '"phong chong thien tai"').hits) == [document.pk]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'search_fts'")
            assert cursor.fetchone()[0] == 0
            table = ddl.sqlite_shard_table(sqlite.shard_of(document.pk))
            cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
