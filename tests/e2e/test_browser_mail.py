"""Official e-mail in a real browser: a message arrives for the province's address, the clerk is told at
once (the bell), opens the agency's mail, registers the message as an incoming document in one step, and
the compliance page shows that day's check of the mailbox."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from congvan.mail import intake
from tests.conftest import make_pdf
from tests.mail.conftest import PROVINCE, message

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SUBJECT = "Công văn số 2031/VPCP-KSTT về việc kết nối hộp thư điện tử công vụ"


def arrive(subject: str, **kwargs) -> None:
    intake.deliver(message(subject=subject, **kwargs), source="smtp", envelope_from="vpcp@chinhphu.example",
                   recipients=[PROVINCE])


def test_clerk_is_told_converts_the_mail_and_sees_the_check(demo, login, live_server, settings, tmp_path):
    settings.NOTIFY_POLL = 2
    settings.MAIL_PROVISION_DIR = tmp_path / "provision"
    clerk = login("vanthu.ubndtinh")
    bell = clerk.locator("#bell [data-unread]")
    before = int(bell.get_attribute("data-unread"))

    arrive(SUBJECT, attachments=[("2031-VPCP-KSTT.pdf", make_pdf("Văn phòng Chính phủ"), "application/pdf")])
    expect(clerk.locator("#bell [data-unread]")).to_have_attribute("data-unread", str(before + 1), timeout=15000)
    expect(clerk.locator(".new-notification")).to_contain_text("Thư điện tử mới từ Văn phòng Chính phủ")

    clerk.get_by_role("link", name="Thư đến").first.click()
    row = clerk.locator("table.intake tbody tr", has_text="2031/VPCP-KSTT")
    expect(row).to_contain_text("Văn phòng Chính phủ")
    expect(row).to_contain_text("Chờ xử lý")
    row.get_by_role("link").click()
    expect(clerk.get_by_label("Số, ký hiệu")).to_have_value("2031/VPCP-KSTT")
    clerk.get_by_label("Trích yếu").fill("Về việc kết nối hộp thư điện tử công vụ")
    clerk.get_by_role("button", name="Vào sổ").click()
    expect(clerk.get_by_text(re.compile("Đã vào sổ văn bản đến, số đến 1"))).to_be_visible()
    assert "/van-ban-den/" in clerk.url
    expect(clerk.get_by_text("2031/VPCP-KSTT").first).to_be_visible()

    clerk.goto(live_server.url + "/thu-den/kiem-tra-hop-thu/")
    today = clerk.locator(f'tr[data-day="{timezone.localdate():%Y-%m-%d}"]')
    expect(today.locator(".check-time")).to_have_count(1)  # the opening of the mail, once
    expect(today.locator(".check-time").first).to_have_text(re.compile(r"^\d\d:\d\d$"))
