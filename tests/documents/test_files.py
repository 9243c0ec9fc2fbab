"""Files: stored once by SHA-256, never changed, broken or oversized uploads refused, Word converted."""

import hashlib
import io

import pytest

from congvan.documents import services as documents
from congvan.documents import storage
from congvan.documents.models import Blob
from congvan.errors import ServiceError
from tests.conftest import require_tool


def draft(person):
    officer = person("chuyenvien.ubndtinh")
    return officer, documents.create_draft(officer, doc_type="CV", subject="Tệp", recipients=["000.05.00.H21"])


def test_same_content_is_stored_once(person, pdf_bytes):
    officer, doc = draft(person)
    first = documents.add_file(officer, doc, "a.pdf", io.BytesIO(pdf_bytes))
    second = documents.add_file(officer, doc, "b.pdf", io.BytesIO(pdf_bytes))
    assert first.blob_id == second.blob_id == hashlib.sha256(pdf_bytes).hexdigest()
    assert Blob.objects.count() == 1
    path = storage.blob_path(first.blob_id)
    assert path.read_bytes() == pdf_bytes
    assert not (path.stat().st_mode & 0o222), "stored files are read-only"


def test_broken_pdf_is_refused_and_nothing_kept(person, pdf_bytes):
    officer, doc = draft(person)
    with pytest.raises(ServiceError) as error:
        documents.add_file(officer, doc, "hong.pdf", io.BytesIO(b"%PDF-1.7\n garbage without xref"))
    assert error.value.code == "broken_pdf"
    assert "hỏng" in str(error.value.message)
    assert doc.files.count() == 0


def test_oversized_upload_is_refused(person, settings):
    settings.MAX_UPLOAD_SIZE = 1000
    officer, doc = draft(person)
    with pytest.raises(ServiceError) as error:
        documents.add_file(officer, doc, "lon.pdf", io.BytesIO(b"%PDF-" + b"x" * 5000))
    assert error.value.code == "file_too_large"
    assert not list((settings.MEDIA_ROOT / "blobs").glob("??/??/*"))


def test_tampered_file_on_disk_blocks_issuing(person, pdf_bytes):
    from congvan.workflow import outgoing

    officer, doc = draft(person)
    attached = documents.add_file(officer, doc, "a.pdf", io.BytesIO(pdf_bytes))
    outgoing.submit(officer, doc)
    outgoing.approve(person("lanhdao.ubndtinh"), doc)
    path = storage.blob_path(attached.blob_id)
    path.chmod(0o644)
    path.write_bytes(pdf_bytes + b"\n% appended after upload")
    with pytest.raises(storage.BlobCorrupted) as error:
        outgoing.issue(person("vanthu.ubndtinh"), doc)
    assert error.value.code == "file_corrupted"
    doc.refresh_from_db()
    assert doc.state == "approved" and doc.number is None


def test_word_draft_is_converted_to_the_main_pdf(person, django_capture_on_commit_callbacks):
    require_tool("soffice")
    import docx

    source = io.BytesIO()
    word = docx.Document()
    word.add_paragraph("Về việc tăng cường sử dụng văn bản điện tử trong cơ quan nhà nước")
    word.save(source)
    officer, doc = draft(person)
    with django_capture_on_commit_callbacks(execute=True):
        source_file = documents.add_file(officer, doc, "du-thao.docx", io.BytesIO(source.getvalue()))
    assert source_file.role == "source"
    main = doc.main_file  # the (immediate) task converted it once the upload committed
    assert main is not None and main.name == "du-thao.pdf"
    data = storage.read_verified(main.blob)
    assert data.startswith(b"%PDF-")
    from pypdf import PdfReader

    assert "tăng cường" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
