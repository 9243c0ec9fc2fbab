"""Quản trị liên thông (quan-tri/lien-thong/): the province operator's view of the exchange."""

import re
import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from congvan.audit.models import AuditEntry
from congvan.documents import storage
from congvan.exchange.models import HubMessage, InboxMessage, Node, OutboxMessage

PAGE = "admin-exchange"


def certificate_pem(name: str) -> tuple[str, str]:
    """A self-signed node certificate and its SHA-256 fingerprint as the page shows it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = timezone.now()
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))
    fingerprint = ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode(), fingerprint


def row_numbers(page: str, node: str) -> list[int]:
    """The numeric cells of the hub traffic table's row for ``node``."""
    table = re.search(r'<table[^>]*id="hub-traffic".*?</table>', page, re.S).group(0)
    row = next(r for r in re.findall(r"<tr>.*?</tr>", table, re.S) if f"<code>{node}</code>" in r)
    return [int(n) for n in re.findall(r'<td class="text-end[^"]*">(\d+)</td>', row)]


def test_the_page_is_for_the_province_operator(client_of):
    clerk = client_of("vanthu.ubndtinh")
    assert clerk.get(reverse(PAGE)).status_code == 403
    peer = Node.objects.create(name="huyen-a", kind=Node.Kind.PEER)
    response = clerk.post(reverse(PAGE), {"action": "unsigned", "node": peer.pk, "value": "1"})
    assert response.status_code == 403
    peer.refresh_from_db()
    assert not peer.accept_unsigned
    assert reverse(PAGE) not in clerk.get(reverse("admin-home")).content.decode()

    operator = client_of("quantri")
    assert reverse(PAGE) in operator.get(reverse("admin-home")).content.decode()
    page = operator.get(reverse(PAGE))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Liên thông văn bản" in text and "Chưa cấu hình liên thông" in text


def test_node_identity_and_the_hub_it_uses(client_of):
    pem, fingerprint = certificate_pem("so-noi-vu")
    Node.objects.create(name="so-noi-vu", kind=Node.Kind.SELF, title="Sở Nội vụ", certificate=pem)
    Node.objects.create(name="hub", kind=Node.Kind.HUB, url="https://truc.gialai.gov.vn", token="secret")
    page = client_of("quantri").get(reverse(PAGE)).content.decode()
    assert "so-noi-vu" in page and fingerprint in page
    assert "https://truc.gialai.gov.vn" in page
    assert "Hệ thống này là trục liên thông" not in page
    assert "secret" not in page  # the node's credential at the hub never reaches the page


def test_dead_letter_is_shown_and_sent_again(client_of, person, issue_document):
    document = issue_document()
    letter = OutboxMessage.objects.create(
        message_type="edoc", document=document, from_code=document.agency.code, to_codes=["000.00.01.G01"],
        at=timezone.now(), state=OutboxMessage.State.DEAD, attempts=30,
        next_attempt_at=timezone.now() + timedelta(hours=1),
        last_error="Trục trả lời 422: Trục không biết hệ thống nào quản lý cơ quan nhận: 000.00.01.G01.")
    waiting = OutboxMessage.objects.create(
        message_type="status", status_code="03", from_code="000.00.01.G01", to_codes=[document.agency.code],
        at=timezone.now(), attempts=2, next_attempt_at=timezone.now() + timedelta(minutes=20),
        last_error="Không kết nối được trục truc.gialai.gov.vn: timed out")
    operator = client_of("quantri")
    page = operator.get(reverse(PAGE)).content.decode()
    assert "Gói tin không gửi được" in page and "Gói tin đang chuyển" in page
    assert "Trục không biết hệ thống nào quản lý cơ quan nhận: 000.00.01.G01." in page
    assert document.notation in page and reverse("outgoing-detail", args=[document.pk]) in page
    assert waiting.last_error in page and "Trạng thái 03" in page and "Đã tiếp nhận" in page
    assert 'name="csrfmiddlewaretoken"' in page and f'value="{letter.pk}"' in page

    before = timezone.now()
    response = operator.post(reverse(PAGE), {"action": "retry", "message": str(letter.pk)}, follow=True)
    letter.refresh_from_db()
    assert letter.state == OutboxMessage.State.PENDING and letter.attempts == 0
    assert before <= letter.next_attempt_at <= timezone.now()
    assert any("gửi lại" in str(m) for m in response.context["messages"])
    entry = AuditEntry.objects.get(action="exchange.retry")
    assert entry.actor == "quantri" and entry.data["message"] == str(letter.pk)
    assert "Không có gói tin nào bị dừng gửi." in response.content.decode()

    # Sending again something no longer dead does nothing but say so.
    response = operator.post(reverse(PAGE), {"action": "retry", "message": str(letter.pk)}, follow=True)
    assert AuditEntry.objects.filter(action="exchange.retry").count() == 1
    assert any("không còn" in str(m) for m in response.context["messages"])
    assert operator.post(reverse(PAGE), {"action": "retry", "message": "not-a-uuid"}).status_code == 302


def test_refused_packages_are_listed_with_their_reason(client_of):
    InboxMessage.objects.create(
        message_id=uuid.uuid4(), from_node="so-gddt", message_type="edoc", from_code="000.00.12.H21",
        document_id="000.00.12.H21,2026/01/05,12/SGDĐT-VP", state=InboxMessage.State.REFUSED,
        error_code="signature_invalid", error="Chữ ký số của gói tin không hợp lệ: digest mismatch")
    InboxMessage.objects.create(message_id=uuid.uuid4(), from_node="so-gddt", message_type="edoc",
                                document_id="000.00.12.H21,2026/01/06,13/SGDĐT-VP",
                                state=InboxMessage.State.PROCESSED)
    page = client_of("quantri").get(reverse(PAGE)).content.decode()
    section = page.split("Gói tin bị từ chối khi nhận", 1)[1]
    assert "so-gddt" in section and "000.00.12.H21" in section
    assert "000.00.12.H21,2026/01/05,12/SGDĐT-VP" in section and "signature_invalid" in section
    assert "Chữ ký số của gói tin không hợp lệ: digest mismatch" in section
    assert "13/SGDĐT-VP" not in page  # processed messages are not problems


def test_hub_traffic_per_installation(client_of):
    Node.objects.create(name="tinh", kind=Node.Kind.SELF, title="Trục tỉnh")
    a = Node.objects.create(name="huyen-a", kind=Node.Kind.PEER, title="Huyện A",
                            last_seen_at=timezone.now() - timedelta(minutes=5))
    b = Node.objects.create(name="huyen-b", kind=Node.Kind.PEER, title="Huyện B")
    blob = storage.store_bytes(b"<edXML/>")

    def message(state, reason=""):
        return HubMessage.objects.create(message_id=uuid.uuid4(), sender=a, recipient=b, message_type="edoc",
                                         from_code="000.00.31.H21", to_codes=["000.00.32.H21"], blob=blob,
                                         state=state, reason=reason)

    for _ in range(2):
        message(HubMessage.State.DONE)
    message(HubMessage.State.PENDING)
    message(HubMessage.State.FAILED, "signature_invalid: Chữ ký số của gói tin không hợp lệ")
    old = message(HubMessage.State.DONE)
    HubMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))  # outside 7 days

    page = client_of("quantri").get(reverse(PAGE)).content.decode()
    assert "Hệ thống này là trục liên thông" in page
    assert row_numbers(page, "huyen-a") == [4, 0, 0, 0]  # sent, received, waiting, refused/dead
    assert row_numbers(page, "huyen-b") == [0, 2, 1, 1]
    assert "signature_invalid: Chữ ký số của gói tin không hợp lệ" in page  # the hub's problem list
    assert "Bên nhận từ chối" in page


def test_operator_allows_and_forbids_unsigned_packages(client_of):
    Node.objects.create(name="tinh", kind=Node.Kind.SELF)
    peer = Node.objects.create(name="huyen-cu", kind=Node.Kind.PEER, title="Huyện dùng phần mềm cũ")
    operator = client_of("quantri")
    page = operator.get(reverse(PAGE)).content.decode()
    assert "huyen-cu" in page and "Huyện dùng phần mềm cũ" in page and "Phải ký" in page

    response = operator.post(reverse(PAGE), {"action": "unsigned", "node": peer.pk, "value": "1"}, follow=True)
    peer.refresh_from_db()
    assert peer.accept_unsigned
    assert "Được phép" in response.content.decode()
    entry = AuditEntry.objects.get(action="exchange.node_unsigned")
    assert entry.actor == "quantri" and entry.data == {"node": "huyen-cu", "value": True}

    operator.post(reverse(PAGE), {"action": "unsigned", "node": peer.pk, "value": "0"})
    peer.refresh_from_db()
    assert not peer.accept_unsigned
    assert list(AuditEntry.objects.filter(action="exchange.node_unsigned").values_list("data__value", flat=True)
                .order_by("seq")) == [True, False]

    # This installation itself is not in the list and cannot be changed here.
    me = Node.objects.get(kind=Node.Kind.SELF)
    response = operator.post(reverse(PAGE), {"action": "unsigned", "node": me.pk, "value": "1"}, follow=True)
    me.refresh_from_db()
    assert not me.accept_unsigned
    assert any("Không có hệ thống này" in str(m) for m in response.context["messages"])
