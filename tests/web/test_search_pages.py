"""The search page (results, filters, snippets, pagination) and the digitisation page (OCR queue, retry,
share of scans per agency)."""

import io

import pytest
from django.urls import reverse

from congvan.archive.models import OcrJob
from congvan.documents import services as documents
from congvan.documents.models import DocumentFile, FileOrigin


def test_every_page_has_the_search_box(client_of):
    page = client_of("chuyenvien.ubndtinh").get(reverse("dashboard")).content.decode()
    assert f'action="{reverse("search")}"' in page and 'name="q"' in page


def test_results_page_lists_hits_with_marked_snippets(issue_document, client_of):
    document = issue_document(subject="Về việc hỗ trợ tỉnh Đắk Lắk khắc phục hậu quả bão")
    response = client_of("vanthu.ubndtinh").get(reverse("search"), {"q": "dak lak"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Đắk</mark> <mark>Lắk</mark>" in page
    assert reverse("outgoing-detail", args=[document.pk]) in page
    assert document.notation in page
    empty = client_of("vanthu.sotaichinh").get(reverse("search"), {"q": "dak lak"}).content.decode()
    assert "search-hit" not in empty and "Không tìm thấy văn bản" in empty


def test_results_page_filters_and_pages(issue_document, client_of):
    for i in range(23):
        issue_document(subject=f"Thông báo lịch tiếp công dân số {i}", doc_type="TB")
    client = client_of("vanthu.ubndtinh")
    first = client.get(reverse("search"), {"q": "tiep cong dan", "type": "TB"}).content.decode()
    assert "23 văn bản phù hợp" in first and "1 / 2" in first and 'rel="next"' in first
    second = client.get(reverse("search"), {"q": "tiep cong dan", "type": "TB", "page": 2}).content.decode()
    assert second.count("search-hit") == 3
    none = client.get(reverse("search"), {"q": "tiep cong dan", "type": "QĐ"}).content.decode()
    assert "Không tìm thấy văn bản" in none
    bad = client.get(reverse("search"), {"q": "x", "date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "Ngày bắt đầu phải trước ngày kết thúc" in bad.content.decode()


@pytest.fixture
def scanned_draft(person):
    from tests.archive.scans import scanned_pdf

    officer = person("chuyenvien.ubndtinh")
    draft = documents.create_draft(officer, doc_type="CV", subject="Bản quét công văn cũ", recipients=["000.05.00.H21"])
    documents.add_file(officer, draft, "ban-quet.pdf", io.BytesIO(scanned_pdf(["Công văn số 12"])))
    return draft


def test_digitisation_page_shows_the_queue_and_retries_a_failure(scanned_draft, client_of):
    job = OcrJob.objects.get(file__document=scanned_draft)
    OcrJob.objects.filter(pk=job.pk).update(state=OcrJob.State.FAILED, reason="Tệp PDF được mã hóa")
    client = client_of("chuyenvien.ubndtinh")  # the drafter: a draft is nobody else's yet
    page = client.get(reverse("digitisation")).content.decode()
    assert "ban-quet.pdf" in page and "Tệp PDF được mã hóa" in page and "Nhận dạng lại" in page
    response = client.post(reverse("ocr-retry", args=[job.pk]), {"next": reverse("digitisation")})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state in (OcrJob.State.WAITING, OcrJob.State.DONE, OcrJob.State.RUNNING)
    other = client_of("vanthu.sotaichinh").get(reverse("digitisation")).content.decode()
    assert "ban-quet.pdf" not in other
    assert client_of("vanthu.sotaichinh").post(reverse("ocr-retry", args=[job.pk])).status_code == 302
    assert client_of("vanthu.sotaichinh").get(reverse("ocr-download", args=[job.pk])).status_code == 404


def test_share_of_scans_per_agency(scanned_draft, issue_document, client_of):
    issue_document(subject="Văn bản điện tử gốc")
    assert DocumentFile.objects.filter(document=scanned_draft, origin=FileOrigin.SCANNED_IMAGE).exists()
    page = client_of("quantri").get(reverse("digitisation")).content.decode()
    table = page.split('id="scan-shares"')[1]
    row = table.split("<td>Ủy ban nhân dân tỉnh Gia Lai</td>")[1].split("</tr>")[0]
    numbers = [cell.split("<")[0].strip() for cell in row.split('class="text-end">')[1:]]
    assert numbers[:3] == ["2", "1", "1"]  # documents, born digital, scanned
    assert "100%" in row and "vượt mức" in row
