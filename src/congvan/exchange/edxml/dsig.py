"""XML-DSig for edXML packages: enveloped, exclusive C14N, SHA-256, the installation's certificate.

Profile (what we write and the only thing we accept)::

    <Signature xmlns="http://www.w3.org/2000/09/xmldsig#">          in edXMLHeader, after TraceHeaderList
      <SignedInfo>
        <CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
        <SignatureMethod Algorithm="…#rsa-sha256"/>                  (ecdsa-sha256 for an EC key)
        <Reference URI="">
          <Transforms> enveloped-signature, exc-c14n </Transforms>
          <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue>…</DigestValue>
        </Reference>
      </SignedInfo>
      <SignatureValue>…</SignatureValue>
      <KeyInfo><X509Data><X509Certificate>…</X509Certificate></X509Data></KeyInfo>
    </Signature>

Memory: the digest is libxml2's exclusive C14N of the document, computed by ``_c14n`` on a skeleton
tree whose attachment contents are streamed from the file (see there): neither the canonical form
nor the attachments are ever held in memory, by Python or libxml2. Signing a streamed package inserts the Signature element, byte for byte, right after
``</edXML:TraceHeaderList>`` of the unsigned file: the enveloped transform gives back exactly the
bytes that were digested.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import NameOID
from lxml import etree

from . import _c14n
from .errors import PackageError
from .model import DSIG_NS

DS = f"{{{DSIG_NS}}}"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
SHA1_ALGORITHMS = {
    "http://www.w3.org/2000/09/xmldsig#sha1",
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1",
    "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
}

TAMPERED = "nội dung gói tin đã bị thay đổi sau khi ký"
UNTRUSTED = "chứng thư số của hệ thống gửi không khớp với chứng thư đã đăng ký"
UNSIGNED = "gói tin không có chữ ký số"
SHA1_REFUSED = "thuật toán SHA-1 không còn được chấp nhận"
CERT_UNREADABLE = "chứng thư số trong chữ ký không đọc được (bị cắt cụt hoặc hỏng)"
BAD_VALUE = "chữ ký số không hợp lệ: giá trị chữ ký không khớp với chứng thư số"


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


class NodeSigner:
    """Signs packages with an installation's key (RSA or EC) and certificate (PEM)."""

    def __init__(self, key_pem: bytes, cert_pem: bytes, password: bytes | None = None):
        key = serialization.load_pem_private_key(key_pem, password=password)
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError("Khóa ký gói tin phải là khóa RSA hoặc EC.")
        certificate = x509.load_pem_x509_certificate(cert_pem)
        public = serialization.PublicFormat.SubjectPublicKeyInfo
        if (certificate.public_key().public_bytes(serialization.Encoding.DER, public)
                != key.public_key().public_bytes(serialization.Encoding.DER, public)):
            raise ValueError("Chứng thư số không khớp với khóa ký gói tin.")
        self._key = key
        self.certificate = certificate
        self.method = RSA_SHA256 if isinstance(key, rsa.RSAPrivateKey) else ECDSA_SHA256

    def _sign(self, data: bytes) -> bytes:
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        r, s = decode_dss_signature(self._key.sign(data, ec.ECDSA(hashes.SHA256())))
        size = (self._key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")  # XML-DSig wants r || s, not DER

    def signature_element(self, digest: bytes, *, level: int = 3) -> bytes:
        """The serialised Signature element for a document whose digest is ``digest``."""
        signature = etree.Element(DS + "Signature", nsmap={None: DSIG_NS})
        signed_info = etree.SubElement(signature, DS + "SignedInfo")
        etree.SubElement(signed_info, DS + "CanonicalizationMethod", Algorithm=EXC_C14N)
        etree.SubElement(signed_info, DS + "SignatureMethod", Algorithm=self.method)
        reference = etree.SubElement(signed_info, DS + "Reference", URI="")
        transforms = etree.SubElement(reference, DS + "Transforms")
        etree.SubElement(transforms, DS + "Transform", Algorithm=ENVELOPED)
        etree.SubElement(transforms, DS + "Transform", Algorithm=EXC_C14N)
        etree.SubElement(reference, DS + "DigestMethod", Algorithm=SHA256)
        etree.SubElement(reference, DS + "DigestValue").text = base64.b64encode(digest).decode()
        value = etree.SubElement(signature, DS + "SignatureValue")
        key_info = etree.SubElement(signature, DS + "KeyInfo")
        x509_data = etree.SubElement(key_info, DS + "X509Data")
        etree.SubElement(x509_data, DS + "X509Certificate").text = base64.b64encode(_der(self.certificate)).decode()
        etree.indent(signature, space="  ", level=level)
        signature.tail = None  # nothing outside the element: the enveloped transform removes it whole
        canonical = etree.tostring(signed_info, method="c14n", exclusive=True, with_comments=False)
        value.text = base64.b64encode(self._sign(canonical)).decode()
        return etree.tostring(signature)


def sign_copy(unsigned: str | Path, out: BinaryIO, insert_at: int, signer: NodeSigner) -> None:
    """Copy ``unsigned`` to ``out`` with our Signature element inserted at byte ``insert_at``."""
    digest = _c14n.digest(_c14n.load(unsigned))
    element = signer.signature_element(digest)
    with open(unsigned, "rb") as src:
        remaining = insert_at
        while remaining:
            chunk = src.read(min(remaining, 1024 * 1024))
            if not chunk:  # pragma: no cover
                raise RuntimeError("unsigned package shorter than its header")
            out.write(chunk)
            remaining -= len(chunk)
        out.write(element)
        shutil.copyfileobj(src, out, 1024 * 1024)


@dataclass
class SignatureCheck:
    present: bool
    valid: bool
    subject: str = ""
    cert_sha256: str = ""
    reason: str = ""
    """Vietnamese, when not valid."""
    code: str = ""
    """Machine code when not valid: unsigned, signature_invalid, signature_untrusted, not_well_formed,
    dtd_forbidden."""

    def as_error(self) -> PackageError | None:
        """The refusal this check amounts to (None when valid)."""
        if self.valid:
            return None
        return PackageError(self.code or "signature_invalid", f"Chữ ký số của gói tin không hợp lệ: {self.reason}")


class _Invalid(Exception):
    pass


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element, name: str, ns: str | None = DSIG_NS) -> list:
    tag = f"{{{ns}}}{name}" if ns else name
    return [child for child in element if child.tag == tag]


def _one(element, name: str):
    found = _children(element, name)
    if len(found) != 1:
        raise _Invalid(f"chữ ký số phải có đúng một phần tử {name} trong {_local(element)}")
    return found[0]


def _b64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise _Invalid(f"{what} không phải dữ liệu base64 hợp lệ")


def _algorithm(element, accepted: set[str], what: str) -> str:
    algorithm = (element.get("Algorithm") or "").strip()
    if algorithm in SHA1_ALGORITHMS:
        raise _Invalid(SHA1_REFUSED)
    if algorithm not in accepted:
        raise _Invalid(f"{what} {algorithm or '(trống)'} không được hỗ trợ")
    return algorithm


def _prefixes(transform) -> list[str]:
    found = [child for child in transform if _local(child) == "InclusiveNamespaces"]
    if not found:
        return []
    return [p if p != "#default" else "" for p in (found[0].get("PrefixList") or "").split()]


def _certificates(signature) -> list[x509.Certificate]:
    certificates = []
    for key_info in _children(signature, "KeyInfo"):
        for data in _children(key_info, "X509Data"):
            for element in _children(data, "X509Certificate"):
                try:
                    certificates.append(x509.load_der_x509_certificate(_b64(element.text, "X509Certificate")))
                except (_Invalid, ValueError):
                    raise _Invalid(CERT_UNREADABLE)
    return certificates


def _verify_value(certificate: x509.Certificate, method: str, value: bytes, data: bytes) -> bool:
    key = certificate.public_key()
    try:
        if method == RSA_SHA256 and isinstance(key, rsa.RSAPublicKey):
            key.verify(value, data, padding.PKCS1v15(), hashes.SHA256())
            return True
        if method == ECDSA_SHA256 and isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            if len(value) != 2 * size:
                return False
            signature = encode_dss_signature(int.from_bytes(value[:size], "big"), int.from_bytes(value[size:], "big"))
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
            return True
    except InvalidSignature:
        return False
    return False


def _detach(element) -> None:
    """Remove ``element`` (the enveloped-signature transform), keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        raise _Invalid("chữ ký số không nằm trong gói tin (không phải dạng enveloped)")
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    element.tail = None
    parent.remove(element)


def _remove_signature(tree: etree._ElementTree) -> None:
    _detach(next(tree.getroot().iter(DS + "Signature")))


def _foreign(signature) -> SignatureCheck:
    """A Signature outside the DSig namespace (the vendor samples): say precisely what is wrong."""
    reasons = [f"phần tử Signature không thuộc không gian tên XML-DSig ({DSIG_NS}) nên không kiểm tra được"]
    algorithms = {(el.get("Algorithm") or "").strip() for el in signature.iter() if isinstance(el.tag, str)}
    if algorithms & SHA1_ALGORITHMS:
        reasons.append(SHA1_REFUSED)
    subject = ""
    for element in signature.iter():
        if _local(element) == "X509Certificate":
            try:
                certificate = x509.load_der_x509_certificate(_b64(element.text, "X509Certificate"))
                subject = certificate.subject.rfc4514_string()
            except (_Invalid, ValueError):
                reasons.append(CERT_UNREADABLE)
            break
    return SignatureCheck(present=True, valid=False, subject=subject, reason="; ".join(reasons),
                          code="signature_invalid")


def _trusted(pems: list[bytes]) -> list[x509.Certificate]:
    certificates = []
    for pem in pems:
        try:
            certificates.append(x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem))
        except ValueError:
            continue  # an unreadable registered certificate simply matches nothing
    return certificates


def verify_file(path: str | Path, trusted_cert_pems: list[bytes]) -> SignatureCheck:
    """Check the package's enveloped XML-DSig and pin its certificate.

    Valid only if the digest and the signature verify and the KeyInfo certificate (or, without one,
    one of the trusted ones) equals one of ``trusted_cert_pems`` (DER comparison)."""
    try:
        skeleton = _c14n.load(path)
    except PackageError as exc:
        return SignatureCheck(present=False, valid=False, reason=exc.message, code=exc.code)
    root = skeleton.tree.getroot()
    signatures = list(root.iter(DS + "Signature"))
    if not signatures:
        for element in root.iter():
            if _local(element) == "Signature":
                return _foreign(element)
        return SignatureCheck(present=False, valid=False, reason=UNSIGNED, code="unsigned")
    if len(signatures) > 1:
        return SignatureCheck(present=True, valid=False, reason="gói tin có nhiều hơn một chữ ký số XML-DSig",
                              code="signature_invalid")
    signature = signatures[0]
    trusted = _trusted(trusted_cert_pems)
    try:
        signed_info = _one(signature, "SignedInfo")
        c14n = _one(signed_info, "CanonicalizationMethod")
        _algorithm(c14n, {EXC_C14N}, "phương pháp chuẩn hóa")
        method = _algorithm(_one(signed_info, "SignatureMethod"), {RSA_SHA256, ECDSA_SHA256}, "thuật toán chữ ký")
        reference = _one(signed_info, "Reference")
        if reference.get("URI") != "":
            raise _Invalid('chữ ký số phải bao trùm toàn bộ gói tin (Reference URI="")')
        transforms = _children(_one(reference, "Transforms"), "Transform")
        algorithms = [(t.get("Algorithm") or "").strip() for t in transforms]
        if algorithms != [ENVELOPED, EXC_C14N]:
            raise _Invalid("các phép biến đổi của chữ ký phải là enveloped-signature rồi exc-c14n, có: "
                           + (", ".join(algorithms) or "(không có)"))
        _algorithm(_one(reference, "DigestMethod"), {SHA256}, "thuật toán băm")
        expected = _b64(_one(reference, "DigestValue").text, "DigestValue")
        value = _b64(_one(signature, "SignatureValue").text, "SignatureValue")
        certificates = _certificates(signature)
        canonical_signed_info = etree.tostring(signed_info, method="c14n", exclusive=True, with_comments=False,
                                               inclusive_ns_prefixes=_prefixes(c14n) or None)
        digest = _c14n.digest(skeleton, _remove_signature, _prefixes(transforms[1]))
        if not hmac.compare_digest(digest, expected):
            raise _Invalid(TAMPERED)
        signer = next((c for c in (certificates or trusted) if _verify_value(c, method, value, canonical_signed_info)),
                      None)
        if signer is None:
            raise _Invalid(BAD_VALUE)
    except _Invalid as exc:
        return SignatureCheck(present=True, valid=False, reason=str(exc), code="signature_invalid")
    except etree.LxmlError as exc:  # e.g. a relative namespace URI, which C14N refuses
        return SignatureCheck(present=True, valid=False, code="signature_invalid",
                              reason=f"không chuẩn hóa (C14N) được gói tin để kiểm tra chữ ký: {exc}")
    der = _der(signer)
    subject = signer.subject.rfc4514_string()
    fingerprint = hashlib.sha256(der).hexdigest()
    if der not in {_der(c) for c in trusted}:
        return SignatureCheck(present=True, valid=False, subject=subject, cert_sha256=fingerprint, reason=UNTRUSTED,
                              code="signature_untrusted")
    return SignatureCheck(present=True, valid=True, subject=subject, cert_sha256=fingerprint)


def generate_node_identity(name: str) -> tuple[bytes, bytes]:
    """A new installation identity: (PKCS#8 key PEM, self-signed certificate PEM), RSA-2048, 10 years,
    subject ``CN=Congvan node {name}``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Congvan node {name}")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)
