"""Three installations as separate processes on loopback — province A (Gia Lai, also the hub), province B
(Nghệ An) and a central body (Văn phòng Chính phủ) — exchanging documents and statuses as edXML."""

import pytest

from tests.conftest import make_pdf
from tests.e2e.installations import B_HOME_AFFAIRS, B_PROVINCE, VPCP, Installation, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("installations")]


@pytest.fixture
def province(three_installations):
    return three_installations


def issue(inst: Installation, subject: str, recipients: list[str]) -> dict:
    officer, leader, clerk = (inst.api(f"{r}.ubndtinh") for r in ("chuyenvien", "lanhdao", "vanthu"))
    draft = officer.post("/documents", {"type": "CV", "subject": subject, "recipients": recipients,
                                        "drafting_unit": "VP"})
    officer.upload(f"/documents/{draft['id']}/files", "cong-van.pdf", make_pdf(subject))
    officer.post(f"/documents/{draft['id']}/submit")
    leader.post(f"/documents/{draft['id']}/approve")
    return clerk.post(f"/documents/{draft['id']}/issue")


def item_for(api, notation: str) -> dict | None:
    return next((i for i in api.get("/inbox") if i["document"]["notation"] == notation), None)


def trails(inst: Installation, doc_id: int) -> dict[str, list[str]]:
    return {d["recipient_code"]: [t["status"] for t in d["trail"]]
            for d in inst.api("vanthu.ubndtinh").get(f"/documents/{doc_id}/deliveries")}


def process_to_completion(inst: Installation, slug: str, notation: str) -> None:
    clerk, leader = inst.api(f"vanthu.{slug}"), inst.api(f"lanhdao.{slug}")
    officer = inst.api(f"chuyenvien.{slug}")
    item = wait_for(f"{notation} in the inbox of {slug}@{inst.node}", lambda: item_for(clerk, notation),
                    on_timeout=lambda: inst.log("worker.log"))
    assert item["state"] == "arrived" and item["status"] == "01"
    registered = clerk.post(f"/incoming/{item['id']}/register", {"signature_confirmed": True})
    assert registered["arrival_number"] == 1
    lead = next(p for p in leader.get(f"/people?agency={item['agency_code']}")
                if p["username"] == f"chuyenvien.{slug}")
    leader.post(f"/incoming/{item['id']}/assign", {"lead": lead["id"], "due_date": None})
    officer.post(f"/incoming/{item['id']}/start")
    done = officer.post(f"/incoming/{item['id']}/complete", {"note": "Đã triển khai thực hiện", "reply_document": None})
    assert done["state"] == "done"


def test_document_crosses_installations_and_every_status_comes_back(province):
    a, b, c = province
    doc = issue(a, "Về việc phối hợp liên thông văn bản điện tử giữa các tỉnh", [B_PROVINCE, B_HOME_AFFAIRS, VPCP])
    assert doc["state"] == "issued"
    notation = doc["notation"]

    wait_for("status 01 from every recipient", lambda: all(t[:1] == ["01"] for t in trails(a, doc["id"]).values()),
             on_timeout=lambda: str(trails(a, doc["id"])) + a.log("worker.log") + b.log("worker.log"))
    # The received copy carries the sender's metadata and the PDF, byte for byte.
    received = wait_for("the item at Nghệ An", lambda: item_for(b.api("vanthu.ubndtinh"), notation))
    sent_file = a.api("vanthu.ubndtinh").get(f"/documents/{doc['id']}")["files"][0]
    got = b.api("vanthu.ubndtinh").get(f"/documents/{received['document']['id']}")
    assert got["subject"] == "Về việc phối hợp liên thông văn bản điện tử giữa các tỉnh"
    assert got["files"][0]["sha256"] == sent_file["sha256"]

    process_to_completion(b, "ubndtinh", notation)
    process_to_completion(b, "sonoivu", notation)
    process_to_completion(c, "vpcp", notation)

    expected = ["01", "03", "04", "05", "06"]
    wait_for("the full trail at the sender", lambda: all(t == expected for t in trails(a, doc["id"]).values()),
             on_timeout=lambda: str(trails(a, doc["id"])))
    deliveries = a.api("vanthu.ubndtinh").get(f"/documents/{doc['id']}/deliveries")
    assert {d["recipient_code"] for d in deliveries} == {B_PROVINCE, B_HOME_AFFAIRS, VPCP}
    assert {d["channel"] for d in deliveries} == {"exchange"}

    # What the sender's clerk sees on the page, per recipient (the server-rendered page, read as HTML:
    # Playwright's loop would stay in this worker and upset the signing tests that share it).
    text = a.page("vanthu.ubndtinh", f"/van-ban-di/{doc['id']}/")
    for name in ("Ủy ban nhân dân tỉnh Nghệ An", "Sở Nội vụ tỉnh Nghệ An", "Văn phòng Chính phủ"):
        assert name in text
    for label in ("Đã đến", "Đã tiếp nhận", "Phân công", "Đang xử lý", "Hoàn thành"):
        assert label in text


def test_revocation_across_installations(province):
    a, b, c = province
    doc = issue(a, "Công văn gửi nhầm cần thu hồi", [B_PROVINCE, VPCP])
    wait_for("arrival everywhere", lambda: all(t[:1] == ["01"] for t in trails(a, doc["id"]).values()))
    a.api("vanthu.ubndtinh").post(f"/documents/{doc['id']}/revoke", {"reason": "Gửi nhầm nơi nhận"})

    answers = {b: True, c: False}
    for inst, accept in answers.items():
        slug = "ubndtinh" if inst is b else "vpcp"
        clerk = inst.api(f"vanthu.{slug}")
        item = wait_for(f"the revocation request at {inst.node}",
                        lambda clerk=clerk: (lambda i: i if i and i.get("revocation_pending") else None)(
                            item_for(clerk, doc["notation"])),
                        on_timeout=lambda inst=inst: inst.log("worker.log"))
        assert item["revocation_reason"] == "Gửi nhầm nơi nhận"
        clerk.post(f"/incoming/{item['id']}/revocation",
                   {"accept": accept, "reason": "" if accept else "Văn bản đang được xử lý"})
    expected = {B_PROVINCE: ["01", "13", "15"], VPCP: ["01", "13", "16"]}
    wait_for("both answers at the sender", lambda: trails(a, doc["id"]) == expected,
             on_timeout=lambda: str(trails(a, doc["id"])))
    revoked = item_for(b.api("vanthu.ubndtinh"), doc["notation"])
    assert revoked is None or revoked["state"] == "revoked"
