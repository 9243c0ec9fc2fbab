"""The whole life of a document through the REST API alone: no service is called directly."""

import hashlib

from tests.api.conftest import error_of
from tests.conftest import make_pdf

SO_NOI_VU = "000.05.00.H21"
SO_TAI_CHINH = "000.03.00.H21"


def person_id(client, username: str, agency: str) -> int:
    people = client.get("/people", {"agency": agency}).json()
    return next(p["id"] for p in people if p["username"] == username)


def issue(api, recipients, subject="Về việc tăng cường sử dụng văn bản điện tử", pdf: bytes | None = None) -> dict:
    officer, leader, clerk = api("chuyenvien.ubndtinh"), api("lanhdao.ubndtinh"), api("vanthu.ubndtinh")
    created = officer.post("/documents", {"type": "CV", "subject": subject, "recipients": recipients,
                                          "secrecy": "none", "urgency": "khan", "due_date": "2026-12-15",
                                          "drafting_unit": "VP"})
    assert created.status_code == 201, created.content
    doc = created.json()
    assert doc["state"] == "draft" and doc["recipients"] == sorted(recipients)
    assert doc["drafting_unit"] == "VP" and doc["urgency"] == "khan" and doc["due_date"] == "2026-12-15"
    uploaded = officer.upload(f"/documents/{doc['id']}/files", "cong-van.pdf", pdf or make_pdf())
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["role"] == "main"
    assert officer.post(f"/documents/{doc['id']}/submit").json()["state"] == "submitted"
    assert leader.post(f"/documents/{doc['id']}/approve").json()["state"] == "approved"
    issued = clerk.post(f"/documents/{doc['id']}/issue")
    assert issued.status_code == 200, issued.content
    return issued.json()


def inbox_item(client, document_id: int) -> dict:
    items = client.get("/inbox").json()
    return next(i for i in items if i["document"]["id"] == document_id)


def test_full_flow_through_the_api(api):
    pdf = make_pdf()
    doc = issue(api, [SO_NOI_VU], pdf=pdf)
    assert doc["notation"] == "01/UBND-VP"
    assert doc["number"] == 1 and doc["state"] == "issued" and doc["issued_at"]

    clerk = api("vanthu.sonoivu")
    arrived = clerk.get("/inbox", {"state": "arrived"}).json()
    assert [i["document"]["id"] for i in arrived] == [doc["id"]]
    item = arrived[0]
    assert item["state"] == "arrived" and item["arrival_number"] is None and item["status"] == "01"
    assert item["document"]["notation"] == "01/UBND-VP"

    # The recipient downloads the issued file through the url it was given, with its own token.
    [file] = item["document"]["files"]
    downloaded = clerk.client.get(file["url"], HTTP_AUTHORIZATION=f"Bearer {clerk.token}")
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == pdf
    assert file["size"] == len(pdf) and file["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert "attachment" in downloaded["Content-Disposition"] and "cong-van.pdf" in downloaded["Content-Disposition"]

    registered = clerk.post(f"/incoming/{item['id']}/register", {"due_date": "2026-12-20"})
    assert registered.status_code == 200, registered.content
    assert registered.json()["arrival_number"] == 1
    assert registered.json()["status"] == "03" and registered.json()["due_date"] == "2026-12-20"

    leader = api("lanhdao.sonoivu")
    lead = person_id(leader, "chuyenvien.sonoivu", SO_NOI_VU)
    support = person_id(leader, "chuyenvien2.sonoivu", SO_NOI_VU)
    assigned = leader.post(f"/incoming/{item['id']}/assign",
                           {"lead": lead, "support": [support], "info": [], "due_date": "2026-12-18",
                            "note": "Đề nghị tham mưu trước 15/12"})
    assert assigned.status_code == 200, assigned.content
    body = assigned.json()
    assert body["state"] == "assigned" and body["status"] == "04"
    assert [(d["person_id"], d["role"]) for d in body["distributions"]] == [(lead, "lead"), (support, "support")]
    assert [n["text"] for n in body["notes"]] == ["Đề nghị tham mưu trước 15/12"]

    officer = api("chuyenvien.sonoivu")
    assert [i["id"] for i in officer.get("/inbox").json()] == [item["id"]]
    assert officer.post(f"/incoming/{item['id']}/start").json()["status"] == "05"
    done = officer.post(f"/incoming/{item['id']}/complete", {"note": "Đã tham mưu văn bản trả lời",
                                                              "reply_document": None})
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "done" and done.json()["completion_note"] == "Đã tham mưu văn bản trả lời"

    sender = api("vanthu.ubndtinh")
    [delivery] = sender.get(f"/documents/{doc['id']}/deliveries").json()
    assert delivery["recipient_code"] == SO_NOI_VU and delivery["channel"] == "internal"
    assert delivery["status"] == "06"
    assert [s["status"] for s in delivery["trail"]] == ["01", "03", "04", "05", "06"]
    assert delivery["trail"][1]["note"] == "Số đến 1"
    assert all(s["at"] for s in delivery["trail"])


def test_drafter_edits_and_leader_returns(api):
    officer, leader = api("chuyenvien.ubndtinh"), api("lanhdao.ubndtinh")
    doc = officer.post("/documents", {"type": "CV", "subject": "Bản nháp", "recipients": [SO_NOI_VU]}).json()
    patched = officer.patch(f"/documents/{doc['id']}", {"subject": "Về việc báo cáo số liệu",
                                                         "recipients": [SO_NOI_VU, SO_TAI_CHINH]})
    assert patched.status_code == 200, patched.content
    assert patched.json()["subject"] == "Về việc báo cáo số liệu"
    assert patched.json()["recipients"] == sorted([SO_NOI_VU, SO_TAI_CHINH])
    cleared = officer.patch(f"/documents/{doc['id']}", {"type": None, "subject": None, "due_date": None,
                                                         "urgency": "hoa_toc"}).json()
    assert (cleared["type"], cleared["subject"], cleared["due_date"], cleared["urgency"]) == (
        "CV", "Về việc báo cáo số liệu", None, "hoa_toc")
    officer.post(f"/documents/{doc['id']}/submit")
    error = error_of(leader.post(f"/documents/{doc['id']}/return", {"reason": "  "}), 400)
    assert error["code"] == "reason_required"
    returned = leader.post(f"/documents/{doc['id']}/return", {"reason": "Bổ sung số liệu quý III"})
    assert returned.json()["state"] == "returned" and returned.json()["return_reason"] == "Bổ sung số liệu quý III"
    assert [d["id"] for d in officer.get("/documents", {"state": "returned"}).json()] == [doc["id"]]
    assert officer.get("/documents", {"state": "draft"}).json() == []


def test_refusal_and_revocation_through_the_api(api):
    doc = issue(api, [SO_NOI_VU, SO_TAI_CHINH])

    finance = api("vanthu.sotaichinh")
    refused_item = inbox_item(finance, doc["id"])
    error = error_of(finance.post(f"/incoming/{refused_item['id']}/refuse", {"reason": " "}), 400)
    assert error["code"] == "reason_required"
    refused = finance.post(f"/incoming/{refused_item['id']}/refuse", {"reason": "Không thuộc thẩm quyền"})
    assert refused.status_code == 200, refused.content
    assert refused.json()["state"] == "refused" and refused.json()["status"] == "02"

    revoked = api("vanthu.ubndtinh").post(f"/documents/{doc['id']}/revoke",
                                          {"reason": "Sai nội dung, sẽ ban hành văn bản thay thế"})
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["revocation_reason"] == "Sai nội dung, sẽ ban hành văn bản thay thế"

    home = api("vanthu.sonoivu")
    item = inbox_item(home, doc["id"])
    assert item["revocation_pending"] and item["status"] == "13"
    answered = home.post(f"/incoming/{item['id']}/revocation", {"accept": True, "reason": ""})
    assert answered.status_code == 200, answered.content
    assert answered.json()["state"] == "revoked" and not answered.json()["revocation_pending"]
    error = error_of(home.post(f"/incoming/{item['id']}/revocation", {"accept": True, "reason": ""}), 409)
    assert error["code"] == "invalid_state"

    trails = {d["recipient_code"]: [s["status"] for s in d["trail"]]
              for d in api("lanhdao.ubndtinh").get(f"/documents/{doc['id']}/deliveries").json()}
    assert trails == {SO_NOI_VU: ["01", "13", "15"], SO_TAI_CHINH: ["01", "02"]}
    # A recipient follows only its own delivery.
    assert [d["recipient_code"] for d in finance.get(f"/documents/{doc['id']}/deliveries").json()] \
        == [SO_TAI_CHINH]
    # Withdrawn from use: the recipient keeps the item's metadata, not the document or its files.
    assert error_of(home.get(f"/documents/{doc['id']}"), 404)["code"] == "not_found"
    kept = home.get(f"/incoming/{item['id']}").json()
    assert kept["state"] == "revoked" and kept["document"]["notation"] == doc["notation"]
    assert kept["document"]["files"] == []
    download = home.client.get(doc["files"][0]["url"], HTTP_AUTHORIZATION=f"Bearer {home.token}")
    assert error_of(download, 404)["code"] == "not_found"


def test_revocation_refused_needs_a_reason(api):
    doc = issue(api, [SO_NOI_VU])
    api("vanthu.ubndtinh").post(f"/documents/{doc['id']}/revoke", {"reason": "Ban hành nhầm"})
    clerk = api("vanthu.sonoivu")
    item = inbox_item(clerk, doc["id"])
    assert error_of(clerk.post(f"/incoming/{item['id']}/revocation", {"accept": False, "reason": ""}),
                    400)["code"] == "reason_required"
    answered = clerk.post(f"/incoming/{item['id']}/revocation", {"accept": False, "reason": "Đã triển khai"})
    assert answered.json()["status"] == "16" and answered.json()["state"] == "arrived"


def test_a_replacement_through_the_api(api):
    """``replaces`` on a draft: issuing it withdraws the replaced document from its recipient."""
    old = issue(api, [SO_NOI_VU], subject="Kế hoạch tập huấn (có sai sót)")
    officer, leader, clerk = api("chuyenvien.ubndtinh"), api("lanhdao.ubndtinh"), api("vanthu.ubndtinh")
    refused = officer.post("/documents", {"type": "KH", "subject": "Thay thế", "replaces": old["id"] + 999})
    assert error_of(refused, 400)["code"] == "invalid_replaced_document"
    draft = officer.post("/documents", {"type": "KH", "subject": "Kế hoạch tập huấn", "recipients": [SO_NOI_VU],
                                        "replaces": old["id"]}).json()
    assert draft["replaces"] == old["id"]
    officer.upload(f"/documents/{draft['id']}/files", "ke-hoach.pdf", make_pdf())
    officer.post(f"/documents/{draft['id']}/submit")
    leader.post(f"/documents/{draft['id']}/approve")
    new = clerk.post(f"/documents/{draft['id']}/issue").json()
    withdrawn = inbox_item(api("vanthu.sonoivu"), old["id"])
    assert withdrawn["state"] == "revoked" and new["notation"] in withdrawn["revocation_reason"]


def test_leader_note_forward_and_reply_document(api):
    doc = issue(api, [SO_NOI_VU])
    clerk, leader = api("vanthu.sonoivu"), api("lanhdao.sonoivu")
    item = inbox_item(clerk, doc["id"])
    clerk.post(f"/incoming/{item['id']}/register")
    note = leader.post(f"/incoming/{item['id']}/notes", {"text": "Giao Phòng Tổ chức, biên chế tham mưu"})
    assert note.status_code == 201, note.content
    assert note.json()["text"] == "Giao Phòng Tổ chức, biên chế tham mưu"
    assert note.json()["author"] == "Hồ Văn Điền"
    officer2 = person_id(leader, "chuyenvien2.sonoivu", SO_NOI_VU)
    forwarded = leader.post(f"/incoming/{item['id']}/forward", {"to": [officer2], "note": "Để nghiên cứu"})
    assert forwarded.status_code == 200, forwarded.content
    assert [(d["person_id"], d["role"]) for d in forwarded.json()["distributions"]] == [(officer2, "forward")]

    colleague = api("chuyenvien2.sonoivu")
    opened = colleague.get(f"/incoming/{item['id']}")
    assert opened.status_code == 200
    assert opened.json()["distributions"][0]["opened_at"] is not None
    assert colleague.get("/inbox").json()[0]["id"] == item["id"]
    # Someone who was not handed the item does not see it at all.
    assert error_of(api("chuyenvien.sonoivu").get(f"/incoming/{item['id']}"), 404)["code"] == "not_found"

    lead = person_id(leader, "chuyenvien.sonoivu", SO_NOI_VU)
    leader.post(f"/incoming/{item['id']}/assign", {"lead": lead})
    officer = api("chuyenvien.sonoivu")
    reply = officer.post("/documents", {"type": "CV", "subject": "Trả lời", "recipients": ["000.00.00.H21"]}).json()
    foreign = officer.post(f"/incoming/{item['id']}/complete", {"note": "", "reply_document": doc["id"] + 1000})
    assert error_of(foreign, 400)["code"] == "invalid_reply"
    done = officer.post(f"/incoming/{item['id']}/complete", {"note": "Đã trả lời", "reply_document": reply["id"]})
    assert done.json()["reply_document"] == reply["id"] and done.json()["status"] == "06"


def test_lists_cost_the_same_number_of_queries_whatever_their_length(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clerk, sender = api("vanthu.sonoivu"), api("vanthu.ubndtinh")

    def cost(client, path) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    issue(api, [SO_NOI_VU])
    one = cost(clerk, "/inbox"), cost(sender, "/documents")
    for _ in range(3):
        issue(api, [SO_NOI_VU, SO_TAI_CHINH])
    assert len(clerk.get("/inbox").json()) == 4 and len(sender.get("/documents").json()) == 4
    assert (cost(clerk, "/inbox"), cost(sender, "/documents")) == one
