"""Digitisation use cases: take in a file (classify it, read its text, queue OCR), run and retry OCR.

``ingest_file`` is the one function every place that adds a file calls (drafts, Word conversion, signed
versions, exchange arrivals, mail intake, bulk import). It never fails the caller: a file that cannot be read
stays "not classified" and the reason is logged.
"""

import io
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvan import audit
from congvan.archive import pdf as pdfreader
from congvan.archive.models import FileText, OcrJob
from congvan.archive.ocr import OcrFailed, OcrOptions, ocr
from congvan.directory.models import Person, Role
from congvan.documents import storage
from congvan.documents.models import Document, DocumentFile, FileOrigin
from congvan.errors import Forbidden, InvalidState, ServiceError

log = logging.getLogger(__name__)

PDF = "application/pdf"
WORD_EXTENSIONS = (".docx", ".doc", ".odt", ".rtf")
BORN_DIGITAL_TYPES = ("vnd.openxmlformats", "msword", "opendocument", "ms-excel", "rtf")
# Documents whose signed content is not made yet: their scanned main file may be replaced by its OCR copy.
BEFORE_SIGNING = (Document.State.DRAFT, Document.State.RETURNED, Document.State.SUBMITTED, Document.State.APPROVED)


class OcrPending(ServiceError):
    code = "ocr_pending"
    http_status = 409
    default_message = _("Bản quét đang được nhận dạng chữ (OCR). Hãy ký số sau khi nhận dạng xong, để bản ký "
                        "có lớp chữ tra cứu được (thường trong vài phút).")


def is_image(document_file: DocumentFile) -> bool:
    return document_file.content_type in pdfreader.IMAGE_TYPES


def _reindex(document_id: int) -> None:
    from congvan.search import index

    index.update_documents([document_id])


def ingest_file(document_file: DocumentFile, *, inherit_from: DocumentFile | None = None) -> DocumentFile:
    """Classify a newly added file (born digital / scan with text / scan of images), keep its text for
    search, queue OCR for a scan of images, and bring the document's search entry up to date.

    ``inherit_from``: the file this one was made from without changing what the page shows (a signed
    version): the origin is the source's and so is its text when the new file reads no better."""
    try:
        with transaction.atomic():
            _classify(document_file, inherit_from)
    except Exception:  # a hostile or broken file must not break the upload, the arrival or the import
        log.warning("ingest of file %s (%s) failed", document_file.pk, document_file.name, exc_info=True)
    _reindex(document_file.document_id)
    return document_file


def _classify(document_file: DocumentFile, inherit_from: DocumentFile | None) -> None:
    blob = document_file.blob
    name = document_file.name.lower()
    origin, text, method, pages, fonts, needs_ocr = FileOrigin.UNKNOWN, "", FileText.Method.NONE, None, [], False
    max_chars = settings.SEARCH_MAX_TEXT
    if document_file.content_type == PDF or name.endswith(".pdf"):
        reading = pdfreader.read_pdf(storage.read_verified(blob), max_chars=max_chars)
        origin = FileOrigin.BORN_DIGITAL if reading.origin == pdfreader.EMPTY else reading.origin
        text, method, pages, fonts = reading.text, FileText.Method.TEXT_LAYER, reading.page_count, reading.legacy_fonts
        needs_ocr = reading.needs_ocr
    elif is_image(document_file):
        origin, needs_ocr = FileOrigin.SCANNED_IMAGE, True
    elif name.endswith(WORD_EXTENSIONS) or any(t in document_file.content_type for t in BORN_DIGITAL_TYPES):
        origin = FileOrigin.BORN_DIGITAL
        if name.endswith(".docx"):
            from congvan.text.detect import scheme_of_font
            from congvan.text.word import docx_fonts, docx_text

            data = storage.read_verified(blob)
            text, method = docx_text(data)[:max_chars], FileText.Method.WORD
            fonts = [f for f in docx_fonts(data) if scheme_of_font(f)]
    if inherit_from is not None:
        origin = inherit_from.origin or origin
        source_text = FileText.objects.filter(blob_id=inherit_from.blob_id).first()
        if source_text is not None and len(source_text.text) > len(text):
            text, method = source_text.text, source_text.method
        needs_ocr = needs_ocr and not OcrJob.objects.filter(file=inherit_from).exists()
    if origin != document_file.origin:
        document_file.origin = origin
        document_file.save(update_fields=["origin"])  # a save, not an update: the reports count scans
    existing = FileText.objects.filter(blob=blob).first()
    if existing is None or existing.method != FileText.Method.OCR or text:
        FileText.objects.update_or_create(blob=blob, defaults={
            "text": text, "method": method if text else FileText.Method.NONE, "pages": pages,
            "legacy_fonts": ", ".join(fonts)[:255]})
    if needs_ocr and settings.OCR_ENABLED:
        queue_ocr(document_file)


def queue_ocr(document_file: DocumentFile) -> OcrJob:
    """Put the file in the OCR queue (once per file); the worker picks it up after the commit."""
    job, created = OcrJob.objects.get_or_create(file=document_file)
    if created or job.state == OcrJob.State.FAILED:
        job.state, job.reason = OcrJob.State.WAITING, ""
        job.save(update_fields=["state", "reason"])
        _enqueue(job)
    return job


def _enqueue(job: OcrJob) -> None:
    from congvan.archive.tasks import run_ocr

    transaction.on_commit(lambda: run_ocr.enqueue(job.pk))


def ocr_options() -> OcrOptions:
    return OcrOptions(languages=settings.OCR_LANGUAGES, timeout=settings.OCR_TIMEOUT, jobs=settings.OCR_JOBS)


def _is_signed(blob, data: bytes) -> bool:
    from congvan.signing.models import FileSignatureCheck

    check = FileSignatureCheck.objects.filter(blob=blob).first()
    return bool(check and check.signature_count) or b"/ByteRange" in data


def run_ocr_job(job_id: int) -> OcrJob:
    """Run one OCR job (worker side). A failure is recorded with its reason; nothing else changes."""
    with transaction.atomic():
        job = OcrJob.objects.select_for_update().select_related("file__blob", "file__document").get(pk=job_id)
        if job.state in (OcrJob.State.DONE, OcrJob.State.RUNNING):
            return job
        job.state, job.started_at, job.attempts = OcrJob.State.RUNNING, timezone.now(), job.attempts + 1
        job.reason = job.detail = ""
        job.save(update_fields=["state", "started_at", "attempts", "reason", "detail"])
    source = job.file
    try:
        data = storage.read_verified(source.blob)
        output = ocr(data, is_image=is_image(source), signed=not is_image(source) and _is_signed(source.blob, data),
                     options=ocr_options())
        reading = pdfreader.read_pdf(output, max_chars=settings.SEARCH_MAX_TEXT)
    except (OcrFailed, storage.BlobCorrupted, FileNotFoundError, pdfreader.UnreadablePdf) as exc:
        reason = getattr(exc, "reason", None) or str(getattr(exc, "message", "") or exc)
        with transaction.atomic():
            OcrJob.objects.filter(pk=job.pk).update(state=OcrJob.State.FAILED, reason=str(reason)[:1000],
                                                    detail=str(getattr(exc, "detail", ""))[-4000:],
                                                    finished_at=timezone.now())
            audit.record("archive.ocr_failed", obj=source.document, agency=source.document.agency,
                         file=source.pk, name=source.name, reason=str(reason)[:300])
        log.warning("OCR of file %s failed: %s", source.pk, reason)
        job.refresh_from_db()
        return job
    with transaction.atomic():
        job = OcrJob.objects.select_for_update().select_related("file__document").get(pk=job.pk)
        blob = storage.store_stream(io.BytesIO(output), max_size=max(len(output), 1))
        FileText.objects.update_or_create(blob=source.blob, defaults={
            "text": reading.text, "method": FileText.Method.OCR, "pages": reading.page_count})
        FileText.objects.update_or_create(blob=blob, defaults={
            "text": reading.text, "method": FileText.Method.OCR, "pages": reading.page_count})
        job.output, job.pages, job.finished_at = blob, reading.page_count, timezone.now()
        job.state = OcrJob.State.DONE
        job.output_file = _replace_main_before_signing(source, blob)
        job.save(update_fields=["output", "pages", "finished_at", "state", "output_file"])
        audit.record("archive.ocr_done", obj=source.document, agency=source.document.agency, file=source.pk,
                     sha256=blob.sha256, pages=reading.page_count, chars=len(reading.text),
                     became_main=job.output_file_id is not None)
    _reindex(source.document_id)
    return job


def _replace_main_before_signing(source: DocumentFile, blob) -> DocumentFile | None:
    """OCR before signing: the OCR copy of a draft's scanned main file becomes the main file, so the leader
    signs the searchable copy. Never for a signed file, an issued or received document, or a scan that is no
    longer the document's latest main file."""
    from congvan.signing.models import FileSignatureCheck, Signature

    document = source.document
    if source.role != DocumentFile.Role.MAIN or document.state not in BEFORE_SIGNING:
        return None
    latest = document.files.filter(role=DocumentFile.Role.MAIN).order_by("-added_at", "-id").first()
    if latest is None or latest.pk != source.pk or Signature.objects.filter(document=document).exists():
        return None
    check = FileSignatureCheck.objects.filter(blob=source.blob).first()
    if check is not None and check.signature_count:
        return None
    copy = DocumentFile.objects.create(document=document, blob=blob, name=source.name, content_type=PDF,
                                       role=DocumentFile.Role.MAIN, converted_from=source, added_by=source.added_by,
                                       origin=FileOrigin.SCANNED_TEXT)
    from congvan.signing.services import check_blob

    check_blob(blob)
    return copy


def require_ocr_finished(files) -> None:
    """Signing waits for OCR: a scanned file whose OCR is waiting or running is not signed yet (the signed
    file would have no text layer, and a signed file can no longer be given one)."""
    pending = OcrJob.objects.filter(file__in=list(files), state__in=[OcrJob.State.WAITING, OcrJob.State.RUNNING])
    names = list(pending.values_list("file__name", flat=True))
    if names:
        raise OcrPending(detail={"files": names})


def _may_manage(person: Person, document: Document) -> bool:
    if person.is_operator or document.created_by_id == person.pk:
        return True
    roles = person.roles()
    if not roles & {Role.CLERK, Role.ADMIN, Role.LEADER}:
        return False
    if document.agency_id == person.agency_id:
        return True
    return document.incoming_items.filter(agency_id=person.agency_id).exists()


STALE_AFTER = 2  # a job running for twice the OCR timeout lost its worker: it may be started again


@transaction.atomic
def retry_ocr(person: Person, job: OcrJob) -> OcrJob:
    """Start a failed (or abandoned) OCR job again: the drafter, clerks, leaders and admins of the agency
    (or of an agency that received it), the operator."""
    job = OcrJob.objects.select_for_update().select_related("file__document").get(pk=job.pk)
    if not _may_manage(person, job.file.document):
        raise Forbidden()
    stale = job.state == OcrJob.State.RUNNING and job.started_at and \
        (timezone.now() - job.started_at).total_seconds() > STALE_AFTER * settings.OCR_TIMEOUT
    if job.state != OcrJob.State.FAILED and not stale:
        raise InvalidState(_("Chỉ nhận dạng lại được tệp bị lỗi."))
    job.state, job.reason, job.detail = OcrJob.State.WAITING, "", ""
    job.save(update_fields=["state", "reason", "detail"])
    audit.record("archive.ocr_retry", actor=person, obj=job.file.document, file=job.file_id)
    _enqueue(job)
    return job
