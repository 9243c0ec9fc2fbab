"""The exchange channel inside one installation: issuing queues a package, arrivals become incoming
items, every status travels through the outbox, and what is wrong is refused with nothing kept."""

import os
import uuid
from datetime import datetime

import pytest

from congvan.exchange import edxml, identity, inbound, outbound
from congvan.exchange.models import InboxMessage, OutboxMessage
from congvan.workflow.models import Channel, Delivery, IncomingItem
from tests.exchange.conftest import VPCP, package_from_vpcp, vpcp_org

pytestmark = pytest.mark.django_db


def statuses_out():
    return [(m.status_code, m.to_codes) for m in OutboxMessage.objects.filter(message_type="status")
            .order_by("created_at")]


def built(message: OutboxMessage, tmp_path):
    path = outbound.build(message)
    try:
        return edxml.read_package(path, spool_dir=tmp_path)
    finally:
        os.unlink(path)


def test_issuing_to_another_installation_queues_one_signed_package(node, issue_document, tmp_path):
    doc = issue_document(recipients=("000.05.00.H21", VPCP))
    remote = Delivery.objects.get(document=doc, recipient__code=VPCP)
    assert remote.channel == Channel.EXCHANGE and remote.status == ""  # nothing arrived yet
    assert Delivery.objects.get(document=doc, recipient__code="000.05.00.H21").channel == Channel.INTERNAL
    [message] = OutboxMessage.objects.all()
    assert (message.message_type, message.to_codes, message.state) == ("edoc", [VPCP], "pending")

    package = built(message, tmp_path)
    assert package.document_id == f"000.00.00.H21,{doc.issued_at.astimezone().strftime('%Y/%m/%d')},{doc.notation}"
    assert f"{package.code_number}/{package.code_notation}" == doc.notation
    assert [o.organ_id for o in package.to] == [VPCP] and package.from_.organ_id == "000.00.00.H21"
    assert package.subject == doc.subject and package.signed
    [attachment] = package.attachments
    assert attachment.sha256 == doc.main_file.sha256 and attachment.was_zipped
    check = edxml.verify_file(outbound.build(message), [node.certificate.encode()])
    assert check.valid, check.reason


def test_arrival_registers_once_and_sends_01_back(node, deliver, person):
    package = package_from_vpcp()
    inbox = deliver(package)
    assert inbox.state == InboxMessage.State.PROCESSED and inbox.signature_valid
    item = IncomingItem.objects.get()
    assert item.agency.code == "000.00.00.H21" and item.state == IncomingItem.State.ARRIVED
    assert item.document.notation == "7816/VPCP-TTĐT" and item.document.agency.code == VPCP
    assert item.document.subject == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    assert item.document.urgency == "khan" and item.document.signer_competence == "KT. BỘ TRƯỞNG, CHỦ NHIỆM"
    assert item.document.main_file.content_type == "application/pdf"
    assert statuses_out() == [("01", [VPCP])]

    same_message = deliver(package, message_id=str(inbox.message_id))
    assert same_message.pk == inbox.pk  # the transport delivered it twice
    resent = deliver(package)  # the sender sent it again under a new id
    assert resent.state == InboxMessage.State.DUPLICATE
    assert IncomingItem.objects.count() == 1 and statuses_out() == [("01", [VPCP])]


def test_recipient_actions_send_03_to_06(node, deliver, person, tmp_path):
    deliver(package_from_vpcp())
    item = IncomingItem.objects.get()
    from congvan.workflow import incoming

    clerk, leader, officer = (person(f"{r}.ubndtinh") for r in ("vanthu", "lanhdao", "chuyenvien"))
    incoming.register(clerk, item, signature_confirmed=True)
    incoming.assign(leader, item, lead=officer.pk)
    incoming.start(officer, item)
    incoming.complete(officer, item, "Đã báo cáo")
    assert [c for c, _ in statuses_out()] == ["01", "03", "04", "05", "06"]
    status = OutboxMessage.objects.get(status_code="06")
    packet = built(status, tmp_path)
    assert packet.from_.organ_id == "000.00.00.H21" and packet.status_code == "06"
    assert packet.response_for.document_id == item.document.exchange_id
    assert packet.description == "Đã báo cáo"


def test_statuses_from_the_recipient_fill_the_senders_trail(node, issue_document, deliver):
    doc = issue_document(recipients=(VPCP,))
    delivery = Delivery.objects.get(document=doc)
    for code in ("01", "03", "04", "05", "06"):
        packet = edxml.StatusPacket(
            from_=vpcp_org(), response_for=edxml.ResponseFor(organ_id="000.00.00.H21", code=doc.notation,
                                                             document_id=doc.exchange_id),
            status_code=code, description="Số đến 12" if code == "03" else "",
            timestamp=datetime(2026, 11, 21, 8, int(code)), staff=edxml.StaffInfo(staff="Nguyễn Thị Ngọc Trâm"))
        assert deliver(packet).state == InboxMessage.State.PROCESSED
    delivery.refresh_from_db()
    trail = list(delivery.trail.all())
    assert [t.code for t in trail] == ["01", "03", "04", "05", "06"] and delivery.status == "06"
    assert trail[1].note == "Số đến 12" and trail[1].by_name == "Nguyễn Thị Ngọc Trâm"
    assert statuses_out() == []  # statuses from the other side are not echoed back


def test_revocation_both_ways(node, issue_document, deliver, person):
    from congvan.workflow import incoming, outgoing

    doc = issue_document(recipients=(VPCP,))
    outgoing.revoke(person("vanthu.ubndtinh"), doc, "Gửi nhầm")
    assert statuses_out() == [("13", [VPCP])]
    answer = edxml.StatusPacket(from_=vpcp_org(), response_for=edxml.ResponseFor(document_id=doc.exchange_id),
                                status_code="15", description="Đồng ý thu hồi", timestamp=datetime(2026, 11, 21, 9))
    deliver(answer)
    assert [t.code for t in Delivery.objects.get(document=doc).trail.all()] == ["13", "15"]

    # the other way: VPCP asks this installation's agency to give back what it received
    deliver(package_from_vpcp())
    item = IncomingItem.objects.get()
    request = edxml.StatusPacket(from_=vpcp_org(), response_for=edxml.ResponseFor(
        document_id=item.document.exchange_id), status_code="13", description="Văn bản sai thể thức",
        timestamp=datetime(2026, 11, 21, 10))
    deliver(request, to_codes=["000.00.00.H21"])
    item.refresh_from_db()
    assert item.revocation_pending and item.revocation_reason == "Văn bản sai thể thức"
    incoming.answer_revocation(person("vanthu.ubndtinh"), item, accept=True)
    item.refresh_from_db()
    assert item.state == IncomingItem.State.REVOKED
    assert statuses_out()[-2:] == [("01", [VPCP]), ("15", [VPCP])]


def test_revoke_package_is_a_revocation_request(node, deliver):
    original = package_from_vpcp()
    deliver(original)
    revoke = package_from_vpcp(business=edxml.Business(doc_type=edxml.BusinessDocType.REVOKE,
                                                       reason="Thu hồi văn bản điện tử",
                                                       document_id=original.document_id))
    deliver(revoke)
    item = IncomingItem.objects.get()
    assert item.revocation_pending and item.revocation_reason == "Thu hồi văn bản điện tử"


def test_update_package_changes_the_copy_and_answers_15(node, deliver):
    original = package_from_vpcp()
    deliver(original)
    update = package_from_vpcp(subject="V/v kết nối, liên thông (bản cập nhật)", business=edxml.Business(
        doc_type=edxml.BusinessDocType.UPDATE, reason="Sửa trích yếu", document_id=original.document_id,
        document_info=True, document_receiver=True,
        receivers=[edxml.Receiver("000.05.00.H21", 0)]))
    deliver(update)
    items = {i.agency.code: i for i in IncomingItem.objects.select_related("agency", "document")}
    assert set(items) == {"000.00.00.H21", "000.05.00.H21"}  # a receiver added by the update
    assert items["000.00.00.H21"].document.subject == "V/v kết nối, liên thông (bản cập nhật)"
    assert ("15", [VPCP]) in statuses_out()


def test_replace_package_withdraws_the_replaced_document(node, deliver):
    old = package_from_vpcp(number="7000")
    deliver(old)
    new = package_from_vpcp(number="7001", business=edxml.Business(
        doc_type=edxml.BusinessDocType.REPLACE, reason="Văn bản thay thế",
        replacements=[edxml.ReplacementInfo(old.document_id, ["000.00.00.H21"])]))
    deliver(new)
    by_notation = {i.document.notation: i for i in IncomingItem.objects.select_related("document")}
    assert by_notation["7000/VPCP-TTĐT"].state == IncomingItem.State.REVOKED
    assert "7001/VPCP-TTĐT" in by_notation["7000/VPCP-TTĐT"].revocation_reason
    assert by_notation["7001/VPCP-TTĐT"].state == IncomingItem.State.ARRIVED
    assert by_notation["7001/VPCP-TTĐT"].document.replaces == by_notation["7000/VPCP-TTĐT"].document


def test_a_replacing_document_goes_out_as_a_replace_package(node, issue_document, tmp_path):
    """Issued with "Thay thế văn bản": BussinessDocType 3, naming the replaced document and the agencies of
    other installations that received it."""
    old = issue_document(recipients=(VPCP,), subject="Về việc kết nối trục liên thông (bản có sai sót)")
    new = issue_document(recipients=(VPCP,), subject="Về việc kết nối trục liên thông", replaces=old.pk)
    [message] = OutboxMessage.objects.filter(document=new)
    package = built(message, tmp_path)
    old_id = f"000.00.00.H21,{old.issued_at.astimezone().strftime('%Y/%m/%d')},{old.notation}"
    assert package.business.doc_type == edxml.BusinessDocType.REPLACE
    assert package.business.document_id == old_id and package.business.reason == "Văn bản thay thế"
    assert package.business.replacements == [edxml.ReplacementInfo(old_id, [VPCP])]
    assert package.document_id.endswith(new.notation)


def spool_is_empty() -> bool:
    return not [n for n in os.listdir(identity.spool_dir()) if not n.startswith(".")]


def test_package_for_an_agency_not_hosted_here_is_refused(node, deliver):
    inbox = deliver(package_from_vpcp(to=("000.00.00.H41",)))
    assert inbox.state == InboxMessage.State.REFUSED and inbox.error_code == "not_hosted"
    assert "000.00.00.H41" in inbox.error
    assert not IncomingItem.objects.exists() and spool_is_empty()


def test_signature_by_an_unknown_certificate_is_refused(node, deliver):
    key, cert = edxml.generate_node_identity("ke-gia-mao")
    inbox = deliver(package_from_vpcp(), signer=edxml.NodeSigner(key, cert))
    assert inbox.state == InboxMessage.State.REFUSED and inbox.error_code == "signature_invalid"
    assert "chứng thư" in inbox.error
    assert not IncomingItem.objects.exists() and spool_is_empty()


def test_unsigned_packages_only_from_peers_configured_so(node, deliver):
    from congvan.exchange.models import Node

    refused = deliver(package_from_vpcp(), signer=None)
    assert refused.state == InboxMessage.State.REFUSED and not IncomingItem.objects.exists()
    Node.objects.filter(name="vpcp").update(accept_unsigned=True)
    accepted = deliver(package_from_vpcp(), signer=None)
    assert accepted.state == InboxMessage.State.PROCESSED and not accepted.signature_present
    assert IncomingItem.objects.count() == 1


def test_broken_package_is_refused_with_the_parsers_reason(node, tmp_path):
    path = tmp_path / "edoc.edxml"
    path.write_bytes(open("/work/shared/interop/edxml/edoc.edxml", "rb").read())
    inbox = inbound.process(str(path), message_id=str(uuid.uuid4()), from_node="vpcp")
    assert inbox.state == InboxMessage.State.REFUSED and inbox.error_code == "not_well_formed"
    assert "dòng" in inbox.error


def test_unreachable_hub_backs_off_then_dead_letter_alerts_the_operator(node, issue_document, settings, person):
    from congvan.exchange.client import ClientError, HttpHubClient
    from congvan.workflow.models import Notification

    settings.EXCHANGE_MAX_ATTEMPTS = 3
    issue_document(recipients=(VPCP,))
    message = OutboxMessage.objects.get()
    client = HttpHubClient("http://127.0.0.1:9", "token", timeout=2)  # nothing listens on port 9
    delays = []
    for _ in range(3):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=datetime(2000, 1, 1).astimezone())
        before = datetime.now().astimezone()
        with pytest.raises(ClientError):  # the pass stops at once: the hub is down for everyone
            outbound.drain(client)
        message.refresh_from_db()
        delays.append(round((message.next_attempt_at - before).total_seconds() / 60, 1))
    assert delays[:2] == [0.5, 2.0]
    assert message.state == OutboxMessage.State.DEAD and "Không kết nối được" in message.last_error
    assert Notification.objects.filter(person=person("quantri"), text__contains="không gửi được").exists()
    outbound.retry(message, person("quantri"))
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING and message.attempts == 0


def test_statuses_wait_behind_an_earlier_one_for_the_same_delivery(node, deliver, person):
    from congvan.workflow import incoming

    deliver(package_from_vpcp())
    item = IncomingItem.objects.get()
    incoming.register(person("vanthu.ubndtinh"), item, signature_confirmed=True)
    first = OutboxMessage.objects.get(status_code="01")
    OutboxMessage.objects.filter(pk=first.pk).update(next_attempt_at=datetime(2100, 1, 1).astimezone())
    assert [m.status_code for m in outbound.due()] == []  # 03 waits for 01, backing off
    OutboxMessage.objects.filter(pk=first.pk).update(next_attempt_at=datetime(2000, 1, 1).astimezone())
    assert [m.status_code for m in outbound.due()] == ["01"]


def test_secret_document_never_gets_the_exchange_channel(node, issue_document):
    from congvan.errors import SecrecyViolation

    with pytest.raises(SecrecyViolation):
        issue_document(recipients=(VPCP,), secrecy="mat", form="electronic")
    assert not OutboxMessage.objects.exists()

