"""Keeping the search index: an entry per document built from the document, its current files' text, its
incoming items and their distributions; written by the backend of the database in use.

``update_documents`` is called by the signals (documents and incoming items saved), by ``ingest_file``
(a file added, OCR finished) and by ``congvan search reindex``; it builds entries for a batch of documents
with a fixed number of queries, whatever the batch size.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from congvan.text import fold

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BATCH = 500


@dataclass
class Entry:
    document_id: int
    subject: str
    meta: str
    body: str
    scope: str
    agency_id: int
    doc_type: str
    doc_date: object
    notation: str
    signer: str

    def row(self) -> tuple:
        return (self.document_id, self.subject, self.meta, self.body, self.scope, self.agency_id, self.doc_type,
                self.doc_date, self.notation, self.signer)


COLUMNS = ("document_id", "subject", "meta", "body", "scope", "agency_id", "doc_type", "doc_date", "notation",
           "signer")


def backend():
    if connection.vendor == "postgresql":
        from congvan.search.backends import postgres

        return postgres
    from congvan.search.backends import sqlite

    return sqlite


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text or "")


def _file_texts(document_ids: list[int]) -> dict[int, list[str]]:
    """Text of each document's current files: latest main file and annexes, without the versions a
    signed file replaced (as signing.selectors.current_files), a Word source only when nothing else reads."""
    from congvan.archive.models import FileText
    from congvan.documents.models import DocumentFile
    from congvan.signing.models import Signature

    rows = list(DocumentFile.objects.filter(document_id__in=document_ids)
                .values_list("id", "document_id", "role", "blob_id", "added_at").order_by("added_at", "id"))
    superseded = set(Signature.objects.filter(document_id__in=document_ids).values_list("source_id", flat=True))
    latest_main: dict[int, int] = {}
    for file_id, document_id, role, _blob, _at in rows:
        if role == DocumentFile.Role.MAIN:
            latest_main[document_id] = file_id
    chosen: dict[int, list[str]] = defaultdict(list)
    sources: dict[int, list[str]] = defaultdict(list)
    for file_id, document_id, role, blob_id, _at in rows:
        if file_id in superseded:
            continue
        if role == DocumentFile.Role.MAIN and latest_main.get(document_id) == file_id or \
                role == DocumentFile.Role.ANNEX:
            chosen[document_id].append(blob_id)
        elif role == DocumentFile.Role.SOURCE:
            sources[document_id].append(blob_id)
    blobs = {b for v in chosen.values() for b in v} | {b for v in sources.values() for b in v}
    texts = dict(FileText.objects.filter(blob_id__in=blobs).exclude(text="").values_list("blob_id", "text"))
    result: dict[int, list[str]] = {}
    for document_id in set(chosen) | set(sources):
        found = [texts[b] for b in chosen.get(document_id, []) if b in texts]
        if not found:
            found = [texts[b] for b in sources.get(document_id, []) if b in texts]
        result[document_id] = found
    return result


def build_entries(document_ids: list[int]) -> list[Entry]:
    from congvan.documents.models import Document
    from congvan.search import scope
    from congvan.workflow.models import Distribution, IncomingItem

    documents = list(Document.objects.filter(pk__in=document_ids).values(
        "id", "agency_id", "agency__name", "agency__short_name", "doc_type__code", "doc_type__name", "subject",
        "summary", "state", "secrecy", "created_by_id", "notation", "issued_at", "created_at", "signer_name",
        "signer_position", "recipients_note"))
    receiving: dict[int, set[int]] = defaultdict(set)
    for document_id, agency_id in IncomingItem.objects.filter(document_id__in=document_ids).exclude(
            state=IncomingItem.State.REVOKED).values_list("document_id", "agency_id"):
        receiving[document_id].add(agency_id)
    handed: dict[int, set[int]] = defaultdict(set)
    for document_id, person_id in Distribution.objects.filter(item__document_id__in=document_ids).exclude(
            item__state=IncomingItem.State.REVOKED).values_list("item__document_id", "person_id"):
        handed[document_id].add(person_id)
    texts = _file_texts(document_ids)
    limit = settings.SEARCH_MAX_TEXT
    entries = []
    for d in documents:
        moment = d["issued_at"] or d["created_at"]
        tokens = scope.document_tokens(agency_id=d["agency_id"], state=d["state"], secrecy=d["secrecy"],
                                       created_by_id=d["created_by_id"], receiving_agencies=receiving[d["id"]],
                                       handed_to=handed[d["id"]])
        meta = " ".join(p for p in (d["notation"], d["doc_type__name"], d["agency__short_name"], d["agency__name"],
                                    d["signer_position"], d["signer_name"]) if p)
        body = "\n".join(p for p in [d["summary"], d["recipients_note"], *texts.get(d["id"], [])] if p)
        tokens += scope.filter_tokens(document_id=d["id"], agency_id=d["agency_id"], doc_type=d["doc_type__code"])
        entries.append(Entry(
            document_id=d["id"], subject=_clean(d["subject"]), meta=_clean(meta), body=_clean(body)[:limit],
            scope=" ".join(tokens), agency_id=d["agency_id"], doc_type=d["doc_type__code"] or "",
            doc_date=timezone.localdate(moment) if moment else None, notation=fold(d["notation"] or "")[:60],
            signer=fold(d["signer_name"] or "")[:120]))
    return entries


def update_documents(document_ids) -> int:
    """Bring the entries of these documents up to date (documents that no longer exist are dropped)."""
    ids = sorted({int(i) for i in document_ids if i is not None})
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        entries = build_entries(batch)
        present = {e.document_id for e in entries}
        gone = [i for i in batch if i not in present]
        b = backend()
        if gone:
            b.delete(gone)
        written += b.write(entries)
    return written


def delete_documents(document_ids) -> None:
    backend().delete(sorted({int(i) for i in document_ids}))
