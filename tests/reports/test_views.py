"""The report pages: who sees what, the filters, the downloads, the targets and the assumptions."""

import html
import io
import re

from django.conf import settings
from openpyxl import load_workbook

from congvan.reports import summary
from congvan.reports.models import ReportSettings, Target
from tests.reports.history import YEAR


def row_of(page: str, key: str) -> str:
    match = re.search(rf'<tr data-indicator="{key}">(.*?)</tr>', page, re.S)
    assert match, key
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))))


def test_operator_dashboard_filters_and_links(history, client_of):
    client = client_of("quantri")
    page = client.get("/bao-cao/", {"year": YEAR}).content.decode()
    assert "Toàn tỉnh" in page and "Năm 2025" in page
    assert "50%" in row_of(page, "electronic_share") and "4 / 8" in row_of(page, "electronic_share")
    assert 'href="/bao-cao/chi-tiet/?scope=province&amp;year=2025&amp;m=issued&amp;d=electronic"' in page
    assert "Xếp hạng cơ quan" in page and page.count("<tr data-agency=") == 9
    assert page.count("<svg") >= 3 and "Tỷ lệ văn bản phát hành theo tháng" in page
    one = client.get("/bao-cao/", {"scope": "agency:000.05.00.H21", "year": YEAR, "quarter": 1}).content.decode()
    assert "Sở Nội vụ tỉnh Gia Lai" in one and "Quý I năm 2025" in one and "Xếp hạng cơ quan" not in one
    assert "50%" in row_of(one, "electronic_share") and "1 / 2" in row_of(one, "electronic_share")
    assert 'href="/bao-cao/tai-ve/pdf/?scope=agency%3A000.05.00.H21&amp;year=2025&amp;quarter=1"' in one
    bad = client.get("/bao-cao/", {"year": YEAR, "start": "2025-03-01"}, follow=True)
    assert bad.status_code == 200 and "cần cả ngày bắt đầu và ngày kết thúc" in bad.content.decode()
    assert client.get("/bao-cao/", {"scope": "agency:000.99.00.H21"}).status_code == 404
    assert client.get("/bao-cao/", {"scope": "group:central"}).status_code == 404


def test_leader_sees_their_agency_only(history, client_of):
    leader = client_of("lanhdao.sonoivu")
    page = leader.get("/bao-cao/", {"year": YEAR}).content.decode()
    assert "Sở Nội vụ tỉnh Gia Lai" in page and "Xếp hạng cơ quan" not in page
    assert 'name="scope"' not in page  # no choice of scope
    assert "50%" in row_of(page, "electronic_share")  # D7 of D2, D7
    assert '<a class="nav-link" href="/bao-cao/">Báo cáo</a>' in page
    assert leader.get("/bao-cao/", {"scope": "province"}).status_code == 200  # the default: their own
    assert leader.get("/bao-cao/", {"scope": "agency:000.00.00.H21"}).status_code == 403
    assert leader.get("/bao-cao/tai-ve/pdf/", {"scope": "group:commune"}).status_code == 403
    assert leader.get("/bao-cao/chi-tieu/").status_code == 403
    assert leader.get("/bao-cao/thiet-lap/").status_code == 403
    clerk = client_of("vanthu.sonoivu")
    assert clerk.get("/bao-cao/").status_code == 403
    assert 'href="/bao-cao/"' not in clerk.get("/").content.decode()


def test_downloads_follow_the_filter(history, client_of):
    client = client_of("quantri")
    pdf = client.get("/bao-cao/tai-ve/pdf/", {"scope": "agency:000.05.00.H21", "year": YEAR, "quarter": 1})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="bao-cao-vbdt-sonoivu-2025-q1.pdf"'
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get("/bao-cao/tai-ve/xlsx/", {"scope": "group:commune", "year": YEAR})
    assert xlsx["Content-Disposition"] == 'attachment; filename="bao-cao-vbdt-group-commune-2025.xlsx"'
    book = load_workbook(io.BytesIO(xlsx.content))
    assert dict(book["Thông tin báo cáo"].iter_rows(values_only=True))["Phạm vi"] == "Các xã, phường"
    assert client.get("/bao-cao/tai-ve/doc/").status_code == 404


def test_operator_sets_and_removes_targets(history, client_of):
    client = client_of("quantri")
    response = client.post("/bao-cao/chi-tieu/", {"year": YEAR, "indicator": "between_electronic_share",
                                                  "scope": "group", "group": "commune", "value": "45,5",
                                                  "note": "Kế hoạch năm"}, follow=True)
    assert "Đã lưu chỉ tiêu năm 2025" in response.content.decode()
    target = Target.objects.get(year=YEAR, indicator="between_electronic_share")
    assert (target.scope_key, float(target.value), target.note) == ("group:commune", 45.5, "Kế hoạch năm")
    page = client.get("/bao-cao/chi-tieu/", {"year": YEAR}).content.decode()
    assert "Các xã, phường" in page and "≥ 45,5%" in page
    communes = client.get("/bao-cao/", {"scope": "group:commune", "year": YEAR}).content.decode()
    assert "≥ 45,5%" in row_of(communes, "between_electronic_share")
    refused = client.post("/bao-cao/chi-tieu/", {"year": YEAR, "indicator": "electronic_share", "scope": "province",
                                                 "value": "150"}, follow=True)
    assert "từ 0 đến 100" in refused.content.decode()
    client.post("/bao-cao/chi-tieu/", {"action": "delete", "pk": target.pk, "year": YEAR})
    assert not Target.objects.filter(pk=target.pk).exists()


def test_operator_changes_the_assumptions(history, client_of, person):
    client = client_of("quantri")
    ubnd = person("lanhdao.ubndtinh").agency
    response = client.post("/bao-cao/thiet-lap/", {
        "paper_cost_per_page": "800", "postage_per_document": "30000", "postal_days": "3", "default_pages": "2",
        "directive": "Chỉ thị số 07/2013/CT-UBND", "submission_agencies": [ubnd.pk]}, follow=True)
    assert "Đã lưu thiết lập báo cáo" in response.content.decode()
    current = ReportSettings.current()
    assert (current.paper_cost_per_page, current.postage_per_document, float(current.postal_days)) == (800, 30000, 3)
    assert list(current.submission_agencies.all()) == [ubnd] and summary.pending()
    refused = client.post("/bao-cao/thiet-lap/", {
        "paper_cost_per_page": "-1", "postage_per_document": "30000", "postal_days": "3", "default_pages": "2"},
        follow=True)
    assert refused.status_code == 200 and ReportSettings.current().paper_cost_per_page == 800


def test_dashboard_in_english(history, client_of):
    client = client_of("quantri")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/bao-cao/", {"year": YEAR, "quarter": 1}).content.decode()
    assert '<a class="nav-link" href="/bao-cao/">Reports</a>' in page
    for text in ("Usage of electronic documents", "Whole province", "Quarter I 2025", "Fully electronic documents issued",
                 "Indicators and targets", "Download the PDF report"):
        assert text in page, text
    for text in ("Báo cáo sử dụng văn bản điện tử", "Văn bản phát hành điện tử hoàn toàn", "Chỉ số và chỉ tiêu"):
        assert text not in page, text
    assert "57.1%" in row_of(page, "electronic_share") and "4 / 7" in row_of(page, "electronic_share")
