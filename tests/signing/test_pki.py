"""The demo PKI: Vietnamese subjects like real VN certificates, a chain root → province CA → leaf that
verifies, PKCS#12 files that open only with their passphrase, CRLs."""

import asyncio
import unicodedata

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtensionOID, NameOID

from congvan.signing.errors import SigningError
from congvan.signing.keys import load_pkcs12
from congvan.signing.pki import issue_person_certificate, issue_seal_certificate, make_crl

from .conftest import AGENCY, AGENCY_CODE, LEADER


def _attr(cert: x509.Certificate, oid) -> str:
    return cert.subject.get_attributes_for_oid(oid)[0].value


def test_person_subject_is_vietnamese_nfc_with_uid(leader_identity):
    cert = x509.load_pem_x509_certificate(leader_identity.certificate_pem)
    cn = _attr(cert, NameOID.COMMON_NAME)
    assert cn == LEADER == leader_identity.common_name
    assert unicodedata.is_normalized("NFC", cn)
    assert _attr(cert, NameOID.ORGANIZATION_NAME) == AGENCY
    assert _attr(cert, NameOID.COUNTRY_NAME) == "VN"
    assert _attr(cert, NameOID.USER_ID) == "CCCD:064089001234"
    # UTF-8 strings in the DER, as Vietnamese CAs issue them
    name = asn1_x509.Certificate.load(cert.public_bytes(encoding=_der())).subject
    kinds = {item["type"].native: item["value"].name for rdn in name.chosen for item in rdn}
    assert kinds["common_name"] == "utf8_string"
    assert kinds["organization_name"] == "utf8_string"


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def test_nfd_input_is_stored_nfc(demo_pki):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    identity = issue_person_certificate(demo_pki, nfd, unicodedata.normalize("NFD", AGENCY), "CMND:123456789",
                                        passphrase="x")
    cert = x509.load_pem_x509_certificate(identity.certificate_pem)
    assert _attr(cert, NameOID.COMMON_NAME) == unicodedata.normalize("NFC", nfd)
    assert _attr(cert, NameOID.ORGANIZATION_NAME) == AGENCY
    assert _attr(cert, NameOID.USER_ID) == "CMND:123456789"  # an existing prefix is kept


def test_seal_subject(seal_identity, demo_pki):
    cert = x509.load_pem_x509_certificate(seal_identity.certificate_pem)
    assert _attr(cert, NameOID.COMMON_NAME) == AGENCY
    assert _attr(cert, NameOID.USER_ID) == AGENCY_CODE
    with_tax = issue_seal_certificate(demo_pki, "Sở Nội vụ tỉnh Gia Lai", "000.05.00.H21", "x", tax_code="5900181213")
    cert = x509.load_pem_x509_certificate(with_tax.certificate_pem)
    assert _attr(cert, NameOID.USER_ID) == "MST:5900181213"


def test_ca_names(demo_pki):
    root = x509.load_pem_x509_certificate(demo_pki.root_pem)
    ca = x509.load_pem_x509_certificate(demo_pki.ca_pem)
    assert _attr(ca, NameOID.COMMON_NAME) == "Cơ quan chứng thực số tỉnh Gia Lai (thử nghiệm)"
    assert _attr(ca, NameOID.COUNTRY_NAME) == "VN"
    assert root.subject == root.issuer and ca.issuer == root.subject
    assert root.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca
    assert ca.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.path_length == 0


def test_leaf_key_usage(leader_identity):
    cert = x509.load_pem_x509_certificate(leader_identity.certificate_pem)
    usage = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE).value
    assert usage.digital_signature and usage.content_commitment  # nonRepudiation
    assert not usage.key_cert_sign
    assert not cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value.ca


def test_chain_verifies(demo_pki, leader_identity, seal_identity):
    root = x509.load_pem_x509_certificate(demo_pki.root_pem)
    ca = x509.load_pem_x509_certificate(demo_pki.ca_pem)
    root.verify_directly_issued_by(root)
    ca.verify_directly_issued_by(root)
    for identity in (leader_identity, seal_identity):
        leaf = x509.load_pem_x509_certificate(identity.certificate_pem)
        leaf.verify_directly_issued_by(ca)

    # And through pyHanko's certificate validator, with the key usage a signature needs.
    from pyhanko_certvalidator import CertificateValidator, ValidationContext

    def asn1(pem):
        return asn1_x509.Certificate.load(x509.load_pem_x509_certificate(pem).public_bytes(_der()))

    context = ValidationContext(trust_roots=[asn1(demo_pki.root_pem)], allow_fetching=False)
    validator = CertificateValidator(asn1(leader_identity.certificate_pem), intermediate_certs=[asn1(demo_pki.ca_pem)],
                                     validation_context=context)
    path = asyncio.run(validator.async_validate_usage({"digital_signature", "non_repudiation"}))
    assert len(path) == 3


def test_pkcs12_opens_with_its_passphrase_only(leader_identity):
    key, cert, others = pkcs12.load_key_and_certificates(leader_identity.pkcs12,
                                                         leader_identity.passphrase.encode())
    assert key is not None and cert is not None and len(others) == 2
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(leader_identity.pkcs12, b"wrong")


def test_load_pkcs12(leader_identity):
    key = load_pkcs12(leader_identity.pkcs12, leader_identity.passphrase)
    assert key.subject_name == LEADER
    assert key.fingerprint_sha256 == leader_identity.fingerprint_sha256
    assert len(key.fingerprint_sha256) == 64
    assert key.issuer_name == "Cơ quan chứng thực số tỉnh Gia Lai (thử nghiệm)"
    assert key.signer.signing_cert.dump() == key.certificate.dump()


def test_load_pkcs12_wrong_passphrase(leader_identity):
    with pytest.raises(SigningError) as caught:
        load_pkcs12(leader_identity.pkcs12, "sai-mật-khẩu")
    assert caught.value.message == "Sai mật khẩu của tệp khóa ký số."
    assert caught.value.code == "wrong_passphrase"


def test_load_pkcs12_not_a_key_file():
    with pytest.raises(SigningError) as caught:
        load_pkcs12(b"%PDF-1.7 not a key", "x")
    assert caught.value.code == "bad_key_file"
    assert "PKCS#12" in caught.value.message


def test_crl_lists_revoked_certificate(demo_pki, leader_identity):
    crl = x509.load_der_x509_crl(make_crl(demo_pki, [(leader_identity.certificate_pem, "key_compromise")]))
    ca = x509.load_pem_x509_certificate(demo_pki.ca_pem)
    assert crl.issuer == ca.subject
    assert crl.is_signature_valid(ca.public_key())
    entry = crl.get_revoked_certificate_by_serial_number(leader_identity.serial_number)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == x509.ReasonFlags.key_compromise
