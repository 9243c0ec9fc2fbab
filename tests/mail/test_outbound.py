"""Mail out: the e-mail channel of the delivery spine. Issuing to a recipient outside the exchange sends a
well-formed, DKIM-signed message with the signed PDF through the relay (an SMTP server on loopback);
refusals and bounces (DSN) mark the delivery refused (02) with the reason; retries, dead letters, held mail."""

import email
import email.policy
from datetime import timedelta

import dkim as dkimpy
import pytest
from django.test import Client
from django.utils import timezone

from congvan.directory.models import Agency
from congvan.documents import storage
from congvan.mail import dkim, intake, outbox, services, transport
from congvan.mail.models import OutgoingMail
from congvan.workflow.models import Channel, Delivery, Notification
from congvan.workflow.outgoing import channel_for
from tests.mail.test_mime import dsn

pytestmark = pytest.mark.django_db
CITIZEN = "an.nguyen@example.com"


@pytest.fixture
def dkim_key(db):
    return dkim.create_key("gialai.example", "test2026", bits=1024)


def issue_to_citizen(issue_document, **fields):
    return issue_document(recipients=("000.05.00.H21",), contacts=[f"Nguyễn Văn An <{CITIZEN}>"],
                          subject="Về việc trả lời đơn đề nghị của ông Nguyễn Văn An", **fields)


def send_all() -> int:
    return outbox.drain(transport.transport())


def dns_for(key):
    def lookup(name, timeout=5):
        assert name == f"{key.dns_name}.".encode()
        return key.dns_value.encode()
    return lookup


@pytest.mark.postgres  # constraints and dates behave differently on the two databases
def test_issued_document_goes_to_the_citizen_dkim_signed_with_the_pdf(issue_document, relay, dkim_key):
    document = issue_to_citizen(issue_document)
    delivery = Delivery.objects.get(document=document, contact__email=CITIZEN)
    assert delivery.channel == Channel.EMAIL and delivery.recipient is None and delivery.status == ""
    assert Delivery.objects.get(document=document, recipient__code="000.05.00.H21").channel == Channel.INTERNAL
    assert send_all() == 1
    [(envelope_from, rcpts, raw)] = relay.received
    assert rcpts == [CITIZEN] and envelope_from.startswith("bounces+") and envelope_from.endswith("@gialai.example")
    assert dkimpy.verify(raw, dnsfunc=dns_for(dkim_key))
    tampered = raw.replace(b"X-Congvan-Agency: 000.00.00.H21", b"X-Congvan-Agency: 000.00.00.H22")
    assert tampered != raw and not dkimpy.verify(tampered, dnsfunc=dns_for(dkim_key))
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == f"Công văn số {document.notation} của UBND: {document.subject}"
    assert message["From"].addresses[0].display_name == "Ủy ban nhân dân tỉnh Gia Lai"
    assert message["From"].addresses[0].addr_spec == "ubndtinh@gialai.example" and message["Reply-To"] == "ubndtinh@gialai.example"
    assert message["To"].addresses[0].display_name == "Nguyễn Văn An"
    assert message["X-Congvan-Document"] == document.notation
    body = message.get_body(("plain",)).get_content()
    assert "Kính gửi: Nguyễn Văn An" in body and document.notation in body
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == document.main_file.name
    assert attachment.get_content() == storage.blob_path(document.main_file.sha256).read_bytes()
    delivery.refresh_from_db()
    assert delivery.status == "01" and "queued as 4F7D2F24C8" in delivery.trail.get().note
    mail = OutgoingMail.objects.get()
    assert mail.state == "sent" and mail.dkim_domain == "gialai.example"


@pytest.mark.postgres  # constraints and dates behave differently on the two databases
def test_a_bounce_marks_the_delivery_refused_with_the_reason(issue_document, relay, dkim_key):
    document = issue_to_citizen(issue_document)
    send_all()
    [(envelope_from, _rcpts, raw)] = relay.received
    original = email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]
    assert intake.deliver(dsn(original_id=original), source="smtp", envelope_from="",
                          recipients=[envelope_from]) == []  # a bounce is no intake item
    delivery = Delivery.objects.get(document=document, contact__email=CITIZEN)
    assert [s.code for s in delivery.trail.all()] == ["01", "02"]
    assert "5.1.1" in delivery.trail.last().note and "User unknown" in delivery.trail.last().note
    mail = OutgoingMail.objects.get()
    assert mail.state == "failed" and mail.bounce_id and "User unknown" in mail.last_error
    assert Notification.objects.filter(person__user__username="vanthu.ubndtinh",
                                       text__contains="bị trả lại").exists()


def test_recipient_refused_by_the_relay_fails_at_once(issue_document, relay):
    relay.refuse.add(CITIZEN)
    document = issue_to_citizen(issue_document)
    assert send_all() == 0
    mail = OutgoingMail.objects.get()
    assert mail.state == "failed" and "550 5.1.1" in mail.last_error and mail.attempts == 1
    delivery = Delivery.objects.get(document=document, contact__email=CITIZEN)
    assert delivery.status == "02" and "User unknown" in delivery.trail.get().note


def test_a_relay_that_is_down_is_retried_then_the_message_is_dead(issue_document, relay, settings):
    settings.MAIL_MAX_ATTEMPTS = 3
    relay.down = True
    issue_to_citizen(issue_document)
    for attempt in range(1, 4):
        OutgoingMail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
        assert send_all() == 0
        mail = OutgoingMail.objects.get()
        assert mail.attempts == attempt and "451" in mail.last_error
    assert mail.state == "dead"
    assert Notification.objects.filter(person__user__username="quantri", text__contains="sau 3 lần").exists()
    services.retry(Agency.objects.get(slug="sokhcn").people.get(user__username="quantri"), mail)
    relay.down = False
    assert send_all() == 1 and OutgoingMail.objects.get().state == "sent"


def test_without_a_relay_outside_mail_waits_and_own_addresses_arrive(issue_document, person):
    document = issue_document(recipients=(), contacts=[CITIZEN, "Sở Nội vụ <sonoivu@gialai.example>"])
    assert send_all() == 1  # the one for this installation's own agency address
    held = OutgoingMail.objects.get(to_address=CITIZEN)
    assert held.state == "held" and "CONGVAN_MAIL_RELAY_HOST" in held.last_error and held.attempts == 0
    from congvan.mail.models import IntakeItem

    [item] = IntakeItem.objects.filter(agency__slug="sonoivu")
    assert item.subject.startswith(f"Công văn số {document.notation}")


def test_the_channel_of_each_recipient(issue_document, person):
    from congvan.directory.models import ExternalContact
    from congvan.exchange.models import Node, Route

    document = issue_document(recipients=("000.05.00.H21",))
    local, vpcp = Agency.objects.get(code="000.05.00.H21"), Agency.objects.get(code="000.00.00.G22")
    assert channel_for(document, local) == Channel.INTERNAL
    assert channel_for(document, vpcp) == Channel.EMAIL  # no route: its official address
    Agency.objects.filter(pk=vpcp.pk).update(email="")
    vpcp.refresh_from_db()
    assert channel_for(document, vpcp) == Channel.PAPER
    Route.objects.create(agency_code=vpcp.code, node=Node.objects.create(name="vpcp", kind=Node.Kind.REMOTE))
    assert channel_for(document, vpcp) == Channel.EXCHANGE
    contact = ExternalContact(agency=document.agency, name="Công ty ABC", email="vanthu@abc.example")
    assert channel_for(document, contact) == Channel.EMAIL


def test_a_secret_document_never_goes_by_mail(issue_document):
    document = issue_document(recipients=(), contacts=[CITIZEN], secrecy="mat", form="paper")
    [delivery] = document.deliveries.all()
    assert delivery.channel == Channel.PAPER and not OutgoingMail.objects.exists()
    from congvan.errors import SecrecyViolation
    from congvan.workflow.outgoing import create_delivery

    with pytest.raises(SecrecyViolation):
        create_delivery(document, delivery.contact, Channel.EMAIL)


def test_revocation_is_told_by_mail(issue_document, person, relay):
    from congvan.workflow import outgoing

    document = issue_to_citizen(issue_document)
    outgoing.revoke(person("vanthu.ubndtinh"), document, "Sai thông tin người nhận")
    assert send_all() == 2
    subjects = [email.message_from_bytes(raw, policy=email.policy.default)["Subject"] for *_x, raw in relay.received]
    assert f"Thu hồi công văn số {document.notation} của UBND" in subjects


def test_api_deliveries_show_the_mail(issue_document, relay):
    document = issue_to_citizen(issue_document)
    send_all()
    token = Client().post("/api/v1/auth/token", {"username": "vanthu.ubndtinh", "password": "congvan"},
                          content_type="application/json").json()["token"]
    rows = Client().get(f"/api/v1/documents/{document.pk}/deliveries", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    by_channel = {r["channel"]: r for r in rows}
    citizen = by_channel["email"]
    assert citizen["recipient_code"] == "" and citizen["recipient_email"] == CITIZEN
    assert citizen["recipient_name"] == "Nguyễn Văn An" and citizen["status"] == "01"
    assert citizen["mail"]["state"] == "sent" and citizen["mail"]["to"] == CITIZEN
    assert by_channel["internal"]["mail"] is None


def test_new_arrivals_are_also_mailed_to_who_asked(issue_document, person, relay):
    services.set_preference(person("vanthu.sonoivu"), True)
    issue_document(recipients=("000.05.00.H21",), subject="Về việc báo cáo biên chế")
    [mail] = OutgoingMail.objects.filter(kind="notify")
    assert mail.to_address == "vanthu.sonoivu@gialai.example" and "Về việc báo cáo biên chế" in mail.text
    assert send_all() == 1
    raw = relay.received[0][2]
    assert email.message_from_bytes(raw, policy=email.policy.default)["Auto-Submitted"] == "auto-generated"


def test_api_drafts_address_email_recipients(demo):
    auth = {"HTTP_AUTHORIZATION": "Bearer " + Client().post(
        "/api/v1/auth/token", {"username": "chuyenvien.ubndtinh", "password": "congvan"},
        content_type="application/json").json()["token"]}
    created = Client().post("/api/v1/documents", {
        "type": "CV", "subject": "Trả lời doanh nghiệp", "recipients": ["000.05.00.H21"],
        "contacts": [{"name": "Công ty TNHH An Phú", "email": "VanThu@AnPhu.example"}]},
        content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    assert created.json()["contacts"] == [{"name": "Công ty TNHH An Phú", "email": "vanthu@anphu.example"}]
    bad = Client().patch(f"/api/v1/documents/{created.json()['id']}", {"contacts": [{"email": "không hợp lệ"}]},
                         content_type="application/json", **auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_contact"
