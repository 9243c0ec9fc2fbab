"""Queries of the digitisation page: the OCR queue a person may see, and the share of scans per agency.

The plan keeps scanned documents under half of the electronic ones: for each agency, of the documents it
holds (issued by it, or received) with a main file, those whose main file is a scan (with or without a text
layer) against those born digital."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from congvan.archive.models import OcrJob
from congvan.directory.models import Agency, Person
from congvan.documents.models import DocumentFile, FileOrigin
from congvan.workflow import access

SCANS = (FileOrigin.SCANNED_TEXT, FileOrigin.SCANNED_IMAGE)
SCAN_LIMIT = 0.5  # scans must stay under half of the electronic documents


def ocr_jobs(person: Person):
    """OCR jobs of the files the person may open (every job for the province operator)."""
    jobs = OcrJob.objects.select_related("file__document__agency", "file__document__doc_type")
    if person.is_operator:
        return jobs
    return jobs.filter(file__document__in=access.visible_documents(person))


def ocr_counts(jobs) -> dict[str, int]:
    counts = dict(jobs.order_by().values_list("state").annotate(n=Count("id")))
    return {state: counts.get(state, 0) for state in OcrJob.State.values}


def get_job(person: Person, pk) -> OcrJob:
    from congvan.errors import NotFound

    try:
        return ocr_jobs(person).get(pk=pk)
    except (OcrJob.DoesNotExist, ValueError, TypeError):
        raise NotFound()


@dataclass
class AgencyShare:
    agency: Agency
    documents: int  # with a main file
    scanned: int

    @property
    def born_digital(self) -> int:
        return self.documents - self.scanned

    @property
    def ratio(self) -> float | None:
        """Scans per born-digital document (the plan: below 0.5)."""
        return self.scanned / self.born_digital if self.born_digital else None

    @property
    def over_limit(self) -> bool:
        return self.scanned > 0 and (self.ratio is None or self.ratio >= SCAN_LIMIT)


def scan_shares(person: Person, year: int | None = None) -> list[AgencyShare]:
    """Per agency (all of them for the operator, else the person's own): documents held and scans among them."""
    mains = DocumentFile.objects.filter(role=DocumentFile.Role.MAIN)
    if year:
        mains = mains.filter(document__created_at__year=year)
    scanned = Count("document_id", distinct=True, filter=Q(origin__in=SCANS))
    total = Count("document_id", distinct=True)
    agencies = Agency.objects.filter(is_local=True)
    if not person.is_operator:
        agencies = agencies.filter(pk=person.agency_id)
    wanted = set(agencies.values_list("pk", flat=True))
    counts: dict[int, list[int]] = {}
    for key, rows in (("document__agency_id", mains.filter(document__agency_id__in=wanted)),
                      ("document__incoming_items__agency_id",
                       mains.filter(document__incoming_items__agency_id__in=wanted))):
        for agency_id, n, s in rows.values_list(key).annotate(n=total, s=scanned).order_by():
            pair = counts.setdefault(agency_id, [0, 0])
            pair[0] += n
            pair[1] += s
    return [AgencyShare(a, *counts.get(a.pk, [0, 0])) for a in agencies.order_by("name")]
