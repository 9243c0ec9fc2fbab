"""Sổ đăng ký văn bản đi / đến (Decree 30, Appendix IV): the page, its filters and the .xlsx export."""

import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from congvan.workflow.models import IncomingItem

OUTGOING_HEADER = ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản", "Người ký",
                   "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận",
                   "Ghi chú"]
INCOMING_HEADER = ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng văn bản",
                   "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú"]


def book(client, direction, **params):
    return client.get(reverse("register-book", args=[direction]), params)


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 1
    return workbook.active


def test_outgoing_register_lists_issued_documents_and_exports_xlsx(client_of, issue_document):
    first = issue_document(subject="Về việc tăng cường sử dụng văn bản điện tử")
    second = issue_document(doc_type="QĐ", subject="Quyết định ban hành quy chế văn thư")
    clerk = client_of("vanthu.ubndtinh")
    response = book(clerk, "di")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ủy ban nhân dân tỉnh Gia Lai" in page
    assert f"SỔ ĐĂNG KÝ VĂN BẢN ĐI — NĂM {timezone.localdate().year}" in page
    assert first.notation in page and second.notation in page
    assert "Công văn: Về việc tăng cường sử dụng văn bản điện tử" in page
    assert "Sở Nội vụ tỉnh Gia Lai" in page  # nơi nhận
    for title in OUTGOING_HEADER:
        assert title in page

    ws = sheet(book(clerk, "di", format="xlsx"))
    assert [c.value for c in ws[1]] == OUTGOING_HEADER
    assert all(c.font.bold for c in ws[1])
    assert ws.column_dimensions["C"].width >= 40
    notations = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert first.notation in notations and second.notation in notations
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == first.notation)
    assert row[1].date() == timezone.localdate()  # a real date cell, shown DD/MM/YYYY
    assert row[3] == "Phạm Anh Tuấn"  # người ký


def test_incoming_register_shows_the_arrival_number(client_of, person, issue_document):
    from congvan.workflow import incoming

    doc = issue_document()
    item = IncomingItem.objects.get(document=doc, agency__code="000.05.00.H21")
    incoming.register(person("vanthu.sonoivu"), item)
    incoming.assign(person("lanhdao.sonoivu"), item, lead=person("chuyenvien.sonoivu").pk)
    clerk = client_of("vanthu.sonoivu")
    page = book(clerk, "den").content.decode()
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in page and "Sở Nội vụ tỉnh Gia Lai" in page
    assert doc.notation in page and "Ủy ban nhân dân tỉnh Gia Lai" in page
    assert "Châu Minh Trí" in page  # đơn vị hoặc người nhận: the lead officer

    ws = sheet(book(clerk, "den", format="xlsx"))
    assert [c.value for c in ws[1]] == INCOMING_HEADER
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][1] == 1 and rows[0][2] == "Ủy ban nhân dân tỉnh Gia Lai" and rows[0][3] == doc.notation
    # The sender's register lists nothing incoming.
    assert doc.notation not in book(client_of("vanthu.ubndtinh"), "den").content.decode()


def test_registers_show_only_the_persons_agency(client_of, issue_document):
    doc = issue_document()
    page = book(client_of("vanthu.sonoivu"), "di").content.decode()
    assert doc.notation not in page
    assert "Sở Nội vụ tỉnh Gia Lai" in page


def test_secret_register_is_not_visible_to_an_officer(client_of, issue_document):
    from congvan.documents.models import Register

    normal = issue_document(subject="Văn bản thường")
    secret = issue_document(subject="Kế hoạch bảo vệ bí mật nhà nước", secrecy="mat")
    secret_register = Register.objects.get(pk=secret.register_id)
    assert secret_register.is_secret

    for username in ("vanthu.ubndtinh", "lanhdao.ubndtinh"):
        page = book(client_of(username), "di").content.decode()
        assert secret_register.name in page and secret.subject in page

    officer = client_of("chuyenvien2.ubndtinh")  # not the drafter
    response = book(officer, "di")
    page = response.content.decode()
    assert normal.notation in page
    assert secret_register.name not in page and secret.subject not in page
    # Asking for it by id does not help, on the page or in the export.
    page = book(officer, "di", register=secret_register.pk).content.decode()
    assert secret.subject not in page
    ws = sheet(book(officer, "di", register=secret_register.pk, format="xlsx"))
    assert all(secret.subject not in (row[2] or "") for row in ws.iter_rows(min_row=2, values_only=True))


def test_register_and_date_filters(client_of, person, issue_document):
    from congvan.documents import services as documents
    from congvan.documents.models import Document

    first = issue_document()
    clerk = client_of("vanthu.ubndtinh")
    # A register kept for decisions only: the next decision goes there, not to the general one.
    decisions = documents.save_register(person("vanthu.ubndtinh"), direction="outgoing",
                                        year=timezone.localdate().year, name="Sổ quyết định", type_codes=["QĐ"])
    decision = issue_document(doc_type="QĐ")
    assert Document.objects.get(pk=decision.pk).register_id == decisions.pk

    page = book(clerk, "di", register=decisions.pk).content.decode()
    assert decision.notation in page and first.notation not in page
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = book(clerk, "di", start=tomorrow.isoformat()).content.decode()
    assert first.notation not in page and decision.notation not in page
    page = book(clerk, "di", end=timezone.localdate().isoformat()).content.decode()
    assert first.notation in page and decision.notation in page
    # Another year shows an empty book with its own title.
    page = book(clerk, "di", year=2020).content.decode()
    assert "NĂM 2020" in page and first.notation not in page


def test_unknown_direction_is_404(client_of, demo):
    assert book(client_of("vanthu.ubndtinh"), "ngang").status_code == 404
