"""Who sees what: own agency by role, and only what is addressed to the agency from others."""

import pytest

from congvan.errors import NotFound
from congvan.workflow import incoming, selectors
from congvan.workflow.models import IncomingItem

pytestmark = pytest.mark.postgres


def test_other_agency_cannot_see_a_document_not_addressed_to_it(person, issue_document):
    doc = issue_document(recipients=["000.05.00.H21"])
    with pytest.raises(NotFound):
        selectors.get_document(person("vanthu.sotaichinh"), doc.pk)
    assert selectors.get_document(person("vanthu.sonoivu"), doc.pk) == doc
    assert selectors.get_document(person("chuyenvien2.ubndtinh"), doc.pk) == doc  # issued, same agency


def test_officer_sees_only_items_handed_to_them(person, issue_document):
    doc = issue_document()
    item = IncomingItem.objects.get(document=doc)
    officer, other = person("chuyenvien.sonoivu"), person("chuyenvien2.sonoivu")
    incoming.register(person("vanthu.sonoivu"), item)
    with pytest.raises(NotFound):
        selectors.get_item(officer, item.pk)
    incoming.assign(person("lanhdao.sonoivu"), item, lead=officer.pk)
    assert selectors.get_item(officer, item.pk) == item
    with pytest.raises(NotFound):
        selectors.get_document(other, doc.pk)
    incoming.forward(officer, item, [other.pk], note="Nhờ anh xem phần số liệu")
    assert selectors.get_item(other, item.pk) == item
    assert list(selectors.inbox(other)) == [item]


def test_drafts_stay_with_their_drafter(person):
    from congvan.documents import services as documents

    drafter = person("chuyenvien.ubndtinh")
    doc = documents.create_draft(drafter, doc_type="CV", subject="Dự thảo riêng", recipients=["000.05.00.H21"])
    for username in ("chuyenvien2.ubndtinh", "lanhdao.ubndtinh", "vanthu.ubndtinh", "vanthu.sonoivu"):
        with pytest.raises(NotFound):
            selectors.get_document(person(username), doc.pk)
    assert selectors.get_document(drafter, doc.pk) == doc


def test_secret_issued_document_hidden_from_officers(person, issue_document):
    doc = issue_document(secrecy="mat")
    with pytest.raises(NotFound):
        selectors.get_document(person("chuyenvien2.ubndtinh"), doc.pk)
    assert selectors.get_document(person("lanhdao.ubndtinh"), doc.pk) == doc


def test_delegated_role_works_only_in_its_period(person):
    from datetime import timedelta

    from django.utils import timezone

    from congvan.directory.models import Delegation

    leader, officer = person("lanhdao.sonoivu"), person("chuyenvien.sonoivu")
    now = timezone.now()
    Delegation.objects.create(from_person=leader, to_person=officer, role="leader", starts_at=now - timedelta(hours=1),
                              ends_at=now + timedelta(days=2))
    assert officer.has_role("leader")
    assert not officer.roles(at=now + timedelta(days=3)) & {"leader"}
