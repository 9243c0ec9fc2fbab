"""The whole life of a document inside one installation, through the services."""

import pytest

from congvan.errors import Forbidden, InvalidState, SecrecyViolation, ServiceError
from congvan.workflow import incoming, outgoing
from congvan.workflow.models import IncomingItem

pytestmark = pytest.mark.postgres


def statuses(document, recipient_code):
    delivery = document.deliveries.get(recipient__code=recipient_code)
    return [s.code for s in delivery.trail.all()]


def test_full_flow_status_trail_reaches_sender(person, issue_document):
    doc = issue_document()
    assert doc.notation == "01/UBND-VP"
    item = IncomingItem.objects.get(document=doc, agency__code="000.05.00.H21")
    clerk, leader = person("vanthu.sonoivu"), person("lanhdao.sonoivu")
    officer, officer2 = person("chuyenvien.sonoivu"), person("chuyenvien2.sonoivu")
    incoming.register(clerk, item)
    item.refresh_from_db()
    assert item.arrival_number == 1
    incoming.assign(leader, item, lead=officer.pk, support=[officer2.pk], note="Đề nghị tham mưu trước 15/12")
    incoming.start(officer, item)
    incoming.complete(officer, item, note="Đã tham mưu văn bản trả lời")
    assert statuses(doc, "000.05.00.H21") == ["01", "03", "04", "05", "06"]
    assert item.notes.get().text == "Đề nghị tham mưu trước 15/12"


def test_numbers_follow_each_other_and_types_have_their_shape(issue_document):
    first = issue_document()
    second = issue_document()
    decision = issue_document(doc_type="QĐ")
    assert [first.notation, second.notation] == ["01/UBND-VP", "02/UBND-VP"]
    assert decision.notation.endswith("/QĐ-UBND")


def test_secret_document_cannot_take_an_electronic_channel(person):
    from congvan.documents import services as documents

    officer = person("chuyenvien.ubndtinh")
    with pytest.raises(SecrecyViolation):
        documents.create_draft(officer, doc_type="CV", subject="Mật", recipients=["000.05.00.H21"],
                               secrecy="mat", form="electronic")
    doc = documents.create_draft(officer, doc_type="CV", subject="Mật", recipients=["000.05.00.H21"], secrecy="mat")
    assert doc.form == "paper"
    with pytest.raises(SecrecyViolation):
        outgoing.create_delivery(doc, doc.recipients.get(), "internal")


def test_secret_document_is_numbered_in_its_own_series(issue_document):
    normal = issue_document()
    secret = issue_document(secrecy="mat")
    assert normal.number == 1 and secret.number == 1
    assert secret.register.is_secret and not normal.register.is_secret
    assert [d.channel for d in secret.deliveries.all()] == ["paper"]


def test_refusal_and_revocation(person, issue_document):
    doc = issue_document(recipients=["000.05.00.H21", "000.03.00.H21"])
    refused = IncomingItem.objects.get(document=doc, agency__code="000.03.00.H21")
    with pytest.raises(ServiceError):
        incoming.refuse(person("vanthu.sotaichinh"), refused, "  ")
    incoming.refuse(person("vanthu.sotaichinh"), refused, "Không thuộc thẩm quyền")
    outgoing.revoke(person("vanthu.ubndtinh"), doc, "Sai nội dung, sẽ ban hành văn bản thay thế")
    item = IncomingItem.objects.get(document=doc, agency__code="000.05.00.H21")
    assert item.revocation_pending
    incoming.answer_revocation(person("vanthu.sonoivu"), item, accept=True)
    item.refresh_from_db()
    assert item.state == "revoked"
    assert statuses(doc, "000.05.00.H21") == ["01", "13", "15"]
    from congvan.errors import NotFound
    from congvan.workflow import selectors

    with pytest.raises(NotFound):  # withdrawn from use: the files can no longer be opened
        selectors.get_document(person("vanthu.sonoivu"), doc.pk)
    assert selectors.get_item(person("vanthu.sonoivu"), item.pk) == item  # the metadata is kept
    assert statuses(doc, "000.03.00.H21") == ["01", "02"]


def test_roles_are_enforced(person, issue_document):
    from congvan.documents import services as documents

    officer = person("chuyenvien.ubndtinh")
    doc = documents.create_draft(officer, doc_type="CV", subject="Thử", recipients=["000.05.00.H21"])
    with pytest.raises(InvalidState):
        outgoing.approve(person("lanhdao.ubndtinh"), doc)  # not submitted yet
    outgoing.submit(officer, doc)
    with pytest.raises(Forbidden):
        outgoing.approve(officer, doc)
    with pytest.raises(Forbidden):
        outgoing.approve(person("lanhdao.sonoivu"), doc)  # another agency's leader


def test_electronic_issue_needs_the_main_pdf(person):
    from congvan.documents import services as documents

    officer = person("chuyenvien.ubndtinh")
    doc = documents.create_draft(officer, doc_type="CV", subject="Không có tệp", recipients=["000.05.00.H21"])
    outgoing.submit(officer, doc)
    outgoing.approve(person("lanhdao.ubndtinh"), doc)
    with pytest.raises(ServiceError) as error:
        outgoing.issue(person("vanthu.ubndtinh"), doc)
    assert error.value.code == "main_file_required"
    doc.refresh_from_db()
    assert doc.number is None and doc.state == "approved"


def test_deadline_in_working_days_skips_days_off(person, issue_document):
    from datetime import timedelta

    from django.utils import timezone

    from congvan.workflow.models import CalendarDay

    today = timezone.localdate()
    for offset in range(1, 11):  # ten days off in a row from tomorrow (e.g. Tết)
        CalendarDay.objects.update_or_create(date=today + timedelta(days=offset),
                                             defaults={"kind": "holiday", "name": "Tết"})
    doc = issue_document()
    item = IncomingItem.objects.get(document=doc)
    incoming.register(person("vanthu.sonoivu"), item)
    incoming.assign(person("lanhdao.sonoivu"), item, lead=person("chuyenvien.sonoivu").pk, due_in_working_days=1)
    item.refresh_from_db()
    assert item.due_date > today + timedelta(days=10)
    assert item.due_date.weekday() < 5
    with pytest.raises(ServiceError):
        incoming.assign(person("lanhdao.sonoivu"), item, lead=person("chuyenvien.sonoivu").pk, due_in_working_days=0)
