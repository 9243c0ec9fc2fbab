"""A demo public-key infrastructure: root → province CA → people's and agencies' certificates.

Real Vietnamese state agencies use the government CA of Ban Cơ yếu Chính phủ; this module only makes
look-alikes for the demo and the tests, with the same shape: Vietnamese names in UTF-8 subjects (always
NFC), the ``UID`` attribute carrying a prefixed identifier (``CCCD:…`` for a person, ``MST:…`` or the
agency's identifier code for a seal), KeyUsage digitalSignature + nonRepudiation on the leaves, RSA with
SHA-256. Pure ``cryptography``; no Django.

    pki = make_demo_pki("Gia Lai")
    leader = issue_person_certificate(pki, "Phạm Anh Tuấn", "Ủy ban nhân dân tỉnh Gia Lai",
                                      "064089001234", passphrase="…")
    seal = issue_seal_certificate(pki, "Ủy ban nhân dân tỉnh Gia Lai", "000.00.00.H21", passphrase="…")
    crl = make_crl(pki, [(leader.certificate_pem, "key_compromise")])

The CA keys are kept (unencrypted PEM) in :class:`DemoPki` so more leaves can be issued later: this is a
demo PKI and must never be used for real documents.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "DemoPki",
    "IssuedIdentity",
    "issue_person_certificate",
    "issue_seal_certificate",
    "issue_tsa_certificate",
    "load_certificates",
    "make_crl",
    "make_demo_pki",
]

#: Lifetimes of the demo certificates.
ROOT_DAYS = 20 * 365
CA_DAYS = 10 * 365
LEAF_DAYS = 3 * 365
#: Certificates start one day in the past so that clocks a little behind still accept them.
BACKDATE = timedelta(days=1)


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(value).split()))


@dataclass
class IssuedIdentity:
    """One leaf certificate with its key, packed as an encrypted PKCS#12 file."""

    common_name: str
    pkcs12: bytes
    passphrase: str
    certificate_pem: bytes
    fingerprint_sha256: str  # lower-case hex of SHA-256 over the DER certificate
    serial_number: int = 0
    subject: str = ""  # RFC 4514 string, for display


@dataclass
class DemoPki:
    """The trust store content (root, province CA) and the CA keys to issue more leaves."""

    root_pem: bytes
    ca_pem: bytes
    root_key_pem: bytes
    ca_key_pem: bytes
    province: str = ""

    @property
    def trust_roots(self) -> list[bytes]:
        return [self.root_pem]

    @property
    def intermediates(self) -> list[bytes]:
        return [self.ca_pem]


def fingerprint_sha256(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def _new_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _name(common_name: str, *, organization: str | None = None, unit: str | None = None,
          province: str | None = None, uid: str | None = None, email: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if province:
        attributes.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, _nfc(province)))
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, _nfc(organization)))
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _nfc(unit)))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, _nfc(common_name)))
    if uid:
        attributes.append(x509.NameAttribute(NameOID.USER_ID, _nfc(uid)))
    if email:
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(attributes)


def _load_cert(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem) if b"-----BEGIN" in pem else x509.load_der_x509_certificate(pem)


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle, or the one certificate of a DER file."""
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _revocation_extensions(builder: x509.CertificateBuilder, crl_url: str | None,
                           ocsp_url: str | None, ca_issuers_url: str | None = None):
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None,
            crl_issuer=None)]), critical=False)
    access = []
    if ocsp_url:
        access.append(x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP,
                                             x509.UniformResourceIdentifier(ocsp_url)))
    if ca_issuers_url:
        access.append(x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                                             x509.UniformResourceIdentifier(ca_issuers_url)))
    if access:
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
    return builder


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)


def _signing_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)


def make_demo_pki(province: str = "Gia Lai", *, root_key_size: int = 2048, key_size: int = 2048,
                  crl_url: str | None = None, now: datetime | None = None) -> DemoPki:
    """A fresh root and province CA. ``crl_url`` (the root's CRL) goes into the CA certificate."""
    province = _nfc(province)
    now = now or datetime.now(UTC)
    root_key, ca_key = _new_key(root_key_size), _new_key(key_size)
    root_name = _name("Cơ quan chứng thực số gốc (thử nghiệm)",
                      organization="Hệ thống quản lý văn bản Congvan (thử nghiệm)")
    ca_name = _name(f"Cơ quan chứng thực số tỉnh {province} (thử nghiệm)",
                    organization=f"Ủy ban nhân dân tỉnh {province}", province=province)
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name).issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE).not_valid_after(now + timedelta(days=ROOT_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(root_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE).not_valid_after(now + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
                       critical=False)
    )
    ca = _revocation_extensions(builder, crl_url, None).sign(root_key, hashes.SHA256())
    return DemoPki(
        root_pem=root.public_bytes(serialization.Encoding.PEM),
        ca_pem=ca.public_bytes(serialization.Encoding.PEM),
        root_key_pem=_key_pem(root_key),
        ca_key_pem=_key_pem(ca_key),
        province=province,
    )


def _issue(pki: DemoPki, subject: x509.Name, passphrase: str, *, crl_url: str | None,
           ocsp_url: str | None, ca_issuers_url: str | None = None, key_size: int = 2048,
           valid_days: int = LEAF_DAYS, now: datetime | None = None,
           extended_key_usage: Sequence[x509.ObjectIdentifier] | None = None,
           key_usage: x509.KeyUsage | None = None, eku_critical: bool = False) -> IssuedIdentity:
    now = now or datetime.now(UTC)
    ca = _load_cert(pki.ca_pem)
    root = _load_cert(pki.root_pem)
    ca_key = serialization.load_pem_private_key(pki.ca_key_pem, password=None)
    key = _new_key(key_size)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE).not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage or _signing_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
    )
    if extended_key_usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended_key_usage)),
                                        critical=eku_critical)
    cert = _revocation_extensions(builder, crl_url, ocsp_url, ca_issuers_url).sign(ca_key, hashes.SHA256())
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    encryption = (serialization.BestAvailableEncryption(passphrase.encode("utf-8")) if passphrase
                  else serialization.NoEncryption())
    p12 = pkcs12.serialize_key_and_certificates(
        name=common_name.encode("utf-8"), key=key, cert=cert, cas=[ca, root], encryption_algorithm=encryption)
    return IssuedIdentity(
        common_name=common_name,
        pkcs12=p12,
        passphrase=passphrase,
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM),
        fingerprint_sha256=fingerprint_sha256(cert),
        serial_number=cert.serial_number,
        subject=cert.subject.rfc4514_string(),
    )


def _prefixed(value: str, default_prefix: str) -> str:
    value = _nfc(value).replace(" ", "")
    return value if ":" in value else f"{default_prefix}:{value}"


def issue_person_certificate(pki: DemoPki, full_name: str, agency_name: str, uid: str, passphrase: str, *,
                             crl_url: str | None = None, ocsp_url: str | None = None,
                             ca_issuers_url: str | None = None, title: str | None = None,
                             email: str | None = None, key_size: int = 2048,
                             valid_days: int = LEAF_DAYS, now: datetime | None = None) -> IssuedIdentity:
    """A person's signing certificate: CN=full name, O=agency, C=VN, UID=CCCD:… (prefix added when
    ``uid`` has none). ``title`` (chức vụ) goes to OU when given."""
    subject = _name(full_name, organization=agency_name, unit=title, province=pki.province or None,
                    uid=_prefixed(uid, "CCCD"), email=email)
    return _issue(pki, subject, passphrase, crl_url=crl_url, ocsp_url=ocsp_url,
                  ca_issuers_url=ca_issuers_url, key_size=key_size, valid_days=valid_days, now=now)


def issue_seal_certificate(pki: DemoPki, agency_name: str, agency_code: str, passphrase: str, *,
                           tax_code: str | None = None, crl_url: str | None = None,
                           ocsp_url: str | None = None, ca_issuers_url: str | None = None,
                           email: str | None = None, key_size: int = 2048, valid_days: int = LEAF_DAYS,
                           now: datetime | None = None) -> IssuedIdentity:
    """An agency's certificate (the electronic seal): CN=O=agency name, C=VN, UID=MST:<tax code> when
    ``tax_code`` is given, otherwise the agency's identifier code (mã định danh) as it is."""
    uid = f"MST:{tax_code}" if tax_code else _nfc(agency_code)
    subject = _name(agency_name, organization=agency_name, province=pki.province or None, uid=uid, email=email)
    return _issue(pki, subject, passphrase, crl_url=crl_url, ocsp_url=ocsp_url,
                  ca_issuers_url=ca_issuers_url, key_size=key_size, valid_days=valid_days, now=now)


def issue_tsa_certificate(pki: DemoPki, name: str = "Dịch vụ cấp dấu thời gian (thử nghiệm)", *,
                          key_size: int = 2048, now: datetime | None = None) -> tuple[bytes, bytes]:
    """A time-stamping authority certificate (EKU timeStamping, critical): ``(cert_pem, key_pem)``."""
    now = now or datetime.now(UTC)
    ca = _load_cert(pki.ca_pem)
    ca_key = serialization.load_pem_private_key(pki.ca_key_pem, password=None)
    key = _new_key(key_size)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name, organization=f"Ủy ban nhân dân tỉnh {pki.province}" if pki.province else None))
        .issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE).not_valid_after(now + timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)


_REASONS = {flag.name: flag for flag in x509.ReasonFlags}


def make_crl(pki: DemoPki, revoked: Iterable[tuple[bytes | int, str]] = (), *, issuer: str = "ca",
             next_update: timedelta = timedelta(days=7), now: datetime | None = None,
             revoked_at: datetime | None = None, number: int = 1) -> bytes:
    """A DER CRL signed by the province CA (``issuer="ca"``) or the root (``issuer="root"``).

    ``revoked``: pairs of (certificate PEM/DER or serial number, reason), the reason one of
    :class:`cryptography.x509.ReasonFlags` names: ``key_compromise``, ``affiliation_changed``,
    ``superseded``, ``cessation_of_operation``, ``certificate_hold``, ``privilege_withdrawn``,
    ``unspecified``…"""
    now = now or datetime.now(UTC)
    issuer_cert = _load_cert(pki.ca_pem if issuer == "ca" else pki.root_pem)
    issuer_key = serialization.load_pem_private_key(pki.ca_key_pem if issuer == "ca" else pki.root_key_pem,
                                                    password=None)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                       critical=False)
    )
    for certificate, reason in revoked:
        serial = certificate if isinstance(certificate, int) else _load_cert(certificate).serial_number
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(revoked_at or now - timedelta(minutes=1))
        )
        flag = _REASONS.get(reason, x509.ReasonFlags.unspecified)
        if flag is not x509.ReasonFlags.unspecified:
            entry = entry.add_extension(x509.CRLReason(flag), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def certificate_sha256(pem_or_der: bytes) -> str:
    """Fingerprint (lower-case hex SHA-256 of the DER) of a PEM or DER certificate."""
    if b"-----BEGIN" in pem_or_der:
        pem_or_der = _load_cert(pem_or_der).public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(pem_or_der).hexdigest()
