"""Signing keys: an encrypted PKCS#12 file (software key) or a PKCS#11 token / HSM.

A :class:`SignerKey` wraps a pyHanko ``Signer``. Secrets (the passphrase, the PIN, the parsed private
key) live only as long as the object: nothing is cached at module level. Within that lifetime the
parsed key is kept, so signing many PDFs with one ``SignerKey`` does not pay the RSA key parsing and
consistency check (≈ 60 ms) again for every signature, as pyHanko's ``SimpleSigner`` does.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from .errors import SigningError

if TYPE_CHECKING:  # pragma: no cover
    from pyhanko.sign.signers import Signer

__all__ = ["SignerKey", "load_pem", "load_pkcs12", "open_pkcs11"]


@dataclass
class SignerKey:
    signer: Signer
    certificate: asn1_x509.Certificate
    fingerprint_sha256: str  # lower-case hex SHA-256 of the DER certificate
    subject_name: str  # the subject's common name (NFC)
    chain: list[asn1_x509.Certificate] = field(default_factory=list)  # other certificates to embed

    @property
    def issuer_name(self) -> str:
        return _common_name(self.certificate.issuer)

    @property
    def subject(self) -> str:
        return unicodedata.normalize("NFC", self.certificate.subject.human_friendly)


def _common_name(name: asn1_x509.Name) -> str:
    for rdn in name.chosen:
        for attribute in rdn:
            if attribute["type"].native == "common_name":
                return unicodedata.normalize("NFC", str(attribute["value"].native))
    return unicodedata.normalize("NFC", name.human_friendly)


def _asn1_cert(cert: pyca_x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _CmsTemplate:
    """The DER of one PAdES CMS container for a given signer, with the two places that change from one
    signature to the next: the message digest inside the signed attributes, and the signature value.

    For a PAdES signature without timestamp token the signed attributes are content-type, message-digest
    and signing-certificate-v2: everything but the digest is fixed for a certificate. pyHanko rebuilds
    and re-encodes the whole structure with asn1crypto for every signature (≈ 20 ms of pure Python
    here, twenty times the RSA operation); re-using the bytes brings a signature to a few ms."""

    def __init__(self, der: bytes, signed_attrs: bytes, marker: bytes, signature: bytes):
        self.der = der
        self.attrs_at = der.index(signed_attrs)
        self.attrs = signed_attrs
        self.digest_at = signed_attrs.index(marker)
        self.digest_len = len(marker)
        self.signature_at = der.index(signature, self.attrs_at + len(signed_attrs))
        self.signature_len = len(signature)

    @classmethod
    def build(cls, content_info, marker: bytes) -> _CmsTemplate | None:
        der = content_info.dump()
        signer_info = content_info["content"]["signer_infos"][0]
        types = {a["type"].native for a in signer_info["signed_attrs"]}
        if types != {"content_type", "message_digest", "signing_certificate_v2"}:
            return None  # other attributes (signing time, revocation info, CAdES attributes…): no template
        signed_attrs = signer_info["signed_attrs"].dump()
        signature = signer_info["signature"].native
        if der.count(signed_attrs) != 1 or signed_attrs.count(marker) != 1 or der.count(signature) != 1:
            return None
        return cls(der, signed_attrs, marker, signature)

    def attributes_to_sign(self, digest: bytes) -> tuple[bytes, bytes]:
        """(signed attributes as embedded — [0] IMPLICIT —, and as signed — SET OF)."""
        attrs = self.attrs[:self.digest_at] + digest + self.attrs[self.digest_at + self.digest_len:]
        return attrs, b"\x31" + attrs[1:]

    def fill(self, attrs: bytes, signature: bytes) -> bytes:
        der = self.der
        return (der[:self.attrs_at] + attrs + der[self.attrs_at + len(attrs):self.signature_at] + signature
                + der[self.signature_at + self.signature_len:])


def _template_mixin(base):
    """A subclass of a pyHanko Signer class that signs plain PAdES containers from a cached template."""
    from asn1crypto import cms

    class _TemplateSigner(base):
        _templates: dict

        async def async_sign(self, data_digest, digest_algorithm, dry_run=False, use_pades=False,
                             timestamper=None, signed_attr_settings=None, is_pdf_sig=True,
                             encap_content_info=None):
            settings = signed_attr_settings
            plain = (use_pades and is_pdf_sig and not dry_run and timestamper is None
                     and encap_content_info is None and not self.attribute_certs
                     and (settings is None or (getattr(settings, "adobe_revinfo_attr", None) is None
                                               and getattr(settings, "cades_signed_attrs", None) is None)))
            if plain:
                templates = self.__dict__.setdefault("_templates", {})
                key = (digest_algorithm.lower(), len(data_digest))
                template = templates.get(key, False)
                if template is False:
                    marker = os.urandom(len(data_digest))
                    built = await super().async_sign(marker, digest_algorithm, use_pades=True,
                                                     signed_attr_settings=settings, is_pdf_sig=True)
                    template = templates[key] = _CmsTemplate.build(built, marker)
                if template is not None:
                    attrs, to_sign = template.attributes_to_sign(data_digest)
                    signature = await self.async_sign_raw(to_sign, digest_algorithm.lower())
                    if len(signature) == template.signature_len:
                        return cms.ContentInfo.load(template.fill(attrs, signature))
            return await super().async_sign(data_digest, digest_algorithm, dry_run=dry_run, use_pades=use_pades,
                                            timestamper=timestamper, signed_attr_settings=signed_attr_settings,
                                            is_pdf_sig=is_pdf_sig, encap_content_info=encap_content_info)

    _TemplateSigner.__name__ = f"Template{base.__name__}"
    return _TemplateSigner


def _make_software_signer(key, cert: pyca_x509.Certificate, others: Iterable[pyca_x509.Certificate]):
    """A pyHanko SimpleSigner that keeps the parsed ``cryptography`` key instead of re-parsing it,
    and re-uses the encoded CMS container (see :class:`_CmsTemplate`)."""
    from asn1crypto import keys as asn1_keys
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class _ParsedKeySigner(_template_mixin(SimpleSigner)):
        def __init__(self, *args, pyca_key, **kwargs):
            super().__init__(*args, **kwargs)
            self._pyca_key = pyca_key

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            from pyhanko.sign.general import get_pyca_cryptography_hash

            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                algo = mechanism.signature_algo
            except ValueError:
                algo = mechanism["algorithm"].native
            key = self._pyca_key
            if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
                return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
            return super().sign_raw(data, digest_algorithm)  # PSS, EdDSA…: pyHanko's own path

    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    chain = [_asn1_cert(c) for c in others]
    store = SimpleCertificateStore()
    store.register_multiple(chain)
    # Roots are not embedded: a verifier must have them in its trust store anyway.
    signer = _ParsedKeySigner(signing_cert=_asn1_cert(cert), signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
                              cert_registry=store, pyca_key=key, embed_roots=False)
    return signer, chain


def _signer_key(signer, cert: pyca_x509.Certificate, chain) -> SignerKey:
    asn1 = _asn1_cert(cert)
    return SignerKey(signer=signer, certificate=asn1, fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
                     subject_name=_common_name(asn1.subject), chain=list(chain))


def _public_bytes(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def _check_pair(key, cert: pyca_x509.Certificate) -> None:
    if _public_bytes(key.public_key()) != _public_bytes(cert.public_key()):
        raise SigningError("Khóa bí mật không khớp với chứng thư số trong tệp khóa ký số.", code="key_mismatch")


def load_pkcs12(data: bytes, passphrase: str) -> SignerKey:
    """Open an encrypted PKCS#12 (.p12/.pfx) file. Wrong passphrase → :class:`SigningError`."""
    if not data:
        raise SigningError("Chưa có tệp khóa ký số.", code="no_key_file")
    secret = passphrase.encode("utf-8") if passphrase else None
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, secret)
    except ValueError as exc:
        if _looks_like_pfx(data):
            raise SigningError("Sai mật khẩu của tệp khóa ký số.", code="wrong_passphrase", detail=str(exc))
        raise SigningError("Tệp không phải là tệp khóa ký số PKCS#12 (.p12, .pfx).", code="bad_key_file",
                           detail=str(exc))
    except Exception as exc:  # unsupported algorithms and the like
        raise SigningError("Không mở được tệp khóa ký số.", code="bad_key_file", detail=repr(exc))
    if key is None or cert is None:
        raise SigningError("Tệp khóa ký số không chứa đủ khóa bí mật và chứng thư số.", code="bad_key_file")
    _check_pair(key, cert)
    signer, chain = _make_software_signer(key, cert, others or ())
    return _signer_key(signer, cert, chain)


def load_pem(key_pem: bytes, certificate_pem: bytes, chain_pem: Iterable[bytes] = (),
             password: str | None = None) -> SignerKey:
    """A software key from PEM files (key, certificate, chain): for tools and benchmarks."""
    try:
        key = serialization.load_pem_private_key(key_pem, password.encode("utf-8") if password else None)
        cert = pyca_x509.load_pem_x509_certificate(certificate_pem)
        others = [c for pem in chain_pem for c in pyca_x509.load_pem_x509_certificates(pem)]
    except (TypeError, ValueError) as exc:
        raise SigningError("Không đọc được khóa hoặc chứng thư số (PEM).", code="bad_key_file", detail=str(exc))
    _check_pair(key, cert)
    signer, chain = _make_software_signer(key, cert, others)
    return _signer_key(signer, cert, chain)


def _looks_like_pfx(data: bytes) -> bool:
    try:
        from asn1crypto import pkcs12 as asn1_pkcs12

        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        return pfx["version"].native == "v3"
    except Exception:
        return False


def _pkcs11_error(exc: BaseException) -> SigningError:
    try:
        import pkcs11.exceptions as p11e
    except ImportError:  # pragma: no cover - python-pkcs11 ships with pyhanko[pkcs11]
        p11e = None
    name = type(exc).__name__
    if p11e is not None and isinstance(exc, p11e.PinIncorrect):
        return SigningError("Sai mã PIN của thiết bị ký số.", code="wrong_pin", detail=name)
    if p11e is not None and isinstance(exc, p11e.PinLocked):
        return SigningError("Mã PIN của thiết bị ký số đã bị khóa; hãy liên hệ bộ phận quản trị.",
                            code="pin_locked", detail=name)
    if p11e is not None and isinstance(exc, p11e.PinLenRange | p11e.PinInvalid):
        return SigningError("Mã PIN không đúng định dạng.", code="wrong_pin", detail=name)
    if p11e is not None and isinstance(exc, p11e.TokenNotPresent | p11e.DeviceRemoved | p11e.NoSuchToken):
        return SigningError("Không tìm thấy thiết bị ký số (token).", code="no_token", detail=name)
    return SigningError("Không dùng được thiết bị ký số: " + (str(exc) or name), code="pkcs11_error",
                        detail=repr(exc))


@contextmanager
def open_pkcs11(module_path: str, token_label: str, pin: str, key_label: str, cert_label: str | None = None,
                *, key_id: bytes | None = None, cert_id: bytes | None = None,
                other_certs: Iterable[bytes] = ()) -> Iterator[SignerKey]:
    """Log in to a PKCS#11 token (selected by label) and yield a :class:`SignerKey` for its key.

    The session stays open for the ``with`` block only; sign inside it. The token's other certificates
    (the CA chain) are pulled and embedded; ``other_certs`` (PEM/DER) adds more."""
    try:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as p11
    except ImportError as exc:  # pragma: no cover
        raise SigningError("Máy chủ chưa cài hỗ trợ PKCS#11 (pyhanko[pkcs11]).", code="pkcs11_error",
                           detail=str(exc))
    try:
        session = p11.open_pkcs11_session(module_path, token_criteria=TokenCriteria(label=token_label),
                                          user_pin=pin)
    except SigningError:
        raise
    except Exception as exc:
        if "No token matching" in str(exc):
            raise SigningError(f"Không tìm thấy thiết bị ký số có nhãn “{token_label}”.", code="no_token",
                               detail=str(exc))
        if isinstance(exc, OSError | RuntimeError) and not type(exc).__module__.startswith("pkcs11"):
            raise SigningError("Không nạp được thư viện PKCS#11 của thiết bị ký số.", code="pkcs11_module",
                               detail=f"{module_path}: {exc!r}")
        raise _pkcs11_error(exc)
    try:
        extra = []
        for blob in other_certs:
            extra.extend(_asn1_cert(c) for c in (pyca_x509.load_pem_x509_certificates(blob)
                                                 if b"-----BEGIN" in blob
                                                 else [pyca_x509.load_der_x509_certificate(blob)]))
        kwargs: dict[str, Any] = {"other_certs_to_pull": None, "ca_chain": extra or None}
        if key_id is not None or cert_id is not None:
            kwargs.update(key_id=key_id, cert_id=cert_id)
        signer = _template_mixin(p11.PKCS11Signer)(
            session, cert_label=cert_label or (None if cert_id else key_label), key_label=key_label,
            embed_roots=False, **kwargs)
        try:
            asn1 = signer.signing_cert  # loads the key and the certificate now: errors surface here
            chain = [c for c in signer.cert_registry if c.dump() != asn1.dump()]
        except Exception as exc:
            raise SigningError(
                f"Không tìm thấy khóa “{key_label}” hoặc chứng thư số tương ứng trên thiết bị ký số.",
                code="no_key", detail=repr(exc))
        cert = pyca_x509.load_der_x509_certificate(asn1.dump())
        yield _signer_key(signer, cert, chain)
    finally:
        try:
            session.close()
        except Exception:  # pragma: no cover - closing a dead session
            pass
