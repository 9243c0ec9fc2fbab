"""The whole life of a document between two agencies, in a real browser (Debian's chromium)."""


import pytest
from playwright.sync_api import expect

from congvan.directory.models import Person
from tests.conftest import make_pdf
from tests.e2e.flows import draft_and_submit, open_item

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SENDER, RECIPIENT, OTHER = "000.00.00.H21", "000.05.00.H21", "000.03.00.H21"


def trail_codes(page, recipient_code: str) -> list[str]:
    row = page.locator(f'[data-recipient="{recipient_code}"]')
    return row.locator(".status-badge").all_inner_texts()



def test_draft_to_done_between_two_agencies(demo, login, live_server, tmp_path):
    subject = "Về việc triển khai hộp thư điện tử công vụ năm 2027"
    pdf = tmp_path / "cong-van.pdf"
    pdf.write_bytes(make_pdf(subject))

    officer = login("chuyenvien.ubndtinh")
    document_url = draft_and_submit(officer, live_server, subject=subject, recipient=RECIPIENT, pdf_path=pdf)

    leader = login("lanhdao.ubndtinh")
    leader.goto(document_url)
    leader.get_by_role("button", name="Duyệt").click()

    clerk = login("vanthu.ubndtinh")
    clerk.goto(document_url)
    clerk.get_by_role("button", name="Phát hành").click()
    expect(clerk.get_by_text("01/UBND-VP").first).to_be_visible()
    assert trail_codes(clerk, RECIPIENT) == ["01"]

    their_clerk = login("vanthu.sonoivu")
    open_item(their_clerk, live_server, subject)
    their_clerk.get_by_role("button", name="Vào sổ").click()

    their_leader = login("lanhdao.sonoivu")
    open_item(their_leader, live_server, subject)
    lead = Person.objects.get(user__username="chuyenvien.sonoivu")
    their_leader.get_by_label("Xử lý chính").select_option(value=str(lead.pk))
    their_leader.get_by_role("button", name="Phân công").click()

    their_officer = login("chuyenvien.sonoivu")
    open_item(their_officer, live_server, subject)
    their_officer.get_by_role("button", name="Bắt đầu xử lý").click()
    their_officer.get_by_role("button", name="Hoàn thành").click()

    clerk.goto(document_url)
    assert trail_codes(clerk, RECIPIENT) == ["01", "03", "04", "05", "06"]


def test_refusal_and_revocation(issue_document, login, live_server):
    subject = "Về việc báo cáo số liệu văn bản điện tử quý IV"
    document = issue_document(recipients=[RECIPIENT, OTHER], subject=subject)
    document_url = f"{live_server.url}/van-ban-di/{document.pk}/"

    finance_clerk = login("vanthu.sotaichinh")
    open_item(finance_clerk, live_server, subject)
    finance_clerk.get_by_label("Lý do").first.fill("Không thuộc thẩm quyền của Sở Tài chính")
    finance_clerk.get_by_role("button", name="Từ chối").click()

    sender_clerk = login("vanthu.ubndtinh")
    sender_clerk.goto(document_url)
    assert trail_codes(sender_clerk, OTHER) == ["01", "02"]
    sender_clerk.locator("#revoke-reason-input").fill("Sai số liệu, sẽ ban hành văn bản thay thế")
    sender_clerk.get_by_role("button", name="Thu hồi").click()

    home_clerk = login("vanthu.sonoivu")
    open_item(home_clerk, live_server, subject)
    home_clerk.get_by_role("button", name="Đồng ý thu hồi").click()
    expect(home_clerk.get_by_text("thu hồi").first).to_be_visible()

    sender_clerk.goto(document_url)
    assert trail_codes(sender_clerk, RECIPIENT) == ["01", "13", "15"]
    assert trail_codes(sender_clerk, OTHER) == ["01", "02"]
