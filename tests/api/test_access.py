"""What a caller may not see does not exist for them: 404, whatever the operation."""

import pytest

from tests.api.conftest import error_of
from tests.api.test_flow import SO_NOI_VU, inbox_item, issue

pytestmark = pytest.mark.postgres

SO_Y_TE = "000.09.00.H21"


@pytest.fixture
def issued(api):
    return issue(api, [SO_NOI_VU])


def test_other_agency_gets_404_for_a_document_not_addressed_to_it(api, issued):
    doc_id, file = issued["id"], issued["files"][0]
    for username in ("vanthu.soyte", "lanhdao.soyte", "chuyenvien.soyte"):
        outsider = api(username)
        assert error_of(outsider.get(f"/documents/{doc_id}"), 404)["code"] == "not_found"
        assert error_of(outsider.get(f"/documents/{doc_id}/deliveries"), 404)["code"] == "not_found"
        download = outsider.client.get(file["url"], HTTP_AUTHORIZATION=f"Bearer {outsider.token}")
        assert error_of(download, 404)["code"] == "not_found"
        for action, body in [("submit", {}), ("approve", {}), ("issue", {}), ("return", {"reason": "x"}),
                             ("revoke", {"reason": "x"})]:
            assert error_of(outsider.post(f"/documents/{doc_id}/{action}", body), 404)["code"] == "not_found"
        assert error_of(outsider.patch(f"/documents/{doc_id}", {"subject": "x"}), 404)["code"] == "not_found"
        upload = outsider.upload(f"/documents/{doc_id}/files", "phu-luc.pdf", b"%PDF-1.4", role="annex")
        assert error_of(upload, 404)["code"] == "not_found"
        assert doc_id not in [d["id"] for d in outsider.get("/documents").json()]
    # The message does not reveal whether the document exists: same answer as for a missing id.
    outsider = api("vanthu.soyte")
    assert outsider.get(f"/documents/{doc_id}").json() == outsider.get("/documents/999999").json()


def test_recipient_sees_the_document_but_may_not_act_on_it(api, issued):
    clerk = api("vanthu.sonoivu")
    assert clerk.get(f"/documents/{issued['id']}").json()["notation"] == "01/UBND-VP"
    assert error_of(clerk.post(f"/documents/{issued['id']}/revoke", {"reason": "x"}), 403)["code"] == "forbidden"


def test_file_of_another_document_is_not_reachable_through_a_visible_one(api, issued):
    officer = api("chuyenvien.soyte")
    own = officer.post("/documents", {"type": "CV", "subject": "Của Sở Y tế", "recipients": [SO_Y_TE]}).json()
    path = f"/documents/{own['id']}/files/{issued['files'][0]['id']}"
    assert error_of(officer.get(path), 404)["code"] == "not_found"


def test_drafts_stay_with_their_drafter(api):
    officer = api("chuyenvien.ubndtinh")
    draft = officer.post("/documents", {"type": "CV", "subject": "Dự thảo", "recipients": [SO_NOI_VU]}).json()
    colleague = api("chuyenvien2.ubndtinh")
    assert error_of(colleague.get(f"/documents/{draft['id']}"), 404)["code"] == "not_found"
    assert error_of(api("lanhdao.ubndtinh").get(f"/documents/{draft['id']}"), 404)["code"] == "not_found"
    assert error_of(colleague.post(f"/documents/{draft['id']}/submit"), 404)["code"] == "not_found"


def test_incoming_item_of_another_agency_is_404(api, issued):
    item = inbox_item(api("vanthu.sonoivu"), issued["id"])
    for username in ("vanthu.soyte", "lanhdao.soyte", "vanthu.ubndtinh"):
        outsider = api(username)
        assert error_of(outsider.get(f"/incoming/{item['id']}"), 404)["code"] == "not_found"
        for action, body in [("register", {}), ("refuse", {"reason": "x"}), ("assign", {"lead": 1}),
                             ("start", {}), ("complete", {"note": ""}), ("notes", {"text": "x"}),
                             ("forward", {"to": [1]}), ("revocation", {"accept": True, "reason": ""})]:
            response = outsider.post(f"/incoming/{item['id']}/{action}", body)
            assert error_of(response, 404)["code"] == "not_found", action
        assert outsider.get("/inbox").json() == []
    item_now = api("vanthu.sonoivu").get(f"/incoming/{item['id']}").json()
    assert item_now["state"] == "arrived" and item_now["notes"] == [] and item_now["distributions"] == []


def test_role_is_checked_inside_the_agency(api, issued):
    item = inbox_item(api("vanthu.sonoivu"), issued["id"])
    leader = api("lanhdao.sonoivu")
    assert error_of(leader.post(f"/incoming/{item['id']}/register"), 403)["code"] == "forbidden"
    api("vanthu.sonoivu").post(f"/incoming/{item['id']}/register")
    assert error_of(api("vanthu.sonoivu").post(f"/incoming/{item['id']}/assign", {"lead": 1}), 403)["code"] \
        == "forbidden"
    foreign = api("lanhdao.soyte").get("/people").json()[0]["id"]
    assert error_of(leader.post(f"/incoming/{item['id']}/assign", {"lead": foreign}), 400)["code"] \
        == "unknown_person"
