"""Signing through the web pages and the API: the approve and issue forms, placing the signature on the
page preview, the certificates page, the validation shown on the incoming page and the confirmation the
clerk must give to register a document whose signature failed."""

import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from congvan.signing import selectors
from congvan.signing.models import FileSignatureCheck, Signature, SigningCertificate
from congvan.workflow.models import IncomingItem
from tests.conftest import make_pdf
from tests.signing import flow_helpers
from tests.signing.flow_helpers import PASSPHRASE, submitted, tamper

fast_demo_pki, signing_demo = flow_helpers.fast_demo_pki, flow_helpers.signing_demo  # fixtures

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_approve_and_issue_forms_sign(signing_demo, person, client_of):
    doc = submitted(person)
    url = reverse("outgoing-detail", args=[doc.pk])
    leader = client_of("lanhdao.ubndtinh")
    page = _text(leader.get(url))
    assert "Ký số bằng chứng thư của bạn:" in page and "Mật khẩu chứng thư số" in page
    assert 'name="passphrase"' in page and "required" in page
    response = leader.post(reverse("outgoing-action", args=[doc.pk, "approve"]), {"passphrase": PASSPHRASE})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.state == "approved" and Signature.objects.filter(document=doc, kind="approval").exists()

    clerk = client_of("vanthu.ubndtinh")
    page = _text(clerk.get(url))
    assert "Chữ ký số của cơ quan:" in page and "Ủy ban nhân dân tỉnh Gia Lai" in page
    assert 'data-signature-state="valid"' in page and "bản trước" in page
    clerk.post(reverse("outgoing-action", args=[doc.pk, "issue"]), {"passphrase": PASSPHRASE})
    doc.refresh_from_db()
    assert doc.state == "issued" and doc.form == "electronic"
    page = _text(clerk.get(url))
    assert page.count('class="signature" data-ok="1"') == 1 + 2  # the approved version, then the sealed one


def test_wrong_passphrase_in_the_form_is_a_message(signing_demo, person, client_of):
    doc = submitted(person)
    leader = client_of("lanhdao.ubndtinh")
    response = leader.post(reverse("outgoing-action", args=[doc.pk, "approve"]), {"passphrase": "sai"}, follow=True)
    assert "Sai mật khẩu của tệp khóa ký số." in _text(response)
    doc.refresh_from_db()
    assert doc.state == "submitted"


def test_the_leader_picks_the_place_on_the_page_preview(signing_demo, person, client_of):
    doc = submitted(person, pdf=make_pdf("Văn bản không có họ tên người ký", pages=2))
    leader = client_of("lanhdao.ubndtinh")
    response = leader.post(reverse("outgoing-action", args=[doc.pk, "approve"]), {"passphrase": PASSPHRASE})
    assert response.status_code == 302 and response["Location"] == reverse("signing-place", args=[doc.pk])
    page = _text(leader.get(response["Location"]))
    assert "Không tìm thấy họ tên của bạn trên trang cuối (trang 2/2)" in page
    assert 'type="image" name="vitri"' in page and 'name="page" value="1"' in page
    preview = leader.get(reverse("signing-preview", args=[doc.pk]))
    assert preview["Content-Type"] == "image/png" and preview.content.startswith(b"\x89PNG")
    # The click on the image (input type=image) posts vitri.x / vitri.y with the passphrase.
    leader.post(reverse("outgoing-action", args=[doc.pk, "approve"]),
                {"passphrase": PASSPHRASE, "page": "1", "vitri.x": "420", "vitri.y": "650"})
    doc.refresh_from_db()
    assert doc.state == "approved"
    signature = Signature.objects.get(document=doc)
    from congvan.audit.models import AuditEntry

    box = AuditEntry.objects.get(action="signing.sign").data["placement"]
    assert box[0] == 1 and box[1] < 420 < box[3] and box[2] < 842 - 650 < box[4]
    assert FileSignatureCheck.objects.get(blob=signature.signed_file.blob).ok
    # Once approved, the preview is not offered any more.
    assert leader.get(reverse("signing-preview", args=[doc.pk])).status_code == 404


def test_only_the_leader_sees_the_preview(signing_demo, person, client_of):
    doc = submitted(person, pdf=make_pdf())
    assert client_of("vanthu.ubndtinh").get(reverse("signing-place", args=[doc.pk])).status_code == 404
    assert client_of("lanhdao.sonoivu").get(reverse("signing-preview", args=[doc.pk])).status_code == 404


def test_the_recipient_sees_both_signatures_valid(signing_demo, person, client_of):
    from congvan.workflow import outgoing

    doc = submitted(person)
    outgoing.approve(person("lanhdao.ubndtinh"), doc, passphrase=PASSPHRASE)
    outgoing.issue(person("vanthu.ubndtinh"), doc, passphrase=PASSPHRASE)
    item = IncomingItem.objects.get(document=doc)
    clerk = client_of("vanthu.sonoivu")
    page = _text(clerk.get(reverse("incoming-detail", args=[item.pk])))
    assert page.count('class="signature" data-ok="1"') == 2
    assert "Hợp lệ — ký bởi Phạm Anh Tuấn" in page and "Hợp lệ — ký bởi Ủy ban nhân dân tỉnh Gia Lai" in page
    assert "quyet-dinh.pdf" in page and page.count("quyet-dinh.pdf</a>") == 1  # only the current version
    assert "signature-warning" not in page and "Tôi đã kiểm tra, vẫn vào sổ" not in page
    clerk.post(reverse("incoming-action", args=[item.pk, "register"]), {})
    item.refresh_from_db()
    assert item.state == "registered"


def test_a_failed_signature_needs_the_clerks_confirmation(signing_demo, person, client_of, settings):
    from congvan.documents import storage
    from congvan.signing import keys, pdfsign
    from congvan.workflow import outgoing
    from tests.signing.flow_helpers import leader_pdf

    settings.SIGNING_REQUIRED = False
    leader = person("lanhdao.ubndtinh")
    cert = SigningCertificate.objects.get(person=leader)
    key = keys.load_pkcs12(storage.read_verified(cert.pkcs12_blob), PASSPHRASE)
    broken = tamper(pdfsign.sign_approval(leader_pdf(leader), key, signer_name=leader.full_name))
    doc = submitted(person, pdf=broken)
    outgoing.approve(leader, doc)
    outgoing.issue(person("vanthu.ubndtinh"), doc)
    item = IncomingItem.objects.get(document=doc)

    clerk = client_of("vanthu.sonoivu")
    url = reverse("incoming-detail", args=[item.pk])
    page = _text(clerk.get(url))
    assert 'id="signature-warning"' in page and "Chữ ký số của văn bản không hợp lệ." in page
    assert "Không hợp lệ: nội dung đã bị thay đổi sau khi ký" in page
    assert 'class="badge text-bg-danger"' in page
    assert "Tôi đã kiểm tra, vẫn vào sổ" in page
    response = clerk.post(reverse("incoming-action", args=[item.pk, "register"]), {}, follow=True)
    assert "Tôi đã kiểm tra, vẫn vào sổ" in _text(response)
    item.refresh_from_db()
    assert item.state == "arrived"
    clerk.post(reverse("incoming-action", args=[item.pk, "register"]), {"signature_confirmed": "1"})
    item.refresh_from_db()
    assert item.state == "registered"


def test_certificates_page_registers_a_pkcs12_and_an_image(person, client_of, demo_pki):
    from congvan.signing.pki import issue_person_certificate
    from congvan.signing.stamps import signature_image

    officer = person("chuyenvien.soyte")
    identity = issue_person_certificate(demo_pki, officer.full_name, officer.agency.name, "064000000123", "mk")
    client = client_of("chuyenvien.soyte")
    page = _text(client.get(reverse("signing-certificates")))
    assert "Chưa có chứng thư số." in page and "Chữ ký số của cơ quan" not in page
    upload = io.BytesIO(identity.pkcs12)
    upload.name = "canhan.p12"
    response = client.post(reverse("signing-certificate-add", args=["p12"]),
                           {"owner": "canhan", "key_file": upload, "passphrase": "mk"}, follow=True)
    assert f"Đã đăng ký chứng thư số {officer.full_name}." in _text(response)
    assert selectors.personal_certificate(officer).fingerprint_sha256 == identity.fingerprint_sha256
    image = io.BytesIO(signature_image(officer.full_name))
    image.name = "chuky.png"
    client.post(reverse("signing-image-set"), {"owner": "canhan", "image": image})
    shown = client.get(reverse("signing-image", args=["canhan"]))
    assert shown["Content-Type"] == "image/png" and shown.content == image.getvalue()
    # An officer cannot register the agency's seal.
    upload.seek(0)
    response = client.post(reverse("signing-certificate-add", args=["p12"]),
                           {"owner": "coquan", "key_file": upload, "passphrase": "mk"}, follow=True)
    assert "Chỉ quản trị của cơ quan" in _text(response)
    assert not SigningCertificate.objects.filter(agency=officer.agency).exists()


def test_api_approve_and_issue_with_a_passphrase(signing_demo, person):
    def api(username):
        token = Client().post("/api/v1/auth/token", {"username": username, "password": "congvan"},
                              content_type="application/json").json()["token"]
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    doc = submitted(person)
    leader = api("lanhdao.ubndtinh")
    refused = leader.post(f"/api/v1/documents/{doc.pk}/approve", {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "secret_required"
    ok = leader.post(f"/api/v1/documents/{doc.pk}/approve", {"passphrase": PASSPHRASE},
                     content_type="application/json")
    assert ok.status_code == 200, ok.content
    clerk = api("vanthu.ubndtinh")
    issued = clerk.post(f"/api/v1/documents/{doc.pk}/issue", {"passphrase": PASSPHRASE},
                        content_type="application/json")
    assert issued.status_code == 200 and issued.json()["form"] == "electronic"
    main = [f for f in issued.json()["files"] if f["role"] == "main"][-1]
    result = clerk.get(f"/api/v1/documents/{doc.pk}/files/{main['id']}/signatures").json()
    assert result["ok"] is True and [s["ok"] for s in result["signatures"]] == [True, True]
    assert result["signatures"][0]["summary"].startswith("Hợp lệ — ký bởi Phạm Anh Tuấn")
