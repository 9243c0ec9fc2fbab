"""Uploads through the API: broken and oversized files are refused with a clear code, nothing kept."""

import hashlib

from congvan.documents.models import Blob, DocumentFile
from tests.api.conftest import error_of
from tests.conftest import make_pdf


def new_draft(api):
    officer = api("chuyenvien.ubndtinh")
    return officer, officer.post("/documents", {"type": "CV", "subject": "Tệp", "recipients": ["000.05.00.H21"]}
                                 ).json()


def test_broken_pdf_is_refused_and_nothing_stored(api, settings):
    officer, doc = new_draft(api)
    response = officer.upload(f"/documents/{doc['id']}/files", "hong.pdf", b"%PDF-1.7\n garbage without xref")
    error = error_of(response, 400)
    assert error["code"] == "broken_pdf"
    assert "hỏng" in error["message"]
    assert not DocumentFile.objects.exists() and not Blob.objects.exists()
    assert not [p for p in (settings.MEDIA_ROOT / "blobs").rglob("*") if p.is_file()], "no file left on disk"
    assert officer.get(f"/documents/{doc['id']}").json()["files"] == []
    assert error_of(officer.upload(f"/documents/{doc['id']}/files", "anh.pdf", b"\x89PNG...."), 400)["code"] \
        == "not_a_pdf"


def test_oversized_upload_is_refused(api, settings):
    settings.MAX_UPLOAD_SIZE = 2000
    officer, doc = new_draft(api)
    error = error_of(officer.upload(f"/documents/{doc['id']}/files", "lon.pdf", make_pdf(pages=3)), 400)
    assert error["code"] == "file_too_large"
    assert not DocumentFile.objects.exists() and not Blob.objects.exists()
    assert not list((settings.MEDIA_ROOT / "blobs").glob("??/??/*"))


def test_annex_role_as_form_field_or_query_parameter(api):
    officer, doc = new_draft(api)
    main = officer.upload(f"/documents/{doc['id']}/files", "cong-van.pdf", make_pdf())
    as_form = officer.upload(f"/documents/{doc['id']}/files", "phu-luc.pdf", make_pdf("Phụ lục"), role="annex")
    as_query = officer.upload(f"/documents/{doc['id']}/files?role=annex", "bang-so-lieu.xlsx", b"PK\x03\x04 xlsx")
    assert [r.status_code for r in (main, as_form, as_query)] == [201, 201, 201]
    files = officer.get(f"/documents/{doc['id']}").json()["files"]
    assert [(f["name"], f["role"]) for f in files] == [
        ("cong-van.pdf", "main"), ("phu-luc.pdf", "annex"), ("bang-so-lieu.xlsx", "annex")]
    bad = officer.upload(f"/documents/{doc['id']}/files?role=signed", "x.pdf", make_pdf())
    assert error_of(bad, 422)["code"] == "validation_error"
    assert error_of(officer.upload(f"/documents/{doc['id']}/files", "ghi-chu.txt", b"text"), 400)["code"] \
        == "unsupported_file_type"
    missing = officer.client.post(f"/api/v1/documents/{doc['id']}/files", {},
                                  HTTP_AUTHORIZATION=f"Bearer {officer.token}")
    assert error_of(missing, 422)["code"] == "validation_error"


def test_download_gives_the_stored_bytes(api):
    officer, doc = new_draft(api)
    pdf = make_pdf("Văn bản có tên tiếng Việt")
    uploaded = officer.upload(f"/documents/{doc['id']}/files", "Công văn số 1.pdf", pdf).json()
    assert uploaded["sha256"] == hashlib.sha256(pdf).hexdigest() and uploaded["size"] == len(pdf)
    assert uploaded["url"].startswith("http://testserver/api/v1/documents/")
    response = officer.client.get(uploaded["url"], HTTP_AUTHORIZATION=f"Bearer {officer.token}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''C%C3%B4ng%20v%C4%83n" in response["Content-Disposition"]
    assert error_of(officer.client.get(uploaded["url"]), 401)["code"] == "unauthorized"


def test_attaching_after_submission_is_forbidden(api):
    officer, doc = new_draft(api)
    officer.upload(f"/documents/{doc['id']}/files", "cong-van.pdf", make_pdf())
    officer.post(f"/documents/{doc['id']}/submit")
    error = error_of(officer.upload(f"/documents/{doc['id']}/files", "muon.pdf", make_pdf()), 403)
    assert error["code"] == "forbidden"
    assert DocumentFile.objects.count() == 1
