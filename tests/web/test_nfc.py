"""NFD input is stored NFC (TCVN 6909:2001): through a web form, the API, and a file name."""

import unicodedata

from django.urls import reverse

from congvan.documents.models import Document, DocumentFile
from tests.api import conftest as api_fixtures
from tests.conftest import make_pdf

api = api_fixtures.api  # fixture
SUBJECT = "Quyết định về việc tăng cường ứng dụng chữ ký số"
NFD = unicodedata.normalize("NFD", SUBJECT)


def test_nfd_from_a_form_is_stored_nfc(client_of):
    assert NFD != SUBJECT
    response = client_of("chuyenvien.ubndtinh").post(reverse("outgoing-create"), {
        "doc_type": "CV", "subject": NFD, "summary": unicodedata.normalize("NFD", "Nội dung tóm tắt"),
        "secrecy": "none", "urgency": "none", "form": "electronic",
        "main_file": _upload(unicodedata.normalize("NFD", "Quyết định số 12.pdf"))})
    assert response.status_code == 302, response.content.decode()[-2000:]
    document = Document.objects.get(subject=SUBJECT)
    assert document.summary == "Nội dung tóm tắt"
    assert document.files.get().name == "Quyết định số 12.pdf"


def test_nfd_through_the_api_is_stored_nfc(api):
    client = api("chuyenvien.ubndtinh")
    created = client.post("/documents", {"type": "CV", "subject": NFD, "recipients": ["000.05.00.H21"]})
    assert created.status_code in (200, 201), created.content
    document = Document.objects.get(pk=created.json()["id"])
    assert document.subject == SUBJECT and len(document.subject) == len(SUBJECT)
    escaped = client.client.post("/api/v1/documents", '{"type": "CV", "subject": "Ho\\u0302\\u0300 so\\u031b", '
                                 '"recipients": []}', content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert Document.objects.get(pk=escaped.json()["id"]).subject == "Hồ sơ"
    name = unicodedata.normalize("NFD", "Tờ trình đề nghị.pdf")
    uploaded = client.upload(f"/documents/{document.pk}/files", name, make_pdf())
    assert uploaded.status_code in (200, 201), uploaded.content
    assert DocumentFile.objects.get(document=document).name == "Tờ trình đề nghị.pdf"


def _upload(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, make_pdf(), content_type="application/pdf")


def test_search_query_in_nfd_finds_the_same(issue_document, client_of):
    issue_document(subject="Về việc phòng, chống thiên tai năm 2026")
    page = client_of("vanthu.ubndtinh").get(reverse("search"), {"q": unicodedata.normalize("NFD", "thiên tai")})
    assert "<mark>thiên</mark> <mark>tai</mark>" in page.content.decode()
