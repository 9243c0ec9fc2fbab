"""The search box of every page and the results page, in a real browser (Debian's chromium)."""

import io

import pytest
from playwright.sync_api import expect

from congvan.directory.models import Person
from congvan.documents import services as documents
from congvan.workflow import outgoing
from tests.conftest import make_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _issue(subject: str, body: str, doc_type: str = "CV"):
    people = {r: Person.objects.get(user__username=f"{r}.ubndtinh") for r in ("chuyenvien", "lanhdao", "vanthu")}
    draft = documents.create_draft(people["chuyenvien"], doc_type=doc_type, subject=subject,
                                   recipients=["000.05.00.H21"])
    documents.add_file(people["chuyenvien"], draft, "van-ban.pdf", io.BytesIO(make_pdf(body)))
    outgoing.submit(people["chuyenvien"], draft)
    outgoing.approve(people["lanhdao"], draft)
    return outgoing.issue(people["vanthu"], draft)


def test_search_box_and_results(demo, login, live_server):
    wanted = _issue("Về việc hỗ trợ tỉnh Đắk Lắk khắc phục hậu quả mưa lũ", "Kinh phí hỗ trợ <khẩn> & kịp thời")
    other = _issue("Thông báo lịch họp giao ban Đắk Lắk tháng 12", "Giao ban định kỳ", doc_type="TB")

    clerk = login("vanthu.ubndtinh")
    box = clerk.locator("#nav-search")
    box.fill("DAK LAK")  # capitals, no accents
    box.press("Enter")
    expect(clerk.locator("#search-summary")).to_contain_text("2 văn bản phù hợp")
    marks = clerk.locator(".search-hit mark").all_inner_texts()
    assert "Đắk" in marks and "Lắk" in marks  # the original, accented words are marked
    expect(clerk.get_by_role("link", name="Về việc hỗ trợ tỉnh Đắk Lắk khắc phục hậu quả mưa lũ")).to_be_visible()

    clerk.get_by_role("button", name="Bộ lọc").click()
    clerk.get_by_label("Loại văn bản").select_option("TB")
    clerk.get_by_role("button", name="Tìm", exact=True).click()
    expect(clerk.locator("#search-summary")).to_contain_text("1 văn bản phù hợp")
    expect(clerk.locator(".search-hit")).to_have_count(1)
    clerk.locator(".search-hit a").first.click()
    expect(clerk).to_have_url(f"{live_server.url}/van-ban-di/{other.pk}/")

    clerk.locator("#nav-search").fill('"kinh phí hỗ trợ"')
    clerk.locator("#nav-search").press("Enter")
    expect(clerk.locator(".search-hit")).to_have_count(1)
    snippet = clerk.locator(".search-snippet").first
    expect(snippet).to_contain_text("<khẩn> & kịp thời")  # the body's own markup shown as text, not HTML
    assert snippet.locator("mark").all_inner_texts()[:3] == ["Kinh", "phí", "hỗ"]
    assert wanted.pk

    stranger = login("vanthu.sotaichinh")  # not addressed to it: finds nothing
    stranger.locator("#nav-search").fill("dak lak")
    stranger.locator("#nav-search").press("Enter")
    expect(stranger.get_by_text("Không tìm thấy văn bản nào")).to_be_visible()
