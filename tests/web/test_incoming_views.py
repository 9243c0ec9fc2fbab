"""The incoming pages (văn bản đến) driven through the web views with the Django test client."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from congvan.workflow import outgoing
from congvan.workflow.models import Delivery, IncomingItem, LeaderNote

RECIPIENT = "000.05.00.H21"  # Sở Nội vụ


def trail(document, code=RECIPIENT) -> list[str]:
    return [s.code for s in Delivery.objects.get(document=document, recipient__code=code).trail.all()]


def item_of(document, code=RECIPIENT) -> IncomingItem:
    return IncomingItem.objects.get(document=document, agency__code=code)


def act(client, item, action, data=None, follow=True):
    return client.post(reverse("incoming-action", args=[item.pk, action]), data or {}, follow=follow)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_register_assign_start_complete_moves_the_sender_trail(client_of, person, issue_document):
    doc = issue_document(subject="Về việc triển khai chữ ký số trong cơ quan nhà nước")
    reply = issue_document(sender="sonoivu", recipients=["000.00.00.H21"], subject="Báo cáo kết quả triển khai")
    item = item_of(doc)
    clerk, leader, officer = client_of("vanthu.sonoivu"), client_of("lanhdao.sonoivu"), client_of("chuyenvien.sonoivu")
    lead, support = person("chuyenvien.sonoivu"), person("chuyenvien2.sonoivu")

    inbox = clerk.get(reverse("incoming-list"))
    assert inbox.status_code == 200
    assert "Về việc triển khai chữ ký số" in inbox.content.decode()
    page = clerk.get(reverse("incoming-detail", args=[item.pk])).content.decode()
    assert ">Vào sổ</button>" in page and ">Từ chối</button>" in page
    assert "Phân công</button>" not in page  # the clerk does not assign

    due = timezone.localdate() + timedelta(days=20)
    response = act(clerk, item, "register", {"register-due_date": due.isoformat()})
    assert "số đến 1" in " ".join(messages_of(response))
    item.refresh_from_db()
    assert (item.state, item.arrival_number, item.due_date) == ("registered", 1, due)

    page = leader.get(reverse("incoming-detail", args=[item.pk])).content.decode()
    assert ">Phân công</button>" in page and ">Bút phê</button>" in page
    response = act(leader, item, "assign", {
        "assign-lead": lead.pk, "assign-support": [support.pk], "assign-due_date": due.isoformat(),
        "assign-note": "Giao Văn phòng tham mưu, báo cáo trước hạn"})
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.state == "assigned"
    assert {(d.person_id, d.role) for d in item.distributions.all()} == {(lead.pk, "lead"), (support.pk, "support")}

    page = officer.get(reverse("incoming-detail", args=[item.pk])).content.decode()
    assert ">Bắt đầu xử lý</button>" in page and ">Hoàn thành</button>" in page
    assert "Giao Văn phòng tham mưu" in page
    act(officer, item, "start")
    response = act(officer, item, "complete", {"complete-note": "Đã báo cáo kết quả",
                                               "complete-reply_document": reply.pk})
    item.refresh_from_db()
    assert item.state == "done" and item.reply_document == reply, messages_of(response)
    assert trail(doc) == ["01", "03", "04", "05", "06"]
    page = response.content.decode()
    assert reply.notation in page and "Đã báo cáo kết quả" in page


def test_refusal_needs_a_reason_and_reports_02(client_of, issue_document):
    doc = issue_document()
    item = item_of(doc)
    clerk = client_of("vanthu.sonoivu")
    response = act(clerk, item, "refuse", {"refuse-reason": "   "})
    assert any("Lý do" in m for m in messages_of(response))
    item.refresh_from_db()
    assert item.state == "arrived" and trail(doc) == ["01"]

    response = act(clerk, item, "refuse", {"refuse-reason": "Gửi nhầm, không thuộc thẩm quyền"})
    item.refresh_from_db()
    assert item.state == "refused" and item.refusal_reason == "Gửi nhầm, không thuộc thẩm quyền"
    assert trail(doc) == ["01", "02"]
    page = response.content.decode()
    assert "Gửi nhầm, không thuộc thẩm quyền" in page and ">Vào sổ</button>" not in page


def test_accepted_revocation_withdraws_the_document_and_hides_its_files(client_of, person, issue_document):
    doc = issue_document()
    item = item_of(doc)
    clerk = client_of("vanthu.sonoivu")
    file_url = reverse("document-file", args=[doc.pk, doc.main_file.pk])
    assert file_url in clerk.get(reverse("incoming-detail", args=[item.pk])).content.decode()

    outgoing.revoke(person("vanthu.ubndtinh"), doc, "Sai nội dung, sẽ ban hành văn bản thay thế")
    page = clerk.get(reverse("incoming-detail", args=[item.pk])).content.decode()
    assert "Sai nội dung, sẽ ban hành văn bản thay thế" in page
    assert ">Đồng ý thu hồi</button>" in page and ">Không đồng ý</button>" in page
    assert ">Vào sổ</button>" not in page  # the revocation is answered first

    response = act(clerk, item, "revocation", {"revocation-decision": "accept"})
    item.refresh_from_db()
    assert item.state == "revoked" and not item.revocation_pending
    assert trail(doc) == ["01", "13", "15"]
    page = response.content.decode()
    assert "Văn bản đã bị thu hồi" in page
    assert file_url not in page and "/tep/" not in page


def test_refusing_a_revocation_needs_a_reason(client_of, person, issue_document):
    doc = issue_document()
    item = item_of(doc)
    clerk = client_of("vanthu.sonoivu")
    outgoing.revoke(person("vanthu.ubndtinh"), doc, "Nhầm nơi nhận")
    response = act(clerk, item, "revocation", {"revocation-decision": "refuse", "revocation-reason": ""})
    assert any("lý do" in m.lower() for m in messages_of(response))
    item.refresh_from_db()
    assert item.revocation_pending
    act(clerk, item, "revocation", {"revocation-decision": "refuse", "revocation-reason": "Văn bản đã được xử lý xong"})
    item.refresh_from_db()
    assert not item.revocation_pending and item.state == "arrived"
    assert trail(doc) == ["01", "13", "16"]


def test_an_officer_cannot_open_another_officers_item(client_of, person, issue_document):
    from congvan.workflow import incoming

    doc = issue_document()
    item = item_of(doc)
    incoming.register(person("vanthu.sonoivu"), item)
    incoming.assign(person("lanhdao.sonoivu"), item, lead=person("chuyenvien.sonoivu").pk)
    other = client_of("chuyenvien2.sonoivu")
    assert other.get(reverse("incoming-detail", args=[item.pk])).status_code == 404
    assert act(other, item, "start", follow=False).status_code == 404
    assert doc.subject not in other.get(reverse("incoming-list")).content.decode()
    # Another agency's clerk does not see it either.
    assert client_of("vanthu.sotaichinh").get(reverse("incoming-detail", args=[item.pk])).status_code == 404
    assert client_of("chuyenvien.sonoivu").get(reverse("incoming-detail", args=[item.pk])).status_code == 200


def test_leader_notes_keep_their_history_in_order(client_of, person, issue_document):
    from congvan.workflow import incoming

    item = item_of(issue_document())
    incoming.register(person("vanthu.sonoivu"), item)
    leader = client_of("lanhdao.sonoivu")
    act(leader, item, "note", {"note-text": "Giao Phòng Tổ chức, biên chế nghiên cứu"})
    response = act(leader, item, "note", {"note-text": "Báo cáo trước ngày 20"})
    notes = list(LeaderNote.objects.filter(item=item).values_list("text", flat=True))
    assert notes == ["Giao Phòng Tổ chức, biên chế nghiên cứu", "Báo cáo trước ngày 20"]
    page = response.content.decode()
    assert page.index("Giao Phòng Tổ chức, biên chế nghiên cứu") < page.index("Báo cáo trước ngày 20")
    assert page.count("Hồ Văn Điền") >= 2  # the author beside each note
    # An empty note is refused with a message, nothing stored.
    response = act(leader, item, "note", {"note-text": " "})
    assert messages_of(response) and LeaderNote.objects.filter(item=item).count() == 2


def test_forward_opens_the_item_to_a_colleague_and_records_the_opening(client_of, person, issue_document):
    from congvan.workflow import incoming

    item = item_of(issue_document())
    incoming.register(person("vanthu.sonoivu"), item)
    officer2 = person("chuyenvien2.sonoivu")
    colleague = client_of("chuyenvien2.sonoivu")
    assert colleague.get(reverse("incoming-detail", args=[item.pk])).status_code == 404
    act(client_of("lanhdao.sonoivu"), item, "forward", {"forward-to": [officer2.pk], "forward-note": "Để nắm thông tin"})
    distribution = item.distributions.get(person=officer2)
    assert distribution.role == "forward" and distribution.opened_at is None
    page = colleague.get(reverse("incoming-detail", args=[item.pk])).content.decode()
    distribution.refresh_from_db()
    assert distribution.opened_at is not None
    assert "Để nắm thông tin" in page and "Hồ Văn Điền" in page  # from whom
    # Someone from another agency cannot be chosen.
    stranger = person("chuyenvien.sotaichinh")
    act(client_of("lanhdao.sonoivu"), item, "forward", {"forward-to": [stranger.pk]})
    assert not item.distributions.filter(person=stranger).exists()


def test_inbox_filters_paginates_and_marks_overdue_items(client_of, person, issue_document):
    from congvan.workflow import incoming

    docs = [issue_document(subject=f"Công văn thử số {n:02d}") for n in range(26)]
    clerk = client_of("vanthu.sonoivu")
    first = clerk.get(reverse("incoming-list"))
    assert first.context["page"].paginator.count == 26 and len(first.context["rows"]) == 25
    second = clerk.get(reverse("incoming-list"), {"page": 2})
    assert len(second.context["rows"]) == 1
    assert "Công văn thử số 00" in second.content.decode()  # newest first

    late = item_of(docs[3])
    incoming.register(person("vanthu.sonoivu"), late, due_date=timezone.localdate() - timedelta(days=3))
    overdue = clerk.get(reverse("incoming-list"), {"overdue": "on"})
    assert [r["item"].pk for r in overdue.context["rows"]] == [late.pk]
    page = overdue.content.decode()
    assert "table-danger" in page and "quá hạn" in page
    registered = clerk.get(reverse("incoming-list"), {"state": "registered"})
    assert [r["item"].pk for r in registered.context["rows"]] == [late.pk]
    found = clerk.get(reverse("incoming-list"), {"q": "thử số 07"})
    assert [r["item"].document_id for r in found.context["rows"]] == [docs[7].pk]


def test_due_date_is_counted_in_working_days(client_of, person, issue_document):
    from congvan.workflow import incoming, selectors

    item = item_of(issue_document())
    today = timezone.localdate()
    due = today + timedelta(days=15)
    incoming.register(person("vanthu.sonoivu"), item, due_date=due)
    expected = selectors.working_calendar().working_days_between(today, due)
    page = client_of("vanthu.sonoivu").get(reverse("incoming-detail", args=[item.pk])).content.decode()
    assert f"còn {expected} ngày làm việc" in page


def test_unknown_action_and_get_are_refused(client_of, issue_document):
    item = item_of(issue_document())
    clerk = client_of("vanthu.sonoivu")
    assert clerk.post(reverse("incoming-action", args=[item.pk, "delete"])).status_code == 404
    assert clerk.get(reverse("incoming-action", args=[item.pk, "register"])).status_code == 405
    item.refresh_from_db()
    assert item.state == "arrived"


def test_an_officer_cannot_register(client_of, person, issue_document):
    from congvan.workflow import incoming

    item = item_of(issue_document())
    incoming.register(person("vanthu.sonoivu"), item)
    incoming.assign(person("lanhdao.sonoivu"), item, lead=person("chuyenvien.sonoivu").pk)
    officer = client_of("chuyenvien.sonoivu")
    response = act(officer, item, "assign", {"assign-lead": person("chuyenvien.sonoivu").pk})
    assert any("quyền" in m for m in messages_of(response))
    assert trail(item.document) == ["01", "03", "04"]


def test_pages_need_a_login(issue_document):
    item = item_of(issue_document())
    response = Client().get(reverse("incoming-detail", args=[item.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
