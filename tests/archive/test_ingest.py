"""Ingest: files are classified when added, scans are queued for OCR, OCR happens before signing and never
replaces a signed or issued original; the index follows."""

import io

import pytest

from congvan.archive import services as archive
from congvan.archive.models import FileText, OcrJob
from congvan.documents import services as documents
from congvan.documents.models import DocumentFile, FileOrigin
from congvan.search.service import search
from congvan.signing.models import Signature
from congvan.workflow import outgoing
from tests.archive.scans import scanned_pdf
from tests.conftest import make_pdf
from tests.signing import flow_helpers
from tests.signing.flow_helpers import PASSPHRASE

fast_demo_pki, signing_demo = flow_helpers.fast_demo_pki, flow_helpers.signing_demo  # fixtures
SCAN_LINES = ["ỦY BAN NHÂN DÂN TỈNH GIA LAI", "Về việc kiểm kê rừng phòng hộ Kbang năm 2026"]


def _draft_with_scan(person):
    officer = person("chuyenvien.ubndtinh")
    draft = documents.create_draft(officer, doc_type="CV", subject="Công văn ký tay, bản quét",
                                   recipients=["000.05.00.H21"])
    scan = documents.add_file(officer, draft, "ban-quet.pdf", io.BytesIO(scanned_pdf(SCAN_LINES)))
    return officer, draft, scan


def test_files_are_classified_when_added(person):
    officer = person("chuyenvien.ubndtinh")
    draft = documents.create_draft(officer, doc_type="CV", subject="Phân loại tệp", recipients=[])
    born = documents.add_file(officer, draft, "dien-tu.pdf", io.BytesIO(make_pdf("Văn bản soạn trên máy")))
    image = documents.add_file(officer, draft, "anh.png", io.BytesIO(_png()), role="annex")
    scan = documents.add_file(officer, draft, "quet.pdf", io.BytesIO(scanned_pdf()), role="annex")
    origins = dict(DocumentFile.objects.filter(document=draft).values_list("name", "origin"))
    assert origins == {"dien-tu.pdf": FileOrigin.BORN_DIGITAL, "anh.png": FileOrigin.SCANNED_IMAGE,
                       "quet.pdf": FileOrigin.SCANNED_IMAGE}
    assert "Văn bản soạn trên máy" in FileText.objects.get(blob=born.blob).text
    assert set(OcrJob.objects.values_list("file_id", flat=True)) == {image.pk, scan.pk}
    assert all(j.state == OcrJob.State.WAITING for j in OcrJob.objects.all())


def _png() -> bytes:
    from tests.archive.scans import png, render

    return png(render(["Ảnh chụp công văn"]))


def test_ocr_before_signing(person, signing_demo):
    officer, draft, scan = _draft_with_scan(person)
    leader = person("lanhdao.ubndtinh")
    outgoing.submit(officer, draft)
    with pytest.raises(archive.OcrPending):  # the leader waits for the text layer
        outgoing.approve(leader, draft, passphrase=PASSPHRASE)

    job = archive.run_ocr_job(scan.ocr_job.pk)
    assert job.state == OcrJob.State.DONE and job.output_file is not None
    copy = job.output_file
    assert (copy.role, copy.converted_from_id, copy.origin) == ("main", scan.pk, FileOrigin.SCANNED_TEXT)
    assert draft.main_file == copy  # the searchable copy is now what gets signed
    assert {h.document.pk for h in search(officer, "kiem ke rung phong ho kbang").hits} == {draft.pk}

    from congvan.signing.services import placement_at

    outgoing.approve(leader, draft, passphrase=PASSPHRASE, placement=placement_at(0, 400, 200))
    signature = Signature.objects.get(document=draft)
    assert signature.source_id == copy.pk
    assert signature.signed_file.origin == FileOrigin.SCANNED_TEXT  # inherited from what was signed
    assert scan.blob.sha256 == DocumentFile.objects.get(pk=scan.pk).blob_id  # the scan itself is kept as is


def test_ocr_never_replaces_an_issued_original(person, issue_document):
    officer, draft, scan = _draft_with_scan(person)
    outgoing.submit(officer, draft)
    outgoing.approve(person("lanhdao.ubndtinh"), draft)  # signing optional here: no trust store
    issued = outgoing.issue(person("vanthu.ubndtinh"), draft)
    original_main = issued.main_file
    job = archive.run_ocr_job(scan.ocr_job.pk)
    assert job.state == OcrJob.State.DONE and job.output_id and job.output_file is None
    assert issued.main_file == original_main == scan  # the issued file stays the one that was sent
    recipient_clerk = person("vanthu.sonoivu")
    assert [h.document.pk for h in search(recipient_clerk, "rừng phòng hộ Kbang").hits] == [issued.pk]


def test_failed_ocr_keeps_the_reason_and_can_be_retried(person, settings):
    officer, draft, scan = _draft_with_scan(person)
    settings.OCR_LANGUAGES = "xxx"  # a model that is not installed
    job = archive.run_ocr_job(scan.ocr_job.pk)
    assert job.state == OcrJob.State.FAILED and job.reason and job.attempts == 1
    assert draft.main_file == scan
    with pytest.raises(archive.Forbidden):
        archive.retry_ocr(person("chuyenvien.sotaichinh"), job)
    settings.OCR_LANGUAGES = "vie"
    archive.retry_ocr(officer, job)
    job.refresh_from_db()
    assert job.state == OcrJob.State.WAITING
    assert archive.run_ocr_job(job.pk).state == OcrJob.State.DONE
