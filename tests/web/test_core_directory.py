"""The public directory and delegations of roles (ủy quyền)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from congvan.directory import services as directory
from congvan.directory.models import Delegation
from congvan.documents.models import Document
from congvan.errors import Forbidden, InvalidState, ServiceError


def test_directory_is_public_and_shows_earlier_codes(client, demo):
    response = client.get(reverse("directory"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "000.00.00.H21" in html and "Ủy ban nhân dân tỉnh Gia Lai" in html
    assert "000.12.00.H21" in html and "Sở Thông tin và Truyền thông tỉnh Gia Lai" in html
    assert "Sở, ban, ngành" in html and "Cấp xã" in html and "Trung ương" in html
    assert "Đặng Văn Hưng" in html  # the leader is published
    assert "Phan Thị Lan" not in html  # the clerk is not
    assert "sokhcn@gialai.example" in html


def test_directory_search_finds_an_agency_by_its_old_code(client, demo):
    html = client.get(reverse("directory"), {"q": "000.12.00"}).content.decode()
    assert 'data-code="000.10.00.H21"' in html
    assert 'data-code="000.00.00.H21"' not in html
    html = client.get(reverse("directory"), {"q": "duc co"}).content.decode()  # folded: Đức Cơ
    assert 'data-code="000.63.00.H21"' in html


@pytest.fixture
def as_user(client, demo):
    def run(username: str):
        client.logout()
        assert client.login(username=username, password="congvan")
        return client

    return run


def submitted(person, subject: str) -> Document:
    from congvan.documents import services as documents
    from congvan.workflow import outgoing

    drafter = person("chuyenvien2.sonoivu")
    document = documents.create_draft(drafter, doc_type="CV", subject=subject, recipients=["000.00.00.H21"])
    return outgoing.submit(drafter, document)


def test_delegated_leader_can_approve_until_revoked(as_user, client, person):
    deputy = person("chuyenvien.sonoivu")
    client = as_user("lanhdao.sonoivu")
    now = timezone.localtime()
    response = client.post(reverse("delegations"), {
        "to_person": deputy.pk, "role": "leader", "reason": "Đi công tác Hà Nội",
        "starts_at": (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")}, follow=True)
    assert "Đã ủy quyền cho Châu Minh Trí" in response.content.decode()
    delegation = Delegation.objects.get()
    assert delegation.from_person.user.username == "lanhdao.sonoivu" and delegation.role == "leader"

    first = submitted(person, "Tờ trình thứ nhất")
    client = as_user("chuyenvien.sonoivu")
    html = client.get(reverse("outgoing-detail", args=[first.pk])).content.decode()
    assert ">Duyệt</button>" in html
    assert "Đi công tác Hà Nội" in client.get(reverse("delegations")).content.decode()
    client.post(reverse("outgoing-action", args=[first.pk, "approve"]))
    first.refresh_from_db()
    assert first.state == "approved" and first.approved_by == deputy

    client = as_user("lanhdao.sonoivu")
    response = client.post(reverse("delegation-revoke", args=[delegation.pk]), follow=True)
    assert "Đã thu hồi ủy quyền" in response.content.decode()
    second = submitted(person, "Tờ trình thứ hai")
    client = as_user("chuyenvien.sonoivu")
    assert client.post(reverse("outgoing-action", args=[second.pk, "approve"])).status_code == 404
    second.refresh_from_db()
    assert second.state == "submitted"


def test_delegation_rules(person):
    leader, officer = person("lanhdao.sonoivu"), person("chuyenvien.sonoivu")
    start, end = timezone.now(), timezone.now() + timedelta(days=1)
    with pytest.raises(Forbidden):  # an officer has no leader role to lend
        directory.delegate(officer, person("chuyenvien2.sonoivu"), "leader", start, end, "Nghỉ phép")
    with pytest.raises(ServiceError, match="cùng cơ quan"):
        directory.delegate(leader, person("chuyenvien.sotaichinh"), "leader", start, end, "Nghỉ phép")
    with pytest.raises(ServiceError, match="sau thời điểm bắt đầu"):
        directory.delegate(leader, officer, "leader", end, start, "Nghỉ phép")
    with pytest.raises(ServiceError, match="lý do"):
        directory.delegate(leader, officer, "leader", start, end, "  ")
    delegation = directory.delegate(leader, officer, "leader", start, end, "Nghỉ phép")
    assert "leader" in officer.roles()
    with pytest.raises(Forbidden):  # the delegate cannot lend further what was lent to them
        directory.delegate(officer, person("chuyenvien2.sonoivu"), "leader", start, end, "Tiếp tục ủy quyền")
    with pytest.raises(Forbidden):
        directory.revoke_delegation(officer, delegation)
    directory.revoke_delegation(leader, delegation)
    assert "leader" not in officer.roles()
    with pytest.raises(InvalidState):
        directory.revoke_delegation(leader, delegation)
    from congvan.audit.models import AuditEntry

    assert list(AuditEntry.objects.filter(action__startswith="delegation.").values_list("action", flat=True)
                ) == ["delegation.create", "delegation.revoke"]


def test_officer_cannot_post_a_delegation(as_user, client, person):
    client = as_user("chuyenvien.sonoivu")
    page = client.get(reverse("delegations")).content.decode()
    assert "Ủy quyền mới" not in page
    response = client.post(reverse("delegations"), {"to_person": person("chuyenvien2.sonoivu").pk,
                                                     "role": "leader", "reason": "x"}, follow=True)
    assert "Chỉ lãnh đạo hoặc văn thư được ủy quyền." in response.content.decode()
    assert not Delegation.objects.exists()
