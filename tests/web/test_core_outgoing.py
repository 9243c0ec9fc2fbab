"""Outgoing documents through the web views: compose, submit, approve, issue, the per-recipient trail,
files, who may see what, and errors shown in Vietnamese."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from congvan.documents.models import Blob, Document, DocumentFile
from congvan.workflow.models import IncomingItem

SONOIVU = "000.05.00.H21"
BROKEN_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%% truncated here"


@pytest.fixture
def as_user(client, demo):
    def run(username: str):
        client.logout()
        assert client.login(username=username, password="congvan")
        return client

    return run


def draft_data(**overrides):
    data = {"doc_type": "CV", "subject": "Về việc triển khai văn bản điện tử năm 2026",
            "summary": "Đề nghị các cơ quan gửi, nhận văn bản điện tử qua hệ thống.", "drafting_unit": "VP",
            "recipients": [SONOIVU], "recipients_note": "Lưu: VT, VP.", "secrecy": "none", "urgency": "khan",
            "form": "electronic", "due_date": "", "signer_competence": "KT. CHỦ TỊCH"}
    data.update(overrides)
    return data


def delivery_row(html: str, code: str) -> str:
    match = re.search(rf'<tr data-recipient="{re.escape(code)}".*?</tr>', html, re.S)
    assert match, f"no delivery row for {code}"
    return match.group(0)


def trail_codes(row: str) -> list[str]:
    return re.findall(r'<span class="status-badge" data-status="(\d\d)">(\d\d)</span>', row)


def test_compose_submit_approve_issue_through_the_web(as_user, client, pdf_bytes, person):
    client = as_user("chuyenvien.ubndtinh")
    form = client.get(reverse("outgoing-create"))
    assert form.status_code == 200 and "Lưu dự thảo" in form.content.decode()
    response = client.post(reverse("outgoing-create"), {
        **draft_data(), "main_file": SimpleUploadedFile("cong-van.pdf", pdf_bytes, "application/pdf")})
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("outgoing-detail", args=[document.pk])
    assert document.files.get().name == "cong-van.pdf"
    assert document.urgency == "khan" and document.signer_competence == "KT. CHỦ TỊCH"
    detail = client.get(response["Location"]).content.decode()
    assert "Trình duyệt" in detail and "Tải lên" in detail

    response = client.post(reverse("outgoing-action", args=[document.pk, "submit"]), follow=True)
    assert "Đã trình dự thảo" in response.content.decode()
    client = as_user("lanhdao.ubndtinh")
    assert ">Duyệt</button>" in client.get(reverse("outgoing-detail", args=[document.pk])).content.decode()
    client.post(reverse("outgoing-action", args=[document.pk, "approve"]))
    document.refresh_from_db()
    assert document.state == "approved" and document.signer_name == "Phạm Anh Tuấn"

    client = as_user("vanthu.ubndtinh")
    response = client.post(reverse("outgoing-action", args=[document.pk, "issue"]), follow=True)
    html = response.content.decode()
    assert "Đã phát hành văn bản số 01/UBND-VP" in html
    document.refresh_from_db()
    assert document.notation == "01/UBND-VP" and document.state == "issued"
    row = delivery_row(html, SONOIVU)
    assert "Sở Nội vụ tỉnh Gia Lai" in row and "Nội bộ hệ thống" in row
    assert trail_codes(row) == [("01", "01")] and "Đã đến" in row

    # The recipient works on it; the sender's page shows each step in that recipient's row.
    from congvan.workflow import incoming

    item = IncomingItem.objects.get(document=document, agency__code=SONOIVU)
    incoming.register(person("vanthu.sonoivu"), item)
    incoming.assign(person("lanhdao.sonoivu"), item, lead=person("chuyenvien.sonoivu").pk)
    incoming.start(person("chuyenvien.sonoivu"), item)
    incoming.complete(person("chuyenvien.sonoivu"), item, note="Đã triển khai")
    row = delivery_row(client.get(reverse("outgoing-detail", args=[document.pk])).content.decode(), SONOIVU)
    assert [code for code, _ in trail_codes(row)] == ["01", "03", "04", "05", "06"]
    assert "Hoàn thành" in row and "Đã triển khai" in row and "Châu Minh Trí" in row


def test_return_with_reason_shows_the_banner_and_lets_the_drafter_edit(as_user, client, person):
    from congvan.documents import services as documents
    from congvan.workflow import outgoing

    officer = person("chuyenvien.ubndtinh")
    document = documents.create_draft(officer, doc_type="CV", subject="Dự thảo cần sửa", recipients=[SONOIVU])
    outgoing.submit(officer, document)
    client = as_user("lanhdao.ubndtinh")
    response = client.post(reverse("outgoing-action", args=[document.pk, "return"]), {"reason": " "}, follow=True)
    assert "Cần ghi lý do trả lại." in response.content.decode()
    client.post(reverse("outgoing-action", args=[document.pk, "return"]), {"reason": "Bổ sung căn cứ pháp lý"})
    client = as_user("chuyenvien.ubndtinh")
    html = client.get(reverse("outgoing-detail", args=[document.pk])).content.decode()
    assert "Dự thảo bị trả lại:" in html and "Bổ sung căn cứ pháp lý" in html
    response = client.post(reverse("outgoing-edit", args=[document.pk]),
                           draft_data(subject="Dự thảo đã sửa theo ý kiến lãnh đạo"))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.subject == "Dự thảo đã sửa theo ý kiến lãnh đạo" and document.urgency == "khan"


def test_service_error_is_shown_next_to_the_form_and_input_kept(as_user, client):
    client = as_user("chuyenvien.ubndtinh")
    response = client.post(reverse("outgoing-create"), draft_data(
        subject="Báo cáo tình hình an ninh", secrecy="mat", form="electronic"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Văn bản mật không được gửi, nhận qua môi trường điện tử" in html
    assert "Báo cáo tình hình an ninh" in html
    assert f'value="{SONOIVU}" id="rcpt-{SONOIVU}" checked' in html
    assert Document.objects.count() == 0


def test_broken_pdf_shows_an_error_and_stores_nothing(as_user, client, settings, pdf_bytes):
    client = as_user("chuyenvien.ubndtinh")
    response = client.post(reverse("outgoing-create"), {
        **draft_data(), "main_file": SimpleUploadedFile("hong.pdf", BROKEN_PDF, "application/pdf")})
    assert response.status_code == 200
    assert "Tệp PDF bị hỏng" in response.content.decode()
    assert Document.objects.count() == 0 and DocumentFile.objects.count() == 0 and Blob.objects.count() == 0
    blobs = Path(settings.MEDIA_ROOT) / "blobs"
    assert not blobs.exists() or not [p for p in blobs.rglob("*") if p.is_file()]

    # The same on the upload button of an existing draft.
    client.post(reverse("outgoing-create"), draft_data())
    document = Document.objects.get()
    response = client.post(reverse("outgoing-action", args=[document.pk, "upload"]),
                           {"role": "main", "file": SimpleUploadedFile("hong.pdf", BROKEN_PDF)}, follow=True)
    assert "Tệp PDF bị hỏng" in response.content.decode()
    assert DocumentFile.objects.count() == 0 and Blob.objects.count() == 0
    response = client.post(reverse("outgoing-action", args=[document.pk, "upload"]),
                           {"role": "annex", "file": SimpleUploadedFile("phu-luc.pdf", pdf_bytes)}, follow=True)
    assert "Đã tải lên tệp phu-luc.pdf." in response.content.decode()
    assert document.files.get().role == "annex"


def test_other_agency_gets_404_on_the_document_and_its_file(as_user, client, issue_document, pdf_bytes):
    document = issue_document(recipients=[SONOIVU])
    attached = document.files.get()
    detail = reverse("outgoing-detail", args=[document.pk])
    download = reverse("document-file", args=[document.pk, attached.pk])

    client = as_user("vanthu.sotaichinh")  # Sở Tài chính: not addressed
    assert client.get(detail).status_code == 404
    assert client.get(download).status_code == 404
    assert client.post(reverse("outgoing-action", args=[document.pk, "revoke"]), {"reason": "x"}).status_code == 404

    client = as_user("vanthu.sonoivu")  # the recipient may open and download
    html = client.get(detail).content.decode()
    assert 'data-recipient="000.05.00.H21"' in html
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes
    assert "attachment" in response["Content-Disposition"]

    client = as_user("chuyenvien.ubndtinh")  # the sender's agency: officers see issued documents
    assert client.get(download).status_code == 200
    other = issue_document(recipients=["000.03.00.H21"]).files.get()
    assert client.get(reverse("document-file", args=[document.pk, other.pk])).status_code == 404


def test_outgoing_list_filters_and_columns(as_user, client, issue_document, person):
    from congvan.documents import services as documents

    issue_document(subject="Về việc chuyển đổi số", recipients=[SONOIVU, "000.03.00.H21"])
    documents.create_draft(person("chuyenvien.ubndtinh"), doc_type="CV", subject="Dự thảo kế hoạch năm",
                           recipients=[SONOIVU])
    client = as_user("chuyenvien.ubndtinh")
    html = client.get(reverse("outgoing-list")).content.decode()
    assert "01/UBND-VP" in html and "Dự thảo kế hoạch năm" in html and "Trần Quốc Bảo" in html
    html = client.get(reverse("outgoing-list"), {"q": "chuyển đổi"}).content.decode()
    assert "Về việc chuyển đổi số" in html and "Dự thảo kế hoạch năm" not in html
    row = re.search(r'<tr data-document="\d+">.*?</tr>', html, re.S).group(0)
    assert re.search(r'<td class="text-end">2</td>', row)  # two recipients
    html = client.get(reverse("outgoing-list"), {"state": "draft"}).content.decode()
    assert "Dự thảo kế hoạch năm" in html and "Về việc chuyển đổi số" not in html


def test_outgoing_list_paginates_by_25(as_user, client, person):
    from congvan.documents import services as documents

    officer = person("chuyenvien.ubndtinh")
    for n in range(27):
        documents.create_draft(officer, doc_type="CV", subject=f"Dự thảo số {n:02d}", recipients=[SONOIVU])
    client = as_user("chuyenvien.ubndtinh")
    first = client.get(reverse("outgoing-list")).content.decode()
    assert first.count('<tr data-document=') == 25 and "Trang sau" in first
    second = client.get(reverse("outgoing-list"), {"page": 2}).content.decode()
    assert second.count('<tr data-document=') == 2
