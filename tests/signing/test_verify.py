"""validate_pdf: integrity, trust, both SubFilters, revocation (CRL file; OCSP and CRLs served by
certomancer on loopback) and timestamps (certomancer's TSA on loopback), reported in Vietnamese."""

import io
import json
import textwrap
import threading
from datetime import datetime

import pytest

from congvan.signing.keys import load_pkcs12
from congvan.signing.pdfsign import VIETNAM_TZ, Placement, sign_approval
from congvan.signing.pki import issue_person_certificate, make_crl, make_demo_pki
from congvan.signing.verify import ValidationReport, format_report, validate_pdf

from .conftest import AGENCY, LEADER, make_decree30_pdf

CA_NAME = "Cơ quan chứng thực số tỉnh Gia Lai (thử nghiệm)"


def test_sealed_document_is_valid(signed_pair, demo_pki):
    report = validate_pdf(signed_pair[2], [demo_pki.root_pem])
    assert not report.error and report.ok
    leader, agency = report.signatures
    assert leader.field_name == "LanhDaoKy" and agency.field_name == "CoQuanKy"
    assert leader.signer_name == LEADER and agency.signer_name == AGENCY
    assert leader.issuer_name == CA_NAME
    assert "UID" in leader.signer_subject or "User ID" in leader.signer_subject
    assert leader.signer_uid == "CCCD:064089001234"
    for s in report.signatures:
        assert s.intact and s.valid and s.trusted and not s.revoked and not s.modified_after and s.ok
        assert s.subfilter == "ETSI.CAdES.detached"
        assert s.signed_at is not None and s.signed_at.utcoffset().total_seconds() == 7 * 3600
        assert len(s.certificate_fingerprint) == 64
    assert not leader.covers_whole_file and agency.covers_whole_file
    assert leader.summary.startswith(f"Hợp lệ — ký bởi {LEADER}, lúc ")
    assert "(+07:00), chứng thư do " + CA_NAME + " cấp" in leader.summary
    assert report.summary.count("Hợp lệ") == 2
    # JSON-serialisable, for storing with the file
    data = json.loads(json.dumps(report.as_dict(), ensure_ascii=False))
    assert data["ok"] is True and len(data["signatures"]) == 2
    assert data["signatures"][0]["signed_at"].endswith("+07:00")


def test_format_report(signed_pair, demo_pki):
    text = format_report(validate_pdf(signed_pair[2], [demo_pki.root_pem]), name="quyet-dinh.pdf")
    assert text.startswith("Tệp quyet-dinh.pdf: 2 chữ ký số — TẤT CẢ HỢP LỆ")
    assert "1. [LanhDaoKy] Hợp lệ — ký bởi Phạm Anh Tuấn" in text
    assert "PAdES (ETSI.CAdES.detached)" in text
    assert "Dấu vân tay chứng thư (SHA-256):" in text
    assert format_report(ValidationReport([], error="Tệp quá lớn")) == "Tệp: Tệp quá lớn"
    assert "không có chữ ký số" in format_report(ValidationReport([]))


def test_unsigned_pdf(sample_pdf, demo_pki):
    report = validate_pdf(sample_pdf.data, [demo_pki.root_pem])
    assert report.signatures == [] and not report.error and not report.ok
    assert report.summary == "Tệp không có chữ ký số."


def test_one_byte_changed_after_signing(signed_pair, demo_pki):
    approved = bytearray(signed_pair[1])
    at = approved.index(b"ReportLab")  # inside the signed range (the document's /Producer)
    approved[at] = ord("r")
    report = validate_pdf(bytes(approved), [demo_pki.root_pem])
    assert not report.error
    (sig,) = report.signatures
    assert sig.intact is False and sig.ok is False
    assert sig.summary == "Không hợp lệ: nội dung đã bị thay đổi sau khi ký"
    assert "đã bị thay đổi sau khi ký" in report.summary and not report.ok


def test_content_changed_in_a_later_update(signed_pair, demo_pki):
    """An incremental update that draws on the page after the signature: modified after signing."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pair[1]))
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 30 Tf 100 100 Td (KHONG DUYET) Tj ET"))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    report = validate_pdf(out.getvalue(), [demo_pki.root_pem])
    (sig,) = report.signatures
    assert sig.intact  # the signed bytes themselves are untouched…
    assert sig.modified_after and not sig.ok  # …but the page was changed afterwards
    assert "đã bị thay đổi sau khi ký" in sig.summary


def test_other_root_is_untrusted(signed_pair):
    stranger = make_demo_pki("Kon Tum")
    report = validate_pdf(signed_pair[2], [stranger.root_pem])
    assert not report.error and not report.ok
    for sig in report.signatures:
        assert sig.intact and sig.valid and not sig.trusted and not sig.ok
        assert sig.summary == "Không hợp lệ: chứng thư số không thuộc tổ chức chứng thực được tin cậy"


def test_no_trust_roots_at_all(signed_pair):
    report = validate_pdf(signed_pair[2], [])
    assert [s.trusted for s in report.signatures] == [False, False]


def test_adobe_pkcs7_detached_is_read(sample_pdf, leader_key, demo_pki):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    ours = sign_approval(sample_pdf.data, leader_key, signer_name=LEADER,
                         subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    # …and one made by pyHanko itself, outside our code
    meta = signers.PdfSignatureMetadata(field_name="Adobe", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=leader_key.signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(sample_pdf.data)),
                                                               output=out)
    for data in (ours, out.getvalue()):
        report = validate_pdf(data, [demo_pki.root_pem])
        (sig,) = report.signatures
        assert sig.subfilter == "adbe.pkcs7.detached"
        assert sig.ok, sig.summary
        assert sig.signed_at is not None


def test_revoked_by_crl_file(demo_pki, sample_pdf):
    """A CRL file from the trust store (no fetching): the certificate names its distribution point, as
    Vietnamese CA certificates do; the URL itself is never contacted."""
    identity = issue_person_certificate(demo_pki, "Võ Thị Thu Hà", AGENCY, "064190000111", passphrase="p",
                                        crl_url="http://ca.gialai.invalid/crl/gialai.crl")
    key = load_pkcs12(identity.pkcs12, "p")
    signed = sign_approval(sample_pdf.data, key, signer_name="Võ Thị Thu Hà",
                           placement=Placement(0, 340, 440, 490, 510))
    clean = make_crl(demo_pki, [])
    assert validate_pdf(signed, [demo_pki.root_pem], crls=[clean]).ok
    crl = make_crl(demo_pki, [(identity.certificate_pem, "key_compromise")], number=2)
    for mode in ("soft-fail", "hard-fail"):
        report = validate_pdf(signed, [demo_pki.root_pem], crls=[crl], revocation_mode=mode)
        (sig,) = report.signatures
        assert sig.revoked and not sig.trusted and not sig.ok
        assert sig.revocation_reason == "khóa bí mật bị lộ"
        assert sig.summary.startswith("Không hợp lệ: chứng thư số đã bị thu hồi (lý do: khóa bí mật bị lộ")


# ---------------------------------------------------------------------------------------------------
# certomancer on loopback: OCSP responder, CRL repository and time-stamping authority


CERTOMANCER_CONFIG = """
external-url-prefix: "{prefix}"
keysets:
  vn:
    path-prefix: "{keys}"
    keys:
      root: {{path: root.key.pem}}
      ca: {{path: ca.key.pem}}
      ocsp: {{path: ocsp.key.pem}}
      tsa: {{path: tsa.key.pem}}
      good: {{path: good.key.pem}}
      revoked: {{path: revoked.key.pem}}
pki-architectures:
  vn:
    keyset: vn
    entity-defaults:
      country-name: VN
      organization-name: "Ban Cơ yếu Chính phủ (thử nghiệm)"
    entities:
      root: {{common-name: "Cơ quan chứng thực số gốc chuyên dùng (thử nghiệm)"}}
      ca: {{common-name: "Cơ quan chứng thực số chuyên dùng Chính phủ (thử nghiệm)"}}
      ocsp: {{common-name: "Dịch vụ OCSP (thử nghiệm)"}}
      tsa: {{common-name: "Dịch vụ cấp dấu thời gian (thử nghiệm)"}}
      good: {{common-name: "Trần Thị Bích Ngọc", organization-name: "Sở Nội vụ tỉnh Gia Lai"}}
      revoked: {{common-name: "Lê Văn Hùng", organization-name: "Sở Nội vụ tỉnh Gia Lai"}}
    certs:
      root:
        subject: root
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2100-01-01T00:00:00+0000"}}
        extensions:
          - {{id: basic_constraints, critical: true, value: {{ca: true}}}}
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}}
      ca:
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2090-01-01T00:00:00+0000"}}
        extensions:
          - {{id: basic_constraints, critical: true, value: {{ca: true, path-len-constraint: 0}}}}
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [root]}}}}
      ocsp:
        issuer: ca
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2090-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - {{id: extended_key_usage, critical: true, value: [ocsp_signing]}}
          - {{id: ocsp_no_check}}
      tsa:
        issuer: ca
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2090-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - {{id: extended_key_usage, critical: true, value: [time_stamping]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [ca]}}}}
      good:
        issuer: ca
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2090-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, non_repudiation]}}
          - id: crl_distribution_points
            smart-value: {{schema: crl-dist-url, params: {{crl-repo-names: [ca]}}}}
          - id: authority_information_access
            smart-value: {{schema: aia-urls, params: {{ocsp-responder-names: [ca]}}}}
      revoked:
        template: good
        revocation:
          revoked-since: "2024-06-01T00:00:00+0000"
          reason: key_compromise
    services:
      ocsp:
        ca: {{for-issuer: ca, responder-cert: ocsp, signing-key: ocsp}}
      crl-repo:
        root: {{for-issuer: root, signing-key: root, simulated-update-schedule: "P90D"}}
        ca: {{for-issuer: ca, signing-key: ca, simulated-update-schedule: "P30D"}}
      time-stamping:
        tsa: {{signing-key: tsa, signing-cert: tsa}}
"""


class _LateApp:
    """A WSGI app set after the server is listening (the certificates must carry its port)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def certomancer_pki(tmp_path_factory):
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from werkzeug.serving import make_server

    keys = tmp_path_factory.mktemp("certomancer-keys")
    for label in ("root", "ca", "ocsp", "tsa", "good", "revoked"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (keys / f"{label}.key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    late = _LateApp()
    server = make_server("127.0.0.1", 0, late, threaded=True)
    prefix = f"http://127.0.0.1:{server.server_port}"
    config = CertomancerConfig.from_yaml(textwrap.dedent(CERTOMANCER_CONFIG.format(prefix=prefix, keys=keys)),
                                         key_search_dir=str(keys))
    arch = config.get_pki_arch("vn")
    late.app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
    thread = threading.Thread(target=server.serve_forever, name="certomancer", daemon=True)
    thread.start()
    try:
        yield {"arch": arch, "prefix": prefix, "root": arch.get_cert("root").dump(),
               "tsa_url": f"{prefix}/vn/tsa/tsa"}
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _certomancer_key(pki, label):
    return load_pkcs12(pki["arch"].package_pkcs12(label, password=b"mat-khau"), "mat-khau")


def test_ocsp_good_and_timestamp_from_loopback_tsa(certomancer_pki):
    key = _certomancer_key(certomancer_pki, "good")
    pdf = make_decree30_pdf("Trần Thị Bích Ngọc").data
    signed = sign_approval(pdf, key, signer_name="Trần Thị Bích Ngọc", timestamp_url=certomancer_pki["tsa_url"])
    report = validate_pdf(signed, [certomancer_pki["root"]], allow_fetching=True, revocation_mode="hard-fail")
    (sig,) = report.signatures
    assert sig.ok, sig.summary
    assert sig.trusted and not sig.revoked
    assert sig.timestamp_at is not None and sig.timestamp_ok
    assert sig.timestamp_authority == "Dịch vụ cấp dấu thời gian (thử nghiệm)"
    assert abs((sig.timestamp_at - datetime.now(VIETNAM_TZ)).total_seconds()) < 300
    assert sig.timestamp_at.utcoffset().total_seconds() == 7 * 3600
    assert "(có dấu thời gian)" in sig.summary


def test_revoked_signer_found_by_ocsp(certomancer_pki):
    key = _certomancer_key(certomancer_pki, "revoked")
    pdf = make_decree30_pdf("Lê Văn Hùng").data
    signed = sign_approval(pdf, key, signer_name="Lê Văn Hùng")
    # Without revocation data (nothing fetched, soft-fail) the certificate looks fine…
    offline = validate_pdf(signed, [certomancer_pki["root"]])
    assert offline.signatures[0].trusted
    # …asking the OCSP responder on loopback shows it was revoked.
    report = validate_pdf(signed, [certomancer_pki["root"]], allow_fetching=True, revocation_mode="hard-fail")
    (sig,) = report.signatures
    assert sig.revoked and not sig.trusted and not sig.ok
    assert sig.revocation_reason == "khóa bí mật bị lộ"
    assert sig.revoked_at is not None and sig.revoked_at.year == 2024
    assert sig.summary.startswith("Không hợp lệ: chứng thư số đã bị thu hồi (lý do: khóa bí mật bị lộ; từ 01/06/2024")


def test_revoked_signer_found_in_served_crl(certomancer_pki):
    """The CRL served by certomancer, downloaded and handed over as a file (no fetching)."""
    from urllib.request import urlopen

    key = _certomancer_key(certomancer_pki, "revoked")
    signed = sign_approval(make_decree30_pdf("Lê Văn Hùng").data, key, signer_name="Lê Văn Hùng")
    with urlopen(f"{certomancer_pki['prefix']}/vn/crls/ca/latest.crl", timeout=10) as response:  # noqa: S310
        crl = response.read()
    report = validate_pdf(signed, [certomancer_pki["root"]], crls=[crl])
    (sig,) = report.signatures
    assert sig.revoked and sig.revocation_reason == "khóa bí mật bị lộ"


def test_unreachable_revocation_in_hard_fail_mode(signed_pair, demo_pki):
    """The demo certificates name no CRL/OCSP: soft-fail accepts them, 'require' does not."""
    assert validate_pdf(signed_pair[1], [demo_pki.root_pem], revocation_mode="soft-fail").ok
    report = validate_pdf(signed_pair[1], [demo_pki.root_pem], revocation_mode="require")
    (sig,) = report.signatures
    assert not sig.ok and not sig.trusted
    assert sig.summary.startswith("Không hợp lệ:")
