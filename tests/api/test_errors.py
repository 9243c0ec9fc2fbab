"""Every 4xx answers {"error": {"code", "message", "detail"}}, in the caller's language."""

import pytest
from django.utils.translation import trans_real

from tests.api.conftest import BASE, ApiClient, error_of
from tests.api.test_flow import SO_NOI_VU, inbox_item, issue

SECRECY_MSGID = "Văn bản mật không được gửi, nhận qua môi trường điện tử; chỉ phát hành bản giấy."
SECRECY_EN = "A classified document may not be sent or received electronically; issue it on paper only."


@pytest.fixture
def english_catalog(monkeypatch):
    """Stands in for the English catalog the translators will ship: one msgid is enough to see the switch."""
    catalog = trans_real.translation("en")._catalog._catalogs[0]
    monkeypatch.setitem(catalog, SECRECY_MSGID, SECRECY_EN)


SECRET = {"type": "CV", "subject": "Về công tác bảo vệ bí mật nhà nước", "recipients": [SO_NOI_VU],
          "secrecy": "mat", "form": "electronic"}


def test_secret_document_with_an_electronic_form_is_refused(api):
    officer = api("chuyenvien.ubndtinh")
    error = error_of(officer.post("/documents", SECRET), 400)
    assert error["code"] == "secret_document_electronic"
    assert error["message"] == SECRECY_MSGID
    assert officer.get("/documents").json() == []
    # Making an electronic draft secret is refused the same way.
    draft = officer.post("/documents", {**SECRET, "secrecy": "none"}).json()
    assert draft["form"] == "electronic"
    error = error_of(officer.patch(f"/documents/{draft['id']}", {"secrecy": "toi_mat"}), 400)
    assert error["code"] == "secret_document_electronic"
    assert officer.get(f"/documents/{draft['id']}").json()["secrecy"] == "none"


def test_secret_document_goes_on_paper(api):
    officer = api("chuyenvien.ubndtinh")
    doc = officer.post("/documents", {**SECRET, "form": None}).json()
    assert doc["form"] == "paper" and doc["secrecy"] == "mat"
    officer.post(f"/documents/{doc['id']}/submit")
    api("lanhdao.ubndtinh").post(f"/documents/{doc['id']}/approve")
    issued = api("vanthu.ubndtinh").post(f"/documents/{doc['id']}/issue").json()
    assert issued["number"] == 1
    deliveries = api("vanthu.ubndtinh").get(f"/documents/{doc['id']}/deliveries").json()
    assert [(d["channel"], d["status"], d["trail"]) for d in deliveries] == [("paper", "", [])]


def test_accept_language_switches_the_message(api, english_catalog):
    officer = api("chuyenvien.ubndtinh")
    vietnamese = officer.post("/documents", SECRET)
    assert error_of(vietnamese, 400)["message"] == SECRECY_MSGID
    assert vietnamese["Content-Language"] == "vi"
    english = officer.post("/documents", SECRET, HTTP_ACCEPT_LANGUAGE="en")
    assert error_of(english, 400) == {"code": "secret_document_electronic", "message": SECRECY_EN, "detail": {}}
    assert english["Content-Language"] == "en"
    # The first language the installation speaks wins; the code never changes.
    preferred = officer.post("/documents", SECRET, HTTP_ACCEPT_LANGUAGE="fr-FR, en-US;q=0.8, vi;q=0.5")
    assert error_of(preferred, 400)["message"] == SECRECY_EN
    assert error_of(officer.post("/documents", SECRET, HTTP_ACCEPT_LANGUAGE="vi, en;q=0.9"), 400)["message"] \
        == SECRECY_MSGID
    # The header wins over a language cookie left by the web UI.
    officer.client.cookies["django_language"] = "vi"
    assert error_of(officer.post("/documents", SECRET, HTTP_ACCEPT_LANGUAGE="en"), 400)["message"] == SECRECY_EN


def test_invalid_payload_is_a_validation_error(api):
    officer = api("chuyenvien.ubndtinh")
    response = officer.post("/documents", {"subject": 12, "recipients": "000.05.00.H21", "secrecy": "bi_mat",
                                           "due_date": "15/12/2026"})
    error = error_of(response, 422)
    assert error["code"] == "validation_error"
    fields = {tuple(e["loc"][-1:]) for e in error["detail"]["errors"]}
    assert {("type",), ("recipients",), ("secrecy",), ("due_date",)} <= fields
    assert all(e["msg"] and e["type"] for e in error["detail"]["errors"])
    assert officer.get("/documents").json() == []

    error = error_of(officer.get("/documents/not-a-number"), 422)
    assert error["code"] == "validation_error"
    error = error_of(officer.post("/incoming/1/assign", {"lead": "chuyenvien"}), 422)
    assert ["body", "payload", "lead"] in [e["loc"] for e in error["detail"]["errors"]]


def test_service_rules_keep_their_own_codes(api):
    officer = api("chuyenvien.ubndtinh")
    assert error_of(officer.post("/documents", {"type": "XYZ", "subject": "Thử"}), 400)["code"] \
        == "unknown_document_type"
    error = error_of(officer.post("/documents", {"type": "CV", "subject": "Thử", "recipients": ["000.99.99.H99"]}),
                     400)
    assert error == {"code": "unknown_recipient", "message": error["message"], "detail": {"code": "000.99.99.H99"}}
    assert error_of(officer.post("/documents", {"type": "CV", "subject": "   "}), 400)["code"] == "subject_required"
    draft = officer.post("/documents", {"type": "CV", "subject": "Chưa có tệp", "recipients": [SO_NOI_VU]}).json()
    officer.post(f"/documents/{draft['id']}/submit")
    assert error_of(officer.post(f"/documents/{draft['id']}/approve"), 403)["code"] == "forbidden"
    api("lanhdao.ubndtinh").post(f"/documents/{draft['id']}/approve")
    assert error_of(api("lanhdao.ubndtinh").post(f"/documents/{draft['id']}/approve"), 409)["code"] \
        == "invalid_state"
    error = error_of(api("vanthu.ubndtinh").post(f"/documents/{draft['id']}/issue"), 400)
    assert error["code"] == "main_file_required"
    assert api("vanthu.ubndtinh").get(f"/documents/{draft['id']}").json()["number"] is None
    assert error_of(officer.post(f"/documents/{draft['id']}/submit"), 409)["code"] == "invalid_state"


def test_malformed_json_unknown_path_and_wrong_method(api):
    officer = api("chuyenvien.ubndtinh")
    broken = officer.client.post(f"{BASE}/documents", "{not json", content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {officer.token}")
    assert error_of(broken, 400)["code"] == "bad_request"
    assert error_of(officer.get("/khong-co"), 404)["code"] == "not_found"
    wrong = officer.client.put(f"{BASE}/documents", {}, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {officer.token}")
    assert error_of(wrong, 405)["code"] == "method_not_allowed"
    assert "POST" in wrong["Allow"]


def test_register_takes_an_empty_body(api):
    doc = issue(api, [SO_NOI_VU])
    clerk = api("vanthu.sonoivu")
    item = inbox_item(clerk, doc["id"])
    response = clerk.client.post(f"{BASE}/incoming/{item['id']}/register", "", content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {clerk.token}")
    assert response.status_code == 200, response.content
    assert response.json()["arrival_number"] == 1


def test_no_token_is_401_in_the_same_format(demo):
    anonymous = ApiClient()
    error = error_of(anonymous.get("/documents"), 401)
    assert error["code"] == "unauthorized"
    assert anonymous.get("/documents")["WWW-Authenticate"].startswith("Bearer")
    assert error_of(ApiClient("khong-phai-token").get("/inbox"), 401)["code"] == "unauthorized"
