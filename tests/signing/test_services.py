"""Signing in the document flow, through the services: certificates, the leader's signature at approval,
the agency's signature at issuance, validation at storage and arrival, the form rule, the audit trail."""

import io

import pytest

from congvan.audit.models import AuditEntry
from congvan.documents import services as documents
from congvan.documents.models import DocumentFile, Register
from congvan.errors import Forbidden, ServiceError
from congvan.signing import selectors, services
from congvan.signing.models import FileSignatureCheck, Signature, SigningCertificate, TrustAnchor
from congvan.workflow import incoming, outgoing
from congvan.workflow.models import IncomingItem
from tests.conftest import make_pdf
from tests.signing import flow_helpers
from tests.signing.conftest import make_decree30_pdf
from tests.signing.flow_helpers import PASSPHRASE, leader_pdf, submitted, tamper

fast_demo_pki, signing_demo = flow_helpers.fast_demo_pki, flow_helpers.signing_demo  # fixtures

pytestmark = pytest.mark.django_db


def _issue(person, doc, secret=PASSPHRASE, sender="ubndtinh"):
    return outgoing.issue(person(f"vanthu.{sender}"), doc, passphrase=secret)


def _approve(person, doc, secret=PASSPHRASE, sender="ubndtinh", **kwargs):
    return outgoing.approve(person(f"lanhdao.{sender}"), doc, passphrase=secret, **kwargs)


# Certificates -----------------------------------------------------------------------------------------------


def test_register_a_pkcs12_certificate_and_the_passphrase_is_not_kept(person, demo_pki):
    from congvan.signing.pki import issue_person_certificate

    officer = person("chuyenvien.sonoivu")
    identity = issue_person_certificate(demo_pki, officer.full_name, officer.agency.name, "064089000001",
                                        "bí-mật-2026")
    cert = services.register_pkcs12(officer, identity.pkcs12, "bí-mật-2026", person=officer)
    assert cert.person == officer and cert.agency is None
    assert cert.common_name == officer.full_name
    assert cert.fingerprint_sha256 == identity.fingerprint_sha256
    assert cert.key_source == "pkcs12" and cert.pkcs12_blob.size == len(identity.pkcs12)
    assert "CCCD:064089000001" in cert.subject and cert.not_after > cert.not_before
    assert selectors.personal_certificate(officer) == cert
    entry = AuditEntry.objects.get(action="signing.certificate_register")
    assert entry.data["fingerprint"] == identity.fingerprint_sha256
    # The passphrase is nowhere: not in the certificate row, not in the audit log.
    assert "bí-mật-2026" not in str(entry.data)
    assert not SigningCertificate.objects.filter(certificate_pem__contains="bí-mật").exists()


def test_wrong_passphrase_is_refused_in_vietnamese(person, demo_pki):
    from congvan.signing.pki import issue_seal_certificate

    clerk = person("vanthu.sonoivu")
    identity = issue_seal_certificate(demo_pki, clerk.agency.name, clerk.agency.code, "đúng")
    with pytest.raises(services.SignatureError) as error:
        services.register_pkcs12(clerk, identity.pkcs12, "sai", agency=clerk.agency)
    assert "Sai mật khẩu" in str(error.value.message) and error.value.code == "wrong_passphrase"
    assert not SigningCertificate.objects.exists()


def test_only_the_agency_admin_registers_its_seal(person, demo_pki):
    from congvan.signing.pki import issue_seal_certificate

    officer = person("chuyenvien.sonoivu")
    identity = issue_seal_certificate(demo_pki, officer.agency.name, officer.agency.code, "x")
    with pytest.raises(Forbidden):
        services.register_pkcs12(officer, identity.pkcs12, "x", agency=officer.agency)
    other_admin = person("vanthu.soyte")
    with pytest.raises(Forbidden):
        services.register_pkcs12(other_admin, identity.pkcs12, "x", agency=officer.agency)
    cert = services.register_pkcs12(person("vanthu.sonoivu"), identity.pkcs12, "x", agency=officer.agency)
    assert cert.is_seal and selectors.seal_certificate(officer.agency) == cert


def test_demo_pki_gives_every_leader_and_agency_a_certificate(signing_demo, person):
    assert TrustAnchor.objects.filter(kind="root", is_demo=True).count() == 1
    assert TrustAnchor.objects.filter(kind="intermediate").count() == 1
    leader, clerk = person("lanhdao.ubndtinh"), person("vanthu.ubndtinh")
    cert = selectors.personal_certificate(leader)
    assert cert.common_name == "Phạm Anh Tuấn" and "UID=CCCD:064" in cert.subject.replace("0.9.2342.19200300.100.1.1",
                                                                                         "UID")
    assert selectors.personal_certificate(clerk) is None
    assert selectors.seal_certificate(clerk.agency).common_name == clerk.agency.name
    assert services.load_demo_pki() is None  # idempotent
    assert SigningCertificate.objects.filter(is_active=True).count() == len(signing_demo["people"]) + len(
        signing_demo["agencies"])


# Approval -------------------------------------------------------------------------------------------------


def test_approval_signs_the_main_pdf_into_a_new_file(signing_demo, person):
    doc = submitted(person)
    original = doc.main_file
    _approve(person, doc)
    doc.refresh_from_db()
    assert doc.state == "approved"
    signed = doc.main_file
    assert signed.pk != original.pk and signed.blob_id != original.blob_id
    assert signed.role == DocumentFile.Role.MAIN and signed.name == original.name
    assert DocumentFile.objects.filter(pk=original.pk, blob_id=original.blob_id).exists()  # history kept
    record = Signature.objects.get(signed_file=signed)
    assert record.kind == "approval" and record.source == original
    leader_cert = selectors.personal_certificate(person("lanhdao.ubndtinh"))
    assert record.fingerprint_sha256 == leader_cert.fingerprint_sha256
    check = FileSignatureCheck.objects.get(blob=signed.blob)
    assert check.ok and check.signature_count == 1
    assert check.signatures[0]["signer_name"] == "Phạm Anh Tuấn"
    assert check.signatures[0]["summary"].startswith("Hợp lệ — ký bởi Phạm Anh Tuấn")
    assert selectors.current_files(doc) == [signed]
    # The audit entry of the signature carries the certificate's fingerprint.
    entry = AuditEntry.objects.filter(action="signing.sign").get()
    assert entry.data["fingerprint"] == leader_cert.fingerprint_sha256
    assert entry.data["kind"] == "approval" and entry.data["sha256"] == signed.blob_id
    assert entry.data["source_sha256"] == original.blob_id and entry.actor == "lanhdao.ubndtinh"
    assert PASSPHRASE not in str(entry.data)


def test_wrong_passphrase_at_approval_changes_nothing(signing_demo, person):
    doc = submitted(person)
    with pytest.raises(services.SignatureError) as error:
        _approve(person, doc, secret="sai-mat-khau")
    assert "Sai mật khẩu" in str(error.value.message)
    doc.refresh_from_db()
    assert doc.state == "submitted" and doc.files.count() == 1 and not Signature.objects.exists()


def test_approval_needs_the_leaders_own_certificate(signing_demo, person):
    """Signing requires the role AND the person's own certificate: a delegate without one cannot sign."""
    from datetime import timedelta

    from django.utils import timezone

    from congvan.directory.models import Delegation

    doc = submitted(person)
    delegate = person("chuyenvien2.ubndtinh")
    Delegation.objects.create(from_person=person("lanhdao.ubndtinh"), to_person=delegate, role="leader",
                              starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(days=1))
    with pytest.raises(services.SignatureError) as error:
        outgoing.approve(delegate, doc, passphrase=PASSPHRASE)
    assert error.value.code == "certificate_required" and "chưa có chứng thư số" in str(error.value.message)
    with pytest.raises(services.SignatureError) as error:  # required: no silent unsigned approval either
        outgoing.approve(delegate, doc)
    assert error.value.code == "certificate_required"
    # A clerk has no leader role at all.
    with pytest.raises(Forbidden):
        outgoing.approve(person("vanthu.ubndtinh"), doc, passphrase=PASSPHRASE)


def test_signing_required_means_a_passphrase(signing_demo, person, settings):
    doc = submitted(person)
    with pytest.raises(services.SignatureError) as error:
        outgoing.approve(person("lanhdao.ubndtinh"), doc)
    assert error.value.code == "secret_required" and "mật khẩu" in str(error.value.message)
    settings.SIGNING_REQUIRED = False  # CONGVAN_SIGNING_REQUIRED=0: signing is optional
    outgoing.approve(person("lanhdao.ubndtinh"), doc)
    doc.refresh_from_db()
    assert doc.state == "approved" and not Signature.objects.exists()


def test_without_a_trust_store_signing_is_optional(person):
    """Unset CONGVAN_SIGNING_REQUIRED ("auto"): an installation without a trust store approves unsigned
    (how the tests of the foundation run), and says so: the document is then not "fully electronic"."""
    assert selectors.signing_required() is False
    doc = submitted(person, pdf=make_pdf())
    outgoing.approve(person("lanhdao.ubndtinh"), doc)
    with pytest.raises(services.SignatureError) as error:  # typing a passphrase without a certificate
        doc2 = submitted(person, pdf=make_pdf())
        outgoing.approve(person("lanhdao.ubndtinh"), doc2, passphrase="x")
    assert error.value.code == "certificate_required"
    issued = outgoing.issue(person("vanthu.ubndtinh"), doc)
    assert issued.form == "hybrid"


def test_required_setting_without_a_certificate_fails_clearly(person, settings):
    settings.SIGNING_REQUIRED = True
    doc = submitted(person, pdf=make_pdf())
    with pytest.raises(services.SignatureError) as error:
        outgoing.approve(person("lanhdao.ubndtinh"), doc)
    assert "Bạn chưa có chứng thư số" in str(error.value.message)
    paper = submitted(person, form="paper")  # paper documents are not signed electronically
    outgoing.approve(person("lanhdao.ubndtinh"), paper)
    assert outgoing.issue(person("vanthu.ubndtinh"), paper).form == "paper"


def test_name_not_found_asks_for_a_position_then_signs_there(signing_demo, person):
    doc = submitted(person, pdf=make_pdf("Văn bản không có khối chữ ký"))
    with pytest.raises(services.PositionRequired):
        _approve(person, doc)
    doc.refresh_from_db()
    assert doc.state == "submitted"
    preview = services.last_page_preview(doc.main_file)
    assert preview.png.startswith(b"\x89PNG") and preview.page == 0 and round(preview.width) == 595
    placement = services.placement_from_click(doc.main_file, preview.page, 400, 300)
    assert placement.page == 0 and placement.x0 < 400 < placement.x1
    assert placement.y0 < preview.height - 300 < placement.y1
    _approve(person, doc, placement=placement)
    check = FileSignatureCheck.objects.get(blob=doc.main_file.blob)
    assert check.ok and check.signature_count == 1


# Issuance -------------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_issuance_seals_and_the_result_validates_with_two_signatures(signing_demo, person):
    annex = make_pdf("Phụ lục: danh sách cơ quan", pages=2)
    doc = submitted(person, annex=annex)
    _approve(person, doc)
    doc = _issue(person, doc)
    assert doc.state == "issued" and doc.notation == "01/UBND-VP"
    assert doc.form == "electronic"
    main = doc.main_file
    check = FileSignatureCheck.objects.get(blob=main.blob)
    assert check.ok and check.signature_count == 2
    names = [s["signer_name"] for s in check.signatures]
    assert names == ["Phạm Anh Tuấn", "Ủy ban nhân dân tỉnh Gia Lai"]
    assert all(s["subfilter"] == "ETSI.CAdES.detached" for s in check.signatures)
    # The annex got the agency's signature too (text, no image), as a new file.
    files = selectors.current_files(doc)
    annexes = [f for f in files if f.role == "annex"]
    assert len(annexes) == 1 and annexes[0].signature_record.kind == "annex_seal"
    annex_check = FileSignatureCheck.objects.get(blob=annexes[0].blob)
    assert annex_check.ok and annex_check.signatures[0]["signer_name"] == "Ủy ban nhân dân tỉnh Gia Lai"
    seal = selectors.seal_certificate(doc.agency)
    entries = AuditEntry.objects.filter(action="signing.sign").order_by("seq")
    assert [e.data["kind"] for e in entries] == ["approval", "seal", "annex_seal"]
    assert {e.data["fingerprint"] for e in entries[1:]} == {seal.fingerprint_sha256}
    assert entries[1].data["notation"] == "01/UBND-VP" and entries[1].actor == "vanthu.ubndtinh"
    assert AuditEntry.objects.get(action="document.issue").data["form"] == "electronic"
    # The recipient received the sealed files, validated on arrival.
    item = IncomingItem.objects.get(document=doc)
    assert selectors.signature_problems(item.document) == []


@pytest.mark.postgres
def test_a_failed_seal_rolls_back_the_number(signing_demo, person):
    doc = submitted(person)
    _approve(person, doc)
    files_before = doc.files.count()
    with pytest.raises(services.SignatureError):
        _issue(person, doc, secret="sai")
    doc.refresh_from_db()
    assert doc.state == "approved" and doc.number is None and doc.notation == ""
    assert not Register.objects.filter(agency=doc.agency, last_number__gt=0).exists()
    assert doc.files.count() == files_before and not doc.deliveries.exists()
    assert not AuditEntry.objects.filter(action="document.issue").exists()
    doc = _issue(person, doc)
    assert doc.number == 1 and doc.notation == "01/UBND-VP"


def test_a_clerk_of_another_agency_cannot_seal(signing_demo, person):
    doc = submitted(person)
    _approve(person, doc)
    with pytest.raises(Forbidden):
        outgoing.issue(person("vanthu.sonoivu"), doc, passphrase=PASSPHRASE)


# The form rule ----------------------------------------------------------------------------------------------


def test_form_follows_the_signatures(signing_demo, person, settings):
    settings.SIGNING_REQUIRED = False
    both = submitted(person)
    _approve(person, both)
    assert _issue(person, both).form == "electronic"

    leader_only = submitted(person)
    _approve(person, leader_only)
    assert outgoing.issue(person("vanthu.ubndtinh"), leader_only).form == "hybrid"

    seal_only = submitted(person)
    outgoing.approve(person("lanhdao.ubndtinh"), seal_only)
    assert _issue(person, seal_only).form == "hybrid"

    hybrid_chosen = submitted(person, form="hybrid")
    _approve(person, hybrid_chosen)
    assert _issue(person, hybrid_chosen).form == "electronic"  # both valid signatures: fully electronic

    paper = submitted(person, form="paper")
    outgoing.approve(person("lanhdao.ubndtinh"), paper)
    assert outgoing.issue(person("vanthu.ubndtinh"), paper).form == "paper"


def test_an_untrusted_signature_does_not_make_it_electronic(signing_demo, person, settings, demo_pki):
    """A main PDF signed outside the system with a certificate of an unknown root: hybrid, and flagged."""
    from congvan.signing import keys, pdfsign
    from congvan.signing.pki import issue_person_certificate, make_demo_pki

    settings.SIGNING_REQUIRED = False
    stranger = make_demo_pki("Kon Tum")
    identity = issue_person_certificate(stranger, "Phạm Anh Tuấn", "UBND", "064000000009", "x")
    signed = pdfsign.sign_approval(leader_pdf(person("lanhdao.ubndtinh")), keys.load_pkcs12(identity.pkcs12, "x"),
                                   signer_name="Phạm Anh Tuấn")
    doc = submitted(person, pdf=signed)
    check = FileSignatureCheck.objects.get(blob=doc.main_file.blob)
    assert not check.ok and check.has_problem
    assert check.signatures[0]["problem"] == "untrusted"
    outgoing.approve(person("lanhdao.ubndtinh"), doc)
    assert _issue(person, doc).form == "hybrid"


# Validation on storage and the flag at registration --------------------------------------------------------


def test_every_stored_pdf_is_validated(signing_demo, person):
    officer = person("chuyenvien.ubndtinh")
    doc = documents.create_draft(officer, doc_type="CV", subject="Thử kiểm tra chữ ký", recipients=[])
    plain = documents.add_file(officer, doc, "a.pdf", io.BytesIO(make_pdf()))
    check = FileSignatureCheck.objects.get(blob=plain.blob)
    assert check.signature_count == 0 and not check.ok and not check.has_problem
    assert check.summary == "Tệp không có chữ ký số."
    word = documents.add_file(officer, doc, "b.zip", io.BytesIO(b"PK\x03\x04 zip"), role="annex")
    assert not FileSignatureCheck.objects.filter(blob=word.blob).exists()  # only PDFs are validated


def _issued_with_tampered_main(person, settings):
    """An issued document whose main PDF carries a signature broken after signing."""
    from congvan.signing import keys, pdfsign
    from congvan.signing.models import SigningCertificate

    settings.SIGNING_REQUIRED = False
    leader = person("lanhdao.ubndtinh")
    cert = SigningCertificate.objects.get(person=leader)
    key = keys.load_pkcs12(services.storage.read_verified(cert.pkcs12_blob), PASSPHRASE)
    signed = pdfsign.sign_approval(leader_pdf(leader), key, signer_name=leader.full_name)
    doc = submitted(person, pdf=tamper(signed))
    outgoing.approve(leader, doc)
    return outgoing.issue(person("vanthu.ubndtinh"), doc)


def test_a_failed_signature_is_flagged_at_registration(signing_demo, person, settings):
    doc = _issued_with_tampered_main(person, settings)
    assert doc.form == "hybrid"
    item = IncomingItem.objects.get(document=doc)
    problems = selectors.signature_problems(doc)
    assert len(problems) == 1 and "nội dung đã bị thay đổi sau khi ký" in problems[0]
    clerk = person("vanthu.sonoivu")
    with pytest.raises(ServiceError) as error:
        incoming.register(clerk, item)
    assert error.value.code == "signature_not_confirmed"
    assert "Tôi đã kiểm tra, vẫn vào sổ" in str(error.value.message)
    item.refresh_from_db()
    assert item.state == "arrived" and item.arrival_number is None
    incoming.register(clerk, item, signature_confirmed=True)
    item.refresh_from_db()
    assert item.state == "registered" and item.arrival_number == 1
    entry = AuditEntry.objects.get(action="incoming.register")
    assert entry.data["signature_problems"] == problems


def test_a_valid_document_registers_without_confirmation(signing_demo, person):
    doc = submitted(person)
    _approve(person, doc)
    doc = _issue(person, doc)
    item = IncomingItem.objects.get(document=doc)
    incoming.register(person("vanthu.sonoivu"), item)
    item.refresh_from_db()
    assert item.state == "registered"
    assert AuditEntry.objects.get(action="incoming.register").data["signature_problems"] == []


def test_the_stored_check_is_renewed_when_the_trust_store_changes(signing_demo, person, demo_pki):
    doc = submitted(person)
    _approve(person, doc)
    blob = doc.main_file.blob
    first = FileSignatureCheck.objects.get(blob=blob)
    assert services.check_blob(blob).checked_at == first.checked_at  # reused
    TrustAnchor.objects.update(is_active=False)
    services.add_trust_anchor(None, demo_pki.root_pem, name="Một gốc khác")  # the store changed
    again = services.check_blob(blob)
    assert again.checked_at > first.checked_at and not again.ok
    assert again.signatures[0]["problem"] == "untrusted"


# PKCS#11 (SoftHSM2) -------------------------------------------------------------------------------------


@pytest.fixture
def softhsm_token(tmp_path, monkeypatch, signing_demo, person):
    """A SoftHSM2 token holding the leader's key and certificate (the PKCS#12 of the demo, imported)."""
    import subprocess

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from tests.conftest import require_tool

    module = require_tool("/usr/lib/softhsm/libsofthsm2.so")
    softhsm, tool = require_tool("softhsm2-util"), require_tool("pkcs11-tool")
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run([softhsm, "--init-token", "--free", "--label", "LANHDAO", "--pin", "123456", "--so-pin",
                    "12345678"], check=True, capture_output=True)
    leader = person("lanhdao.sokhcn")
    cert = SigningCertificate.objects.get(person=leader)
    key, certificate, _ = pkcs12.load_key_and_certificates(services.storage.read_verified(cert.pkcs12_blob),
                                                           PASSPHRASE.encode())
    (tmp_path / "key.der").write_bytes(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    (tmp_path / "cert.der").write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    for path, kind in (("key.der", "privkey"), ("cert.der", "cert")):
        subprocess.run([tool, "--module", module, "--token-label", "LANHDAO", "--login", "--pin", "123456",
                        "--write-object", str(tmp_path / path), "--type", kind, "--id", "01", "--label", "kyso"],
                       check=True, capture_output=True)
    # SoftHSM2 reads SOFTHSM2_CONF when the module is initialised, once per process: unload it before and
    # after, so this token and those of other tests in the same process each get their own directory.
    _unload_pkcs11()
    yield module, leader
    _unload_pkcs11()


def _unload_pkcs11():
    import pkcs11

    for path in list(pkcs11._loaded):
        if "softhsm" in path:
            pkcs11.unload(path)


def test_sign_with_a_key_on_a_softhsm2_token(softhsm_token, person):
    module, leader = softhsm_token
    cert = services.register_pkcs11(leader, module_path=module, token_label="LANHDAO", key_label="kyso",
                                    pin="123456", person=leader)
    assert cert.key_source == "pkcs11" and cert.pkcs12_blob is None and cert.uses_pin
    assert selectors.personal_certificate(leader) == cert  # replaces the PKCS#12 one
    doc = submitted(person, sender="sokhcn", pdf=make_decree30_pdf(leader.full_name).data)
    with pytest.raises(services.SignatureError) as error:
        outgoing.approve(leader, doc, pin="000000")
    assert "Sai mã PIN" in str(error.value.message)
    outgoing.approve(leader, doc, pin="123456")
    check = FileSignatureCheck.objects.get(blob=doc.main_file.blob)
    assert check.ok and check.signatures[0]["certificate_fingerprint"] == cert.fingerprint_sha256
    entry = AuditEntry.objects.filter(action="signing.sign").get()
    assert entry.data["fingerprint"] == cert.fingerprint_sha256 and "123456" not in str(entry.data)
