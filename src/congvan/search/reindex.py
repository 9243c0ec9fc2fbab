"""Rebuilding the whole index with bounded memory: documents are taken by primary-key ranges (keyset, never
an OFFSET or a list of every id), one batch built, written and committed at a time, under a rich progress
bar on the terminal."""

from __future__ import annotations

import time

from django.db import connection

from congvan.documents.models import Document
from congvan.search import index


def run(*, full: bool = False, batch: int = 500, progress: bool = True) -> dict:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    started = time.monotonic()
    backend = index.backend()
    if full:
        backend.clear()
    total = Document.objects.count()
    written = seen = 0
    last = 0
    columns = [TextColumn("[bold]Chỉ mục tìm kiếm"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, disable=not progress, transient=False) as bar:
        task = bar.add_task("reindex", total=total)
        while True:
            ids = list(Document.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            written += index.update_documents(ids)
            seen += len(ids)
            last = ids[-1]
            bar.update(task, completed=seen)
        removed = _drop_orphans()
    backend.optimize()
    return {"documents": seen, "written": written, "removed": removed, "seconds": round(time.monotonic() - started, 1),
            "backend": connection.vendor}


def _drop_orphans() -> int:
    """Entries whose document is gone (deleted outside the app)."""
    with connection.cursor() as cursor:
        # NOT EXISTS, an anti-join: PostgreSQL runs NOT IN (subquery) row by row once the ids outgrow work_mem
        cursor.execute("SELECT e.document_id FROM search_entry e WHERE NOT EXISTS "
                       "(SELECT 1 FROM documents_document d WHERE d.id = e.document_id)")
        ids = [r[0] for r in cursor.fetchall()]
    index.delete_documents(ids)
    return len(ids)
