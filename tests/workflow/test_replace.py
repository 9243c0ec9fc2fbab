"""Văn bản thay thế: a document issued to replace an earlier one withdraws that one from every recipient
on this installation at once (no answer asked), and both pages say which replaces which."""

import pytest

from congvan.documents.models import Document
from congvan.errors import ServiceError
from congvan.workflow import incoming
from congvan.workflow.models import IncomingItem
from congvan.workflow.notify import Notification

NOIVU, KHCN = "000.05.00.H21", "000.10.00.H21"

pytestmark = pytest.mark.django_db


def item_of(document, code):
    return IncomingItem.objects.select_related("agency").get(delivery__document=document, agency__code=code)


def test_issuing_a_replacement_withdraws_the_replaced_document_everywhere(issue_document, person, client_of):
    old = issue_document(recipients=(NOIVU, KHCN), subject="Kế hoạch kiểm tra công tác văn thư (có sai sót)")
    incoming.register(person("vanthu.sonoivu"), item_of(old, NOIVU))
    new = issue_document(recipients=(NOIVU, KHCN), subject="Kế hoạch kiểm tra công tác văn thư",
                         replaces=old.pk)

    for code in (NOIVU, KHCN):
        withdrawn = item_of(old, code)
        assert withdrawn.state == IncomingItem.State.REVOKED
        assert withdrawn.revocation_reason == f"Được thay thế bởi văn bản {new.notation}"
        assert item_of(new, code).state == IncomingItem.State.ARRIVED
        assert withdrawn.delivery.status == "15"  # the sender's trail for that recipient says so
    clerk = person("vanthu.sonoivu")
    assert Notification.objects.filter(person=clerk, text__contains=f"thay thế bởi văn bản {new.notation}").exists()

    sender_page = client_of("vanthu.ubndtinh").get(f"/van-ban-di/{new.pk}/").content.decode()
    assert old.notation in sender_page and "Thay thế văn bản" in sender_page
    assert new.notation in client_of("vanthu.ubndtinh").get(f"/van-ban-di/{old.pk}/").content.decode()
    recipient_page = client_of("vanthu.sonoivu").get(f"/van-ban-den/{item_of(old, NOIVU).pk}/").content.decode()
    assert f"Được thay thế bởi văn bản {new.notation}" in recipient_page


def test_only_an_issued_document_of_ones_own_agency_can_be_replaced(issue_document, person):
    from congvan.documents import services as documents

    officer = person("chuyenvien.ubndtinh")
    elsewhere = issue_document(sender="sonoivu", recipients=("000.00.00.H21",))
    draft = documents.create_draft(officer, doc_type="CV", subject="Dự thảo", recipients=[NOIVU])
    for target in (elsewhere.pk, draft.pk):
        with pytest.raises(ServiceError) as refused:
            documents.create_draft(officer, doc_type="CV", subject="Thay thế", recipients=[NOIVU], replaces=target)
        assert refused.value.code == "invalid_replaced_document"


def test_the_draft_form_offers_the_agencys_issued_documents_and_saves_the_choice(issue_document, client_of):
    old = issue_document(subject="Thông báo lịch họp giao ban tháng 12")
    officer = client_of("chuyenvien.ubndtinh")
    page = officer.get("/van-ban-di/soan-thao/").content.decode()
    assert f'value="{old.pk}"' in page and "Thông báo lịch họp giao ban tháng 12" in page
    response = officer.post("/van-ban-di/soan-thao/", {
        "doc_type": "TB", "subject": "Thông báo lịch họp giao ban tháng 12 (thay thế)", "recipients": [NOIVU],
        "secrecy": "none", "urgency": "none", "form": "electronic", "replaces": str(old.pk)})
    assert response.status_code == 302
    assert Document.objects.get(subject__endswith="(thay thế)").replaces == old
    refused = officer.post("/van-ban-di/soan-thao/", {
        "doc_type": "TB", "subject": "Thay thế một dự thảo", "secrecy": "none", "urgency": "none",
        "form": "electronic", "replaces": "999999"})
    assert refused.status_code == 200 and "replaces" in refused.context["form"].errors


def test_an_email_recipient_of_the_replaced_document_gets_a_revocation_notice(issue_document):
    from congvan.mail.models import OutgoingMail

    old = issue_document(recipients=(), contacts=["an.nguyen@example.com"], subject="Trả lời đơn (có sai sót)")
    new = issue_document(recipients=(), contacts=["an.nguyen@example.com"], subject="Trả lời đơn", replaces=old.pk)
    notice = OutgoingMail.objects.get(document=old, kind=OutgoingMail.Kind.REVOCATION)
    assert notice.to_address == "an.nguyen@example.com" and notice.text == f"Được thay thế bởi văn bản {new.notation}"
    assert old.deliveries.get().status == "13"
    assert OutgoingMail.objects.filter(document=new, kind=OutgoingMail.Kind.DOCUMENT).count() == 1
