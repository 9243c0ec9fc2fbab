"""The yearly report as files: the PDF (Decree 30 heading, tables, charts, page numbers, Tinos for Times
New Roman) and the xlsx (one sheet per table, numbers as numbers); `congvan report`; the 1 December drafts
kept per agency and the leaders told."""

import io
import subprocess
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from congvan.reports import data, exports, periods, selectors, services
from congvan.reports.models import StoredReport
from congvan.workflow.models import Notification
from tests.conftest import require_tool
from tests.reports.history import YEAR


def pdf_text(content: bytes) -> str:
    """The text of every page, white space (line breaks of the layout) collapsed."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_pdf_of_an_agency_has_the_decree_30_layout(history, tmp_path):
    report = data.build(selectors.scope_from_key("agency:000.05.00.H21"), periods.year(YEAR),
                        chart_font=exports.PDF_FONT)
    content = exports.render_pdf(report, on=date(YEAR, 12, 1))
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = pdf_text(content)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH GIA LAI",
                     "SỞ NỘI VỤ", "/BC-SNV", "Gia Lai, ngày 01 tháng 12 năm 2025", "BÁO CÁO",
                     "Kết quả sử dụng văn bản điện tử — Năm 2025", "Nơi nhận:", "UBND tỉnh (b/c)",
                     "Sở Khoa học và Công nghệ (tổng hợp)", "Lưu: VT.", "GIÁM ĐỐC", "Hồ Văn Điền",
                     "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", "Văn bản phát hành điện tử hoàn toàn", "CÁCH TÍNH CÁC CHỈ SỐ",
                     "Trang 1/"):
        assert expected in text, expected
    assert "DỰ THẢO" not in text and "KẾT QUẢ THEO CƠ QUAN" not in text  # not a draft; one agency: no ranking
    assert "50%" in text  # Sở Nội vụ: D7 electronic of D2, D7
    fonts = subprocess.run([require_tool("pdffonts"), "-"], input=content, capture_output=True).stdout.decode()
    assert "Tinos" in fonts and "Noto" not in fonts  # Times New Roman everywhere, charts included
    subprocess.run([require_tool("pdftoppm"), "-r", "40", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5000  # page 1 renders


def test_consolidated_pdf_ranks_the_agencies(history):
    report = data.build(selectors.province_scope(), periods.year(YEAR), chart_font=exports.PDF_FONT)
    text = pdf_text(exports.render_pdf(report, draft=True))
    for expected in ("DỰ THẢO", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "/BC-SKHCN", "Tổng hợp tình hình sử dụng văn bản điện tử",
                     "các cơ quan nhà nước trên địa bàn tỉnh", "KẾT QUẢ THEO CƠ QUAN", "Ủy ban nhân dân xã Đức Cơ",
                     "Bộ Khoa học và Công nghệ (b/c)", "Tỷ lệ văn bản điện tử hoàn toàn theo cơ quan"):
        assert expected in text, expected


def test_xlsx_has_one_sheet_per_table_with_numbers(history):
    report = data.build(selectors.province_scope(), periods.year(YEAR))
    book = load_workbook(io.BytesIO(exports.render_xlsx(report)))
    assert book.sheetnames == ["Thông tin báo cáo", "Chỉ số và chỉ tiêu", "Theo quan hệ trao đổi",
                               "Theo kênh gửi nhận", "Theo hình thức", "Theo tháng", "Theo cơ quan"]
    assert all(len(name) <= 31 for name in book.sheetnames)
    indicators = {row[1].value: row for row in book["Chỉ số và chỉ tiêu"].iter_rows(min_row=2)}
    electronic = indicators["Văn bản phát hành điện tử hoàn toàn"]
    assert electronic[2].value == 0.5 and electronic[2].number_format == "0.0%"
    assert (electronic[4].value, electronic[5].value) == (4, 8)
    assert indicators["Văn bản đến quá hạn"][2].value == 3
    assert indicators["Thời gian giải quyết văn bản đến (trung vị)"][2].value == 2.5
    relations = {row[0].value: [c.value for c in row[1:]] for row in book["Theo quan hệ trao đổi"].iter_rows(min_row=2)}
    assert relations["Giữa các cơ quan nhà nước trong tỉnh"] == [6, 3, 1, 2, 0.5, 4 / 6]
    channels = {row[0].value: (row[1].value, row[2].value) for row in book["Theo kênh gửi nhận"].iter_rows(min_row=2)}
    assert channels["Trục liên thông"] == (2, 1) and channels["Thư điện tử"] == (1, 0)
    months = list(book["Theo tháng"].iter_rows(min_row=2, values_only=True))
    assert len(months) == 12 and months[0][1:6] == (5, 2, 1, 1, 9)
    ranking = list(book["Theo cơ quan"].iter_rows(min_row=2, values_only=True))
    assert len(ranking) == 9 and ranking[0][4] == "Có"
    info = dict(book["Thông tin báo cáo"].iter_rows(values_only=True))
    assert info["Phạm vi"] == "Toàn tỉnh" and info["Kỳ báo cáo"] == "Năm 2025"


def test_report_command_writes_pdf_and_xlsx(history, tmp_path):
    out = io.StringIO()
    call_command("report", year=YEAR, agency="000.63.00.H21", format="xlsx", output=str(tmp_path / "a.xlsx"),
                 stdout=out)
    assert "Ủy ban nhân dân xã Đức Cơ" in out.getvalue()
    book = load_workbook(tmp_path / "a.xlsx")
    assert "Theo cơ quan" not in book.sheetnames
    call_command("report", year=YEAR, quarter=1, format="pdf", output=str(tmp_path / "p.pdf"), stdout=out)
    assert "Quý I năm 2025" in pdf_text((tmp_path / "p.pdf").read_bytes())
    with pytest.raises(CommandError, match="Không có cơ quan"):
        call_command("report", year=YEAR, agency="000.99.00.H21", format="pdf", output=str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError, match="Không ghi được"):
        call_command("report", year=YEAR, format="pdf", output=str(tmp_path / "missing" / "x.pdf"))


def test_december_drafts_once_per_year_and_leaders_told(history, person, client_of):
    assert services.december_drafts(date(YEAR, 11, 30)).created == []  # not before 1 December
    done = services.december_drafts(date(YEAR, 12, 1))
    assert len(done.created) == 10 and done.created[-1] == "province"  # 9 agencies and the province
    assert services.december_drafts(date(YEAR, 12, 2)).created == []  # once per year
    assert StoredReport.objects.filter(year=YEAR).count() == 10
    stored = StoredReport.objects.get(year=YEAR, agency__code="000.05.00.H21")
    assert (stored.period_start, stored.period_end) == (date(YEAR, 1, 1), date(YEAR, 11, 30))
    leader = person("lanhdao.sonoivu")
    told = Notification.objects.filter(person=leader, key=f"report:{YEAR}:{leader.agency_id}")
    assert told.count() == 1 and "năm 2025" in told.get().text
    assert Notification.objects.filter(person=person("quantri"), key=f"report:{YEAR}:province").count() == 1

    page = client_of("lanhdao.sonoivu").get("/bao-cao/da-lap/")
    assert page.status_code == 200 and page.content.decode().count('data-stored="') == 1
    pdf = client_of("lanhdao.sonoivu").get(f"/bao-cao/da-lap/{stored.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "DỰ THẢO" in text and "Từ 01/01/2025 đến 30/11/2025" in text and "SỞ NỘI VỤ" in text
    xlsx = client_of("lanhdao.sonoivu").get(f"/bao-cao/da-lap/{stored.pk}/xlsx/")
    assert load_workbook(io.BytesIO(xlsx.content))["Chỉ số và chỉ tiêu"].max_row > 10
    other = StoredReport.objects.get(year=YEAR, agency__code="000.00.00.H21")
    assert client_of("lanhdao.sonoivu").get(f"/bao-cao/da-lap/{other.pk}/pdf/").status_code == 404
    assert client_of("quantri").get("/bao-cao/da-lap/").content.decode().count('data-stored="') == 10


def test_the_worker_makes_the_december_drafts_one_task_each(history):
    """The daily task queues one task per draft (a worker asked to stop finishes at most one report)."""
    from congvan.reports import tasks

    queued = tasks.daily_reports.enqueue(f"{YEAR}-12-01")  # the tests' backend runs tasks at once
    assert len(queued.return_value) == 10 and queued.return_value[-1] == "province"
    assert StoredReport.objects.filter(year=YEAR, kind=StoredReport.Kind.DECEMBER).count() == 10
    assert tasks.daily_reports.enqueue(f"{YEAR}-12-02").return_value == []  # nothing left to make
