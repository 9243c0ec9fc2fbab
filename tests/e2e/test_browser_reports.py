"""The province operator's dashboard in a real browser: filter one agency and one quarter, follow a number
to its documents, download the PDF (page 1 rendered with pdftoppm, text read back) and the xlsx (read back
with openpyxl)."""

import subprocess

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from congvan.reports import summary
from tests.conftest import require_tool
from tests.reports.history import build_history

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOI_VU = "000.05.00.H21"


def test_operator_filters_drills_down_and_downloads(demo, login, live_server, tmp_path):
    docs, _items = build_history()
    summary.rebuild()
    page = login("quantri")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    expect(page.get_by_role("heading", name="Báo cáo sử dụng văn bản điện tử")).to_be_visible()
    expect(page.locator('tr[data-agency="000.63.00.H21"]')).to_be_visible()  # the operator's ranking

    page.get_by_label("Phạm vi", exact=True).select_option(f"agency:{NOI_VU}")
    page.get_by_label("Năm", exact=True).fill("2025")
    page.get_by_label("Quý", exact=True).select_option("1")
    page.get_by_role("button", name="Xem số liệu").click()
    expect(page.locator("#report-scope")).to_contain_text("Sở Nội vụ tỉnh Gia Lai")
    expect(page.locator("#report-scope")).to_contain_text("Quý I năm 2025")
    electronic = page.locator('tr[data-indicator="electronic_share"]')
    expect(electronic.locator(".value")).to_have_text("50%")
    expect(electronic.locator(".numerator")).to_have_text("1")
    expect(electronic.locator(".denominator")).to_have_text("2")
    expect(page.locator('tr[data-indicator="issue_on_time_share"] .value')).to_have_text("50%")

    electronic.locator(".numerator").click()  # the fully electronic document behind the number
    expect(page.get_by_role("heading")).to_contain_text("Văn bản phát hành — Điện tử")
    rows = page.locator("table.drill tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-document", str(docs["D7"].pk))
    expect(rows.first).to_contain_text("07/SNV-D7")
    page.go_back()
    electronic.locator(".denominator").click()
    expect(page.locator("table.drill tbody tr")).to_have_count(2)
    expect(page.locator("#drill-total")).to_have_text("2 dòng")
    page.get_by_role("link", name="Về trang số liệu").click()
    expect(page.locator("#report-scope")).to_contain_text("Quý I năm 2025")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Tải báo cáo PDF").click()
    assert pdf_download.value.suggested_filename == "bao-cao-vbdt-sonoivu-2025-q1.pdf"
    pdf = tmp_path / "bao-cao.pdf"
    pdf_download.value.save_as(pdf)
    subprocess.run([require_tool("pdftoppm"), "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "trang")], check=True)
    first_page = tmp_path / "trang-1.png"
    assert first_page.stat().st_size > 10_000
    text = subprocess.run([require_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True,
                          check=True).stdout.decode()
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH GIA LAI",
                     "SỞ NỘI VỤ", "BÁO CÁO", "Quý I năm 2025", "Nơi nhận:", "Văn bản phát hành điện tử hoàn toàn"):
        assert expected in text, expected

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Tải bảng tính Excel").click()
    xlsx = tmp_path / "bao-cao.xlsx"
    xlsx_download.value.save_as(xlsx)
    book = load_workbook(xlsx)
    indicators = {row[1].value: row for row in book["Chỉ số và chỉ tiêu"].iter_rows(min_row=2)}
    row = indicators["Văn bản phát hành điện tử hoàn toàn"]
    assert (row[2].value, row[2].number_format, row[4].value, row[5].value) == (0.5, "0.0%", 1, 2)
    info = dict(book["Thông tin báo cáo"].iter_rows(values_only=True))
    assert info["Phạm vi"] == "Sở Nội vụ tỉnh Gia Lai" and info["Kỳ báo cáo"] == "Quý I năm 2025"
