"""Mail in, inside one installation: a message for an agency's address becomes an intake item for its
clerks; signatures validated; duplicates, programs, oversize files and broken MIME handled, nothing lost;
the clerk registers an item as an incoming document in one step or dismisses it; GET /api/v1/intake."""

import pytest
from django.test import Client

from congvan.documents import storage
from congvan.mail import intake, services
from congvan.mail.models import IntakeCheck, IntakeItem
from congvan.text import legacy
from congvan.workflow.models import Channel, IncomingItem, Notification
from tests.mail.conftest import HOME_AFFAIRS, PROVINCE, message

pytestmark = pytest.mark.django_db


def deliver(raw: bytes, to=(PROVINCE,)) -> list[IntakeItem]:
    return intake.deliver(raw, source="smtp", envelope_from="vpcp@chinhphu.example", recipients=list(to))


def test_message_with_a_signed_pdf_becomes_an_item_with_a_valid_signature(demo, trusted, signed_pdf):
    raw = message(attachments=[("1468-UBND-VHXH.pdf", signed_pdf, "application/pdf")])
    [item] = deliver(raw)
    assert item.agency.slug == "ubndtinh" and item.state == IntakeItem.State.NEW and item.source == "smtp"
    assert item.from_address == "vpcp@chinhphu.example" and item.subject.startswith("Công văn số 1468")
    assert storage.blob_path(item.raw_sha256).read_bytes() == raw  # the message as received
    [attachment] = item.attachments.all()
    assert attachment.size == len(signed_pdf) and attachment.blob.signature_check.ok
    clerk_notes = Notification.objects.filter(person__user__username="vanthu.ubndtinh")
    assert clerk_notes.filter(text__startswith="Thư điện tử mới từ Văn phòng Chính phủ").exists()


@pytest.mark.postgres  # constraints and dates behave differently on the two databases
def test_the_same_bytes_twice_make_one_item_another_copy_is_a_duplicate(demo):
    raw = message(message_id="<same@chinhphu.example>")
    [first] = deliver(raw)
    assert deliver(raw) == [first]
    [second] = deliver(message(message_id="<same@chinhphu.example>", body="Bản gửi lại có sửa đổi."))
    assert second.state == IntakeItem.State.DUPLICATE and second.duplicate_of == first
    assert IntakeItem.objects.count() == 2


def test_one_message_to_two_agencies_and_an_alias(demo):
    items = deliver(message(to=f"{PROVINCE}, {HOME_AFFAIRS}"), to=("vanthu@gialai.example", HOME_AFFAIRS))
    assert sorted(i.agency.slug for i in items) == ["sonoivu", "ubndtinh"]
    assert not intake.accepts("vanthu.ubndtinh@gialai.example")  # a person's mailbox is the mail server's
    assert not intake.accepts("nobody@gialai.example")


def test_executable_attachment_is_refused_and_the_message_quarantined(demo):
    raw = message(subject="Hóa đơn điện tử tháng 11", attachments=[
        ("hoa-don.pdf.exe", b"MZ\x90\x00program", "application/octet-stream"),
        ("ghi-chu.txt", b"xin chao", "text/plain")])
    [item] = deliver(raw)
    assert item.state == IntakeItem.State.QUARANTINED
    exe, note = item.attachments.order_by("position")
    assert exe.blob is None and "chương trình" in exe.refused and note.blob is not None
    assert any("hoa-don.pdf.exe" in p for p in item.problems)
    assert storage.blob_path(item.raw_sha256).read_bytes() == raw  # kept, for the operator to look at


def test_attachment_over_the_limit_is_refused_with_the_reason(demo, settings):
    settings.MAIL_MAX_ATTACHMENT = 1024 * 1024
    [item] = deliver(message(attachments=[("ban-do.pdf", b"%PDF-1.4" + b"0" * (2 * 1024 * 1024), "application/pdf"),
                                          ("to-trinh.pdf", b"%PDF-1.4 small", "application/pdf")]))
    assert item.state == IntakeItem.State.NEW
    big, small = item.attachments.order_by("position")
    assert big.blob is None and "vượt quá giới hạn 1 MB" in big.refused and small.blob is not None


def test_malformed_mime_is_kept_in_quarantine(demo):
    raw = b"\x00\x01\xffnot a message at all\r\n\r\n\x00"
    [item] = deliver(raw)
    assert item.state == IntakeItem.State.QUARANTINED and item.problems
    assert storage.blob_path(item.raw_sha256).read_bytes() == raw


@pytest.mark.parametrize("encode", [legacy.encode_cp1258, legacy.encode_tcvn3, legacy.encode_vni],
                         ids=["cp1258", "tcvn3", "vni"])
def test_legacy_8bit_subject_is_readable(demo, encode):
    raw = (b"From: " + encode("Sở Y tế") + b" <soyte@gialai.example>\r\nTo: " + PROVINCE.encode() +
           b"\r\nSubject: " + encode("Báo cáo tình hình dịch bệnh tuần 48") + b"\r\n\r\nNoi dung\r\n")
    [item] = deliver(raw)
    assert item.subject == "Báo cáo tình hình dịch bệnh tuần 48" and item.from_name == "Sở Y tế"


@pytest.mark.postgres  # constraints and dates behave differently on the two databases
def test_clerk_registers_an_item_as_an_incoming_document_in_one_step(demo, person, trusted, signed_pdf):
    [item] = deliver(message(attachments=[("1468-UBND-VHXH.pdf", signed_pdf, "application/pdf")]))
    clerk = person("vanthu.ubndtinh")
    received = services.convert(clerk, item, subject=item.subject, notation=services.guess_notation(item.subject))
    item.refresh_from_db()
    assert item.state == IntakeItem.State.CONVERTED and item.incoming_item == received
    assert received.state == IncomingItem.State.REGISTERED and received.arrival_number == 1
    assert received.delivery.channel == Channel.EMAIL and received.delivery.status == "03"
    document = received.document
    assert document.notation == "1468/UBND-VHXH" and document.agency.code == "000.00.00.G22"  # known by its e-mail
    assert document.main_file.sha256 == item.attachments.get().blob_id
    with pytest.raises(services.InvalidState):
        services.convert(clerk, item, subject="lần hai")


def test_a_pdf_whose_signature_fails_is_registered_only_when_the_clerk_confirms(demo, person, trusted, signed_pdf):
    from tests.signing.flow_helpers import tamper

    [item] = deliver(message(attachments=[("sua-doi.pdf", tamper(signed_pdf), "application/pdf")]))
    assert not item.attachments.get().blob.signature_check.ok
    clerk = person("vanthu.ubndtinh")
    with pytest.raises(services.ServiceError, match="Chữ ký số của văn bản không hợp lệ") as refused:
        services.convert(clerk, item, subject=item.subject)
    assert refused.value.code == "signature_not_confirmed"
    item.refresh_from_db()
    assert item.state == IntakeItem.State.NEW and not IncomingItem.objects.exists()  # nothing half done
    received = services.convert(clerk, item, subject=item.subject, signature_confirmed=True)
    assert received.arrival_number == 1


def test_mail_from_a_citizen_gets_an_author_outside_the_directory(demo, person):
    [item] = deliver(message(sender=("Nguyễn Văn An", "an.nguyen@example.com"), subject="Đơn đề nghị cấp phép"))
    received = services.convert(person("vanthu.ubndtinh"), item, subject="Đơn đề nghị cấp phép xây dựng")
    author = received.document.agency
    assert author.name == "Nguyễn Văn An" and author.email == "an.nguyen@example.com"
    assert not author.is_active and not author.is_local  # not in the directory, not a recipient
    from congvan.directory.models import Agency

    assert not Agency.objects.filter(is_active=True, email="an.nguyen@example.com").exists()


def test_only_the_agencys_clerk_converts_or_dismisses(demo, person):
    [item] = deliver(message())
    for who in ("chuyenvien.ubndtinh", "vanthu.sonoivu"):
        with pytest.raises(services.Forbidden):
            services.dismiss(person(who), item, "không phải văn bản")
    with pytest.raises(services.ServiceError, match="lý do"):
        services.dismiss(person("vanthu.ubndtinh"), item, " ")
    services.dismiss(person("vanthu.ubndtinh"), item, "Thư quảng cáo")
    item.refresh_from_db()
    assert item.state == IntakeItem.State.DISMISSED and item.raw_id  # the message stays stored


def token(username: str) -> dict:
    response = Client().post("/api/v1/auth/token", {"username": username, "password": "congvan"},
                             content_type="application/json")
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def test_api_lists_the_callers_agency_intake_and_records_the_check(demo, trusted, signed_pdf):
    deliver(message(attachments=[("1468-UBND-VHXH.pdf", signed_pdf, "application/pdf")]))
    deliver(message(subject="Gửi Sở Nội vụ"), to=(HOME_AFFAIRS,))
    response = Client().get("/api/v1/intake", **token("vanthu.ubndtinh"))
    assert response.status_code == 200, response.content
    [row] = response.json()
    assert set(row) >= {"id", "source", "from", "subject", "received_at", "attachments", "state"}
    assert row["source"] == "smtp" and row["from"] == "vpcp@chinhphu.example" and row["state"] == "new"
    [attachment] = row["attachments"]
    assert attachment["name"] == "1468-UBND-VHXH.pdf" and attachment["size"] == len(signed_pdf)
    assert len(attachment["sha256"]) == 64 and attachment["signature"]["state"] == "valid"
    assert IntakeCheck.objects.filter(person__user__username="vanthu.ubndtinh", via="api").count() == 1
    assert Client().get("/api/v1/intake", **token("chuyenvien.ubndtinh")).status_code == 403


def test_api_converts_and_dismisses(demo):
    [item] = deliver(message())
    auth = token("vanthu.ubndtinh")
    converted = Client().post(f"/api/v1/intake/{item.pk}/convert", {}, content_type="application/json", **auth)
    assert converted.status_code == 200, converted.content
    assert converted.json()["state"] == "converted" and converted.json()["incoming_id"]
    again = Client().post(f"/api/v1/intake/{item.pk}/dismiss", {"reason": "x"}, content_type="application/json",
                          **auth)
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
