"""Acceptance with real servers on loopback: Dovecot authenticates a mailbox the platform provisioned with
the password its owner set and serves mail delivered to it; the IMAP poller takes a message with a signed
PDF into the clerk's intake (and only new messages next time; a 50 MB one stays in the mailbox); a message
sent with smtplib to a real `congvan smtpd` does the same; a bounce sent there marks the delivery failed."""

import imaplib
import os
import smtplib
import time

import pytest

from congvan.mail import imap, outbox, provisioning, sealed, services, transport
from congvan.mail.models import ImapAccount, IntakeItem, Mailbox, OutgoingMail
from congvan.workflow.models import Delivery
from tests.mail.conftest import message
from tests.mail.test_mime import dsn

pytestmark = [pytest.mark.e2e]
PASSWORD = "Hộp-thư-văn-thư-2026"


def provisioned(person, settings, server, slug: str) -> Mailbox:
    """The agency's clerk sets its mailbox password; the platform writes what Dovecot reads."""
    settings.MAIL_PROVISION_DIR, settings.MAIL_PROVISION_GROUP = server.provision, server.group
    box = Mailbox.objects.get(address=f"{slug}@gialai.example")
    services.set_password(person(f"vanthu.{slug}"), box, PASSWORD, PASSWORD)
    provisioning.provision()
    return box


def account_for(box: Mailbox, server) -> ImapAccount:
    return ImapAccount.objects.create(agency=box.agency, host="127.0.0.1", port=server.port, security="none",
                                      username=box.address, password=sealed.seal(PASSWORD))


@pytest.mark.django_db
def test_dovecot_authenticates_the_provisioned_mailbox_and_the_poller_takes_new_mail(
        dovecot, person, settings, trusted, signed_pdf):
    box = provisioned(person, settings, dovecot, "ubndtinh")
    with imaplib.IMAP4("127.0.0.1", dovecot.port) as client:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            imap.login(client, box.address, "mật khẩu sai")
    with imaplib.IMAP4("127.0.0.1", dovecot.port) as client:
        imap.login(client, box.address, PASSWORD)
        assert client.state == "AUTH"

    dovecot.deliver(box.address, message(attachments=[("1468-UBND-VHXH.pdf", signed_pdf, "application/pdf")]))
    account = account_for(box, dovecot)
    assert imap.poll(account) == 1
    [item] = IntakeItem.objects.filter(agency=box.agency)
    assert item.source == "imap" and item.imap_uid == 1 and item.subject.startswith("Công văn số 1468")
    assert item.attachments.get().blob.signature_check.ok
    account.refresh_from_db()
    assert account.last_uid == 1 and account.uidvalidity

    assert imap.poll(account) == 0  # nothing new: nothing read again
    dovecot.deliver(box.address, message(subject="Giấy mời họp trực tuyến", body="Kính mời."))
    assert imap.poll(account) == 1
    assert list(IntakeItem.objects.filter(agency=box.agency).order_by("imap_uid").values_list("imap_uid", flat=True)) \
        == [1, 2]
    with imaplib.IMAP4("127.0.0.1", dovecot.port) as client:  # the mailbox is left as it was: unread
        imap.login(client, box.address, PASSWORD)
        client.select("INBOX", readonly=True)
        assert client.search(None, "UNSEEN")[1][0].split() == [b"1", b"2"]


@pytest.mark.django_db
def test_the_poller_opens_a_folder_with_a_vietnamese_name(dovecot, person, settings):
    """Mail filed by the server into "Văn bản đến" (as a Sieve rule would): the name travels in modified
    UTF-7 and the poller reads that folder, not the inbox."""
    box = provisioned(person, settings, dovecot, "sonoivu")
    dovecot.deliver(box.address, message(subject="Thư trong hộp thư đến"))
    dovecot.deliver(box.address, message(subject="Công văn xếp vào thư mục"), folder="Văn bản đến")
    account = account_for(box, dovecot)
    account.folder = "Văn bản đến"
    account.save()
    assert imap.poll(account) == 1
    assert list(IntakeItem.objects.filter(agency=box.agency).values_list("subject", flat=True)) \
        == ["Công văn xếp vào thư mục"]
    with imaplib.IMAP4("127.0.0.1", dovecot.port) as client:  # the server lists the folder under that name
        imap.login(client, box.address, PASSWORD)
        listed = b" ".join(client.list()[1])
        assert imap.folder_name("Văn bản đến").encode() in listed


@pytest.mark.django_db
def test_a_50_megabyte_message_stays_in_the_mailbox_and_is_quarantined(dovecot, person, settings):
    box = provisioned(person, settings, dovecot, "sotaichinh")
    big = message(subject="Hồ sơ quét 50 MB", attachments=[("ho-so.pdf", b"%PDF-1.4\n" + os.urandom(37 * 1024 * 1024),
                                                             "application/pdf")])
    assert len(big) > 50 * 1000 * 1000
    dovecot.deliver(box.address, big)
    dovecot.deliver(box.address, message(subject="Thư nhỏ sau thư lớn"))
    assert imap.poll(account_for(box, dovecot)) == 2
    large, small = IntakeItem.objects.filter(agency=box.agency).order_by("imap_uid")
    assert large.state == "quarantined" and large.raw is None and large.size == len(big)
    assert large.subject == "Hồ sơ quét 50 MB" and "vẫn còn nguyên trong hộp thư" in large.problems[0]
    assert small.state == "new"
    with imaplib.IMAP4("127.0.0.1", dovecot.port) as client:
        imap.login(client, box.address, PASSWORD)
        client.select("INBOX", readonly=True)
        assert client.search(None, "ALL")[1][0].split() == [b"1", b"2"]


def wait_for(probe, what: str, server, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{server.log()}")


def test_smtplib_to_congvan_smtpd_makes_an_intake_item(smtpd, demo, trusted, signed_pdf, settings):
    raw = message(attachments=[("1468-UBND-VHXH.pdf", signed_pdf, "application/pdf")])
    with smtplib.SMTP("127.0.0.1", smtpd.smtp_port, timeout=30) as client:
        assert client.ehlo()[0] == 250 and client.has_extn("size")
        assert client.sendmail("vpcp@chinhphu.example", ["ubndtinh@gialai.example"], raw) == {}
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("vpcp@chinhphu.example", ["khongco@gialai.example"], raw)
        assert refused.value.recipients["khongco@gialai.example"][0] == 550
    item = wait_for(lambda: IntakeItem.objects.filter(agency__slug="ubndtinh").first(), "the intake item", smtpd)
    assert item.source == "smtp" and item.envelope_from == "vpcp@chinhphu.example"
    assert item.attachments.get().blob.signature_check.ok

    big = b"Subject: 50 MB\r\n\r\n" + (b"x" * 998 + b"\r\n") * 52000
    with smtplib.SMTP("127.0.0.1", smtpd.smtp_port, timeout=120) as client:
        with pytest.raises(smtplib.SMTPSenderRefused) as declared:  # SIZE declared: refused before the data
            client.sendmail("vpcp@chinhphu.example", ["ubndtinh@gialai.example"], big)
        assert declared.value.smtp_code == 552
    with smtplib.SMTP("127.0.0.1", smtpd.smtp_port, timeout=120) as client:
        client.ehlo()
        client.mail("vpcp@chinhphu.example")
        client.rcpt("ubndtinh@gialai.example")
        assert client.data(big)[0] == 552  # not declared: refused after the data, nothing stored
    assert IntakeItem.objects.count() == 1


def test_lmtp_answers_per_recipient(smtpd, demo):
    with smtplib.LMTP("127.0.0.1", smtpd.lmtp_port, timeout=30) as client:
        assert client.ehlo()[0] == 250  # LHLO
        client.mail("vpcp@chinhphu.example")
        assert client.rcpt("sonoivu@gialai.example")[0] == 250
        assert client.rcpt("khongco@gialai.example")[0] == 550
        assert client.rcpt("vanthu@gialai.example")[0] == 250  # the alias of the province's mailbox
        first = client.data(message(to="nhieu"))
        second = client.getreply()  # LMTP: one reply per accepted recipient
        assert (first[0], second[0]) == (250, 250)
    wait_for(lambda: IntakeItem.objects.count() == 2, "two items", smtpd)
    assert sorted(IntakeItem.objects.values_list("agency__slug", flat=True)) == ["sonoivu", "ubndtinh"]


def test_a_bounce_to_congvan_smtpd_fails_the_delivery(smtpd, demo, issue_document, relay):
    document = issue_document(recipients=(), contacts=["Công ty ABC <vanthu@abc.example>"])
    assert outbox.drain(transport.transport()) == 1
    envelope_from, _, raw = relay.received[0]
    mail = OutgoingMail.objects.get()
    with smtplib.SMTP("127.0.0.1", smtpd.smtp_port, timeout=30) as client:
        client.sendmail("", [envelope_from], dsn(original_id=mail.message_id).replace(
            b"an.nguyen@example.com", b"vanthu@abc.example"))
    delivery = Delivery.objects.get(document=document)
    wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == "02", "status 02", smtpd)
    assert "550 5.1.1 User unknown" in delivery.trail.last().note
    assert OutgoingMail.objects.get().state == "failed"


@pytest.mark.django_db
def test_hostile_messages_through_imap_are_handled_and_stay_in_the_mailbox(dovecot, person, settings):
    from congvan.text.legacy import encode_cp1258 as cp1258

    settings.MAIL_MAX_ATTACHMENT = 1024 * 1024
    box = provisioned(person, settings, dovecot, "soyte")
    malformed = (b"From: a@b.example\r\nSubject: MIME hong\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
                 b"--XX\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                 b"JVBERi0x!!!not base64 at all")
    legacy = (b"From: " + cp1258("Sở Y tế") + b" <yte@example.com>\r\nSubject: " +
              cp1258("Báo cáo khẩn tình hình dịch bệnh") + b"\r\n\r\nNoi dung\r\n")
    messages = [
        malformed,
        message(subject="Hóa đơn", attachments=[("hoa-don.exe", b"MZ\x90\x00", "application/octet-stream")]),
        message(subject="Bản đồ", attachments=[("ban-do.pdf", b"%PDF-1.4" + b"0" * (2 * 1024 * 1024),
                                                 "application/pdf")]),
        legacy,
    ]
    for raw in messages:
        dovecot.deliver(box.address, raw)
    assert imap.poll(account_for(box, dovecot)) == 4
    broken, program, big, old = IntakeItem.objects.filter(agency=box.agency).order_by("imap_uid")
    assert any("MIME bị lỗi" in p for p in broken.problems)
    assert program.state == "quarantined" and "chương trình" in program.attachments.get().refused
    assert big.state == "new" and "vượt quá giới hạn 1 MB" in big.attachments.get().refused
    assert old.subject == "Báo cáo khẩn tình hình dịch bệnh" and old.from_name == "Sở Y tế"
    with imaplib.IMAP4("127.0.0.1", dovecot.port) as client:  # all four still there, unread
        imap.login(client, box.address, PASSWORD)
        client.select("INBOX", readonly=True)
        assert client.search(None, "UNSEEN")[1][0].split() == [b"1", b"2", b"3", b"4"]
