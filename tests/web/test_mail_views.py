"""The mail pages as a clerk, an officer and the operator use them (Django test client)."""

import re

import pytest
from django.conf import settings as django_settings

from congvan.mail import intake, outbox, transport
from congvan.mail.models import IntakeItem, Mailbox, MailboxRequest, MailPreference, OutgoingMail
from congvan.workflow.models import IncomingItem, Notification
from tests.conftest import make_pdf
from tests.mail.conftest import PROVINCE, message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _provision_dir(settings, tmp_path):
    settings.MAIL_PROVISION_DIR = tmp_path / "provision"
    settings.MAIL_BCRYPT_ROUNDS = 4


def received(**kwargs) -> IntakeItem:
    [item] = intake.deliver(message(**kwargs), source="smtp", recipients=[PROVINCE])
    return item


def test_clerk_sees_the_item_and_registers_it_from_the_page(client_of):
    item = received(attachments=[("1468-UBND-VHXH.pdf", make_pdf("Công văn"), "application/pdf")])
    clerk = client_of("vanthu.ubndtinh")
    listing = clerk.get("/thu-den/").content.decode()
    assert f'data-intake="{item.pk}"' in listing and "Công văn số 1468/UBND-VHXH" in listing
    page = clerk.get(f"/thu-den/{item.pk}/").content.decode()
    assert 'value="1468/UBND-VHXH"' in page  # số, ký hiệu read from the subject
    assert "Văn phòng Chính phủ" in page and "1468-UBND-VHXH.pdf" in page
    response = clerk.post(f"/thu-den/{item.pk}/", {
        "action": "convert", "subject": "Về việc sử dụng hộp thư điện tử công vụ", "doc_type": "CV",
        "notation": "1468/UBND-VHXH", "main": item.attachments.get().pk})
    assert response.status_code == 302, response.content.decode()[-2000:]
    registered = IncomingItem.objects.get()
    assert response["Location"] == f"/van-ban-den/{registered.pk}/" and registered.arrival_number == 1
    assert registered.document.notation == "1468/UBND-VHXH"


def test_an_unsigned_pdf_is_registered_as_hybrid(client_of):
    item = received(attachments=[("to-trinh.pdf", make_pdf("Tờ trình"), "application/pdf")])
    response = client_of("vanthu.ubndtinh").post(f"/thu-den/{item.pk}/", {
        "action": "convert", "subject": "Tờ trình", "doc_type": "CV", "main": item.attachments.get().pk})
    assert response.status_code == 302
    assert IncomingItem.objects.get().document.form == "hybrid"


def test_dismiss_needs_a_reason_and_keeps_the_message(client_of):
    item = received(subject="Quảng cáo phần mềm")
    clerk = client_of("vanthu.ubndtinh")
    refused = clerk.post(f"/thu-den/{item.pk}/", {"action": "dismiss", "reason": ""})
    assert refused.status_code == 400
    assert clerk.post(f"/thu-den/{item.pk}/", {"action": "dismiss", "reason": "Thư quảng cáo"}).status_code == 302
    item.refresh_from_db()
    assert item.state == "dismissed" and clerk.get(f"/thu-den/{item.pk}/thu-goc/").status_code == 200


def test_other_agencies_and_officers_cannot_open_the_mail(client_of):
    item = received()
    assert client_of("vanthu.sonoivu").get(f"/thu-den/{item.pk}/").status_code == 404
    assert client_of("chuyenvien.ubndtinh").get(f"/thu-den/{item.pk}/").status_code == 403


def test_my_mail_password_and_notification_preference(client_of, person):
    officer = client_of("chuyenvien.sotaichinh")
    page = officer.get("/thu-dien-tu/cua-toi/").content.decode()
    assert "chuyenvien.sotaichinh@gialai.example" in page
    bad = officer.post("/thu-dien-tu/cua-toi/", {"action": "password", "password": "ngan", "confirm": "ngan"})
    assert bad.status_code == 200 and "ít nhất 10" in bad.content.decode()
    ok = officer.post("/thu-dien-tu/cua-toi/", {"action": "password", "password": "Mật-khẩu-thư-2026",
                                                "confirm": "Mật-khẩu-thư-2026"})
    assert ok.status_code == 302
    assert Mailbox.objects.get(address="chuyenvien.sotaichinh@gialai.example").password_hash.startswith("{BLF-CRYPT}")
    officer.post("/thu-dien-tu/cua-toi/", {"action": "preference", "notify_by_mail": "on"})
    assert MailPreference.objects.get(person=person("chuyenvien.sotaichinh")).notify_by_mail


def test_agency_asks_the_operator_approves(client_of, person):
    clerk = client_of("vanthu.soyte")
    Mailbox.objects.filter(person=person("chuyenvien.soyte")).delete()
    response = clerk.post("/thu-dien-tu/hop-thu/", {"action": "request", "kind": "new",
                                                    "person": person("chuyenvien.soyte").pk,
                                                    "address": "vu.dinh.phuc@gialai.example", "reason": "Cán bộ mới"})
    assert response.status_code == 302
    request = MailboxRequest.objects.get()
    assert Notification.objects.filter(person__user__username="quantri", text__contains="vu.dinh.phuc").exists()
    assert client_of("vanthu.soyte").get("/quan-tri/de-nghi-hop-thu/").status_code == 403
    operator = client_of("quantri")
    assert "vu.dinh.phuc@gialai.example" in operator.get("/quan-tri/de-nghi-hop-thu/").content.decode()
    operator.post("/quan-tri/de-nghi-hop-thu/", {"request": request.pk, "decision": "approve"})
    assert Mailbox.objects.get(address="vu.dinh.phuc@gialai.example").person == person("chuyenvien.soyte")
    assert "vu.dinh.phuc@gialai.example" in clerk.get("/thu-dien-tu/hop-thu/").content.decode()


def test_clerk_configures_an_imap_source(client_of):
    clerk = client_of("vanthu.pleiku")
    response = clerk.post("/thu-dien-tu/hop-thu/", {"action": "imap", "host": "mail.pleiku.example", "port": 993,
                                                    "security": "ssl", "username": "vanthu@pleiku.example",
                                                    "password": "bí mật", "folder": "INBOX", "enabled": "on"})
    assert response.status_code == 302
    from congvan.mail.models import ImapAccount
    from congvan.mail.sealed import unseal

    account = ImapAccount.objects.get()
    assert account.agency.slug == "pleiku" and unseal(account.password) == "bí mật" and "bí mật" not in account.password


def test_draft_with_an_email_recipient_and_the_mail_state_on_the_document(client_of, issue_document, settings):
    officer = client_of("chuyenvien.ubndtinh")
    response = officer.post("/van-ban-di/soan-thao/", {
        "doc_type": "CV", "subject": "Trả lời đơn của công dân", "contacts": "Nguyễn Văn An <an.nguyen@example.com>",
        "secrecy": "none", "urgency": "none", "form": "electronic"})
    assert response.status_code == 302
    bad = officer.post("/van-ban-di/soan-thao/", {"doc_type": "CV", "subject": "x", "contacts": "không phải địa chỉ",
                                                  "secrecy": "none", "urgency": "none", "form": "electronic"})
    assert bad.status_code == 200 and "Không đọc được nơi nhận" in bad.content.decode()
    document = issue_document(recipients=(), contacts=["an.nguyen@example.com"])
    outbox.drain(transport.transport())  # no relay configured here: the message waits
    page = client_of("vanthu.ubndtinh").get(f"/van-ban-di/{document.pk}/").content.decode()
    assert 'data-channel="email"' in page and 'data-mail-state="held"' in page
    assert "CONGVAN_MAIL_RELAY_HOST" in page


def test_operator_mail_page_lists_waiting_mail_and_retries(client_of, issue_document):
    issue_document(recipients=(), contacts=["an.nguyen@example.com"])
    outbox.drain(transport.transport())
    mail = OutgoingMail.objects.get()
    operator = client_of("quantri")
    page = operator.get("/quan-tri/thu-dien-tu/").content.decode()
    assert f'data-mail="{mail.pk}"' in page and 'id="no-relay"' in page
    operator.post("/quan-tri/thu-dien-tu/", {"action": "retry", "mail": str(mail.pk)})
    assert OutgoingMail.objects.get().state == "pending"
    assert client_of("vanthu.ubndtinh").get("/quan-tri/thu-dien-tu/").status_code == 403


def test_the_bell_fragment_shows_new_notifications(client_of, issue_document):
    clerk = client_of("vanthu.sonoivu")
    assert 'data-unread="0"' in clerk.get("/thong-bao/chuong/").content.decode()
    issue_document(recipients=("000.05.00.H21",), subject="Về việc kiểm tra chuông thông báo")
    fragment = clerk.get("/thong-bao/chuong/").content.decode()
    assert 'data-unread="1"' in fragment and "Về việc kiểm tra chuông thông báo" in fragment
    page = clerk.get("/").content.decode()
    assert re.search(r'id="bell" hx-get="/thong-bao/chuong/" hx-trigger="every \d+s"', page)


def test_mail_pages_in_english(client_of):
    clerk = client_of("vanthu.ubndtinh")
    clerk.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    for url, heading in (("/thu-den/", "Mail received in the agency's mailbox"),
                         ("/thu-dien-tu/cua-toi/", "My official e-mail"),
                         ("/so-dia-chi/", "Official e-mail address book")):
        page = clerk.get(url).content.decode()
        assert re.search(r"<h1[^>]*>\s*" + re.escape(heading), page), (url, page[:3000])
