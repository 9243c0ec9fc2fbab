"""Use cases of digital signatures: register certificates and the trust store, sign at approval, apply the
agency's signature at issuance, validate every stored or received PDF.

Every function that changes state runs in one transaction and writes its audit entry there; signing
functions are called from the workflow services inside their own transaction (a failure rolls back the
approval, or the issuance and its number). A passphrase or PIN is used for the signature and then
forgotten: it is never stored, logged or audited.
"""

import contextlib
import hashlib
import io
import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvan import audit
from congvan.directory.models import Agency, Person, Role
from congvan.documents import storage
from congvan.documents.models import Blob, Document, DocumentFile, Form
from congvan.errors import Forbidden, ServiceError
from congvan.signing import selectors
from congvan.signing.errors import SigningError
from congvan.signing.models import (
    CrlFile,
    FileSignatureCheck,
    KeySource,
    Signature,
    SigningCertificate,
    StampImage,
    TrustAnchor,
)

log = logging.getLogger(__name__)

PDF = "application/pdf"
DEMO_PASSPHRASE = "congvan"
# Size of the signature box (points) when the leader picks the place by a click on the page preview.
PICKED_BOX = (150.0, 60.0)
PREVIEW_DPI = 72  # one pixel of the preview = one PDF point


class SignatureError(ServiceError):
    """Signing or registering a certificate failed; the message says why, in plain Vietnamese."""

    code = "signing_failed"
    http_status = 400
    default_message = _("Không ký số được văn bản.")


class PositionRequired(SignatureError):
    """The signer's name was not found on the last page: the leader picks the place on a preview."""

    code = "signature_position_required"
    default_message = _("Không tìm thấy họ tên người ký trên trang cuối của văn bản; hãy chọn vị trí đặt chữ ký.")


NO_PERSONAL_CERTIFICATE = _("Bạn chưa có chứng thư số còn hiệu lực để ký văn bản điện tử. Hãy đăng ký chứng thư "
                            "số (mục Chữ ký số) hoặc đề nghị người soạn thảo chuyển văn bản sang hình thức giấy.")
NO_SEAL_CERTIFICATE = _("Cơ quan chưa có chứng thư số (chữ ký số của cơ quan) còn hiệu lực để phát hành văn bản "
                        "điện tử. Quản trị của cơ quan cần đăng ký chứng thư số cho cơ quan.")
SECRET_REQUIRED = _("Cần nhập mật khẩu (hoặc mã PIN của token) chứng thư số để ký văn bản.")


@contextlib.contextmanager
def _library_errors():
    """The signing library's SigningError (Vietnamese message) becomes a ServiceError for views and API."""
    try:
        yield
    except SigningError as exc:
        if exc.detail:
            log.info("signing failed: %s (%s)", exc.message, exc.detail)
        raise SignatureError(exc.message, code=exc.code or "signing_failed")


# Certificates ---------------------------------------------------------------------------------------------


@dataclass
class CertificateInfo:
    pem: str
    common_name: str
    subject: str
    issuer: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime


def certificate_info(certificate) -> CertificateInfo:
    """What we keep of a certificate (asn1crypto, cryptography, PEM or DER alike)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    if isinstance(certificate, str):
        certificate = certificate.encode("ascii")
    if isinstance(certificate, bytes):
        cert = (x509.load_pem_x509_certificate(certificate) if certificate.lstrip().startswith(b"-----")
                else x509.load_der_x509_certificate(certificate))
    elif hasattr(certificate, "public_bytes"):
        cert = certificate
    else:  # asn1crypto
        cert = x509.load_der_x509_certificate(certificate.dump())
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return CertificateInfo(
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        common_name=str(names[0].value) if names else cert.subject.rfc4514_string(),
        subject=cert.subject.rfc4514_string()[:1000],
        issuer=cert.issuer.rfc4514_string()[:1000],
        serial=format(cert.serial_number, "x"),
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


def _owner_args(person: Person | None, agency: Agency | None) -> dict:
    if (person is None) == (agency is None):
        raise ServiceError("Chứng thư số thuộc về một cán bộ hoặc một cơ quan.", code="invalid_owner")
    return {"person": person} if person is not None else {"agency": agency}


def _require_manager(actor: Person | None, person: Person | None, agency: Agency | None) -> None:
    """Own certificate: the person; an agency's seal or someone else's: the agency admin or the operator.
    ``actor`` None is the operator's command line."""
    if actor is None or actor.is_operator:
        return
    owner_agency_id = person.agency_id if person is not None else agency.pk
    if person is not None and person.pk == actor.pk:
        return
    if actor.has_role(Role.ADMIN) and actor.agency_id == owner_agency_id:
        return
    raise Forbidden("Chỉ chính cán bộ, quản trị của cơ quan hoặc quản trị toàn tỉnh được đăng ký chứng thư số.")


def _save_certificate(actor, info: CertificateInfo, owner: dict, key_fields: dict) -> SigningCertificate:
    if info.not_after < timezone.now():
        raise SignatureError(f"Chứng thư số đã hết hạn từ {timezone.localtime(info.not_after):%d/%m/%Y}.",
                             code="certificate_expired")
    existing = SigningCertificate.objects.filter(fingerprint_sha256=info.fingerprint, is_active=True, **owner,
                                                 **key_fields).first()
    if existing is not None:  # the same registration again
        return existing
    SigningCertificate.objects.filter(is_active=True, **owner).update(is_active=False)  # newest one signs
    cert = SigningCertificate.objects.create(
        certificate_pem=info.pem, common_name=info.common_name[:255], subject=info.subject, issuer=info.issuer,
        serial=info.serial, fingerprint_sha256=info.fingerprint, not_before=info.not_before,
        not_after=info.not_after, created_by=actor, **owner, **key_fields)
    audit.record("signing.certificate_register", actor=actor, agency=cert.person.agency if cert.person else cert.agency,
                 obj=cert, owner=str(cert.owner), seal=cert.is_seal, key_source=cert.key_source,
                 fingerprint=cert.fingerprint_sha256, subject=cert.subject, serial=cert.serial)
    return cert


@transaction.atomic
def register_pkcs12(actor: Person | None, data: bytes, passphrase: str, *, person: Person | None = None,
                    agency: Agency | None = None) -> SigningCertificate:
    """Register an encrypted PKCS#12 file (.p12/.pfx). The passphrase is checked here and forgotten."""
    from congvan.signing import keys

    owner = _owner_args(person, agency)
    _require_manager(actor, person, agency)
    if not data:
        raise SignatureError("Chưa chọn tệp chứng thư số (.p12, .pfx).", code="pkcs12_required")
    with _library_errors():
        key = keys.load_pkcs12(data, passphrase or "")
    info = certificate_info(key.certificate)
    blob = storage.store_bytes(data)
    return _save_certificate(actor, info, owner, {"key_source": KeySource.PKCS12, "pkcs12_blob": blob})


@transaction.atomic
def register_pkcs11(actor: Person | None, *, module_path: str, token_label: str, key_label: str, pin: str,
                    cert_label: str = "", person: Person | None = None, agency: Agency | None = None
                    ) -> SigningCertificate:
    """Register a key held on a PKCS#11 token or HSM; the PIN opens the token once to read the certificate."""
    from congvan.signing import keys

    owner = _owner_args(person, agency)
    _require_manager(actor, person, agency)
    with _library_errors(), keys.open_pkcs11(module_path, token_label, pin, key_label, cert_label or None) as key:
        info = certificate_info(key.certificate)
    return _save_certificate(actor, info, owner, {
        "key_source": KeySource.PKCS11, "pkcs11_module": module_path, "pkcs11_token_label": token_label,
        "pkcs11_key_label": key_label, "pkcs11_cert_label": cert_label or ""})


@transaction.atomic
def deactivate_certificate(actor: Person | None, cert: SigningCertificate) -> SigningCertificate:
    _require_manager(actor, cert.person, cert.agency)
    cert.is_active = False
    cert.save(update_fields=["is_active"])
    audit.record("signing.certificate_deactivate", actor=actor, obj=cert, fingerprint=cert.fingerprint_sha256)
    return cert


@transaction.atomic
def set_stamp_image(actor: Person | None, png: bytes, *, person: Person | None = None,
                    agency: Agency | None = None) -> StampImage:
    """The signature image of a person or the seal image of an agency (a PNG, transparent background)."""
    from PIL import Image, UnidentifiedImageError

    owner = _owner_args(person, agency)
    _require_manager(actor, person, agency)
    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG":
                raise SignatureError("Hình chữ ký, con dấu phải là tệp PNG.", code="stamp_not_png")
            if image.width > 3000 or image.height > 3000:
                raise SignatureError("Hình quá lớn (tối đa 3000 × 3000 điểm ảnh).", code="stamp_too_large")
    except (UnidentifiedImageError, OSError):
        raise SignatureError("Hình chữ ký, con dấu phải là tệp PNG.", code="stamp_not_png")
    blob = storage.store_bytes(png)
    row, _ = StampImage.objects.update_or_create(**owner, defaults={"blob": blob})
    audit.record("signing.stamp_image", actor=actor, obj=row, owner=str(person or agency), sha256=blob.sha256)
    return row


def stamp_png(*, person: Person | None = None, agency: Agency | None = None) -> bytes:
    from congvan.signing import stamps

    row = StampImage.objects.filter(person=person).first() if person else StampImage.objects.filter(
        agency=agency).first()
    if row is not None:
        with contextlib.suppress(FileNotFoundError, storage.BlobCorrupted):
            return storage.read_verified(row.blob)
    if person is not None:
        return stamps.signature_image(person.full_name)
    parent = agency.parent.name if agency.parent_id else None
    return stamps.seal_image(agency.name, parent)


# Trust store ----------------------------------------------------------------------------------------------


def _require_operator(actor: Person | None) -> None:
    if actor is not None and not actor.is_operator:
        raise Forbidden("Chỉ quản trị toàn tỉnh quản lý kho chứng thư tin cậy.")


@transaction.atomic
def add_trust_anchor(actor: Person | None, pem: bytes | str, *, name: str = "", kind: str = TrustAnchor.Kind.ROOT,
                     is_demo: bool = False) -> TrustAnchor:
    _require_operator(actor)
    try:
        info = certificate_info(pem)
    except ValueError:
        raise SignatureError("Tệp không phải chứng thư số X.509 (PEM hoặc DER).", code="invalid_certificate")
    anchor, created = TrustAnchor.objects.get_or_create(fingerprint_sha256=info.fingerprint, defaults={
        "name": (name or info.common_name)[:255], "kind": kind, "certificate_pem": info.pem, "subject": info.subject,
        "not_after": info.not_after, "is_demo": is_demo})
    if not created and not anchor.is_active:
        anchor.is_active = True
        anchor.save(update_fields=["is_active"])
    audit.record("signing.trust_anchor_add", actor=actor, obj=anchor, name=anchor.name, kind=anchor.kind,
                 fingerprint=anchor.fingerprint_sha256)
    return anchor


@transaction.atomic
def add_crl(actor: Person | None, data: bytes, *, name: str = "") -> CrlFile:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    _require_operator(actor)
    try:
        crl = (x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----")
               else x509.load_der_x509_crl(data))
    except ValueError:
        raise SignatureError("Tệp không phải danh sách thu hồi chứng thư (CRL).", code="invalid_crl")
    der = crl.public_bytes(serialization.Encoding.DER)
    row = CrlFile.objects.create(name=(name or crl.issuer.rfc4514_string())[:255], blob=storage.store_bytes(der),
                                 issuer=crl.issuer.rfc4514_string()[:1000], this_update=crl.last_update_utc,
                                 next_update=crl.next_update_utc)
    audit.record("signing.crl_add", actor=actor, obj=row, issuer=row.issuer, sha256=row.blob_id)
    return row


# Validation -----------------------------------------------------------------------------------------------


def validate_bytes(data: bytes):
    """verify.validate_pdf against this installation's trust store (the report of the library)."""
    from congvan.signing import verify

    store = selectors.trust_store()
    return verify.validate_pdf(data, store.roots, intermediates=store.intermediates, crls=store.crls,
                               allow_fetching=settings.OCSP_FETCH)


@transaction.atomic
def check_blob(blob: Blob, data: bytes | None = None, *, force: bool = False) -> FileSignatureCheck:
    """Validate a stored PDF and keep the result with its content; reused until the trust store changes."""
    existing = FileSignatureCheck.objects.filter(blob=blob).first()
    changed = selectors.trust_store_changed_at()
    if existing is not None and not force and (changed is None or existing.checked_at >= changed):
        return existing
    if data is None:
        data = storage.read_verified(blob)
    try:
        report = validate_bytes(data)
        result = report.as_dict()
        signatures = list(result.get("signatures") or [])
        error, summary = report.error or "", report.summary or ""
        if error and b"/ByteRange" not in data:
            # Unreadable for the validator but with no trace of a signature: an unsigned file, not a
            # failed signature (the electronic-form rule still flags a "fully electronic" one).
            error, summary = "", f"Tệp không có chữ ký số ({report.error})"
    except Exception as exc:  # a hostile file must not break the upload or the arrival: record why
        log.warning("validation of %s failed: %r", blob.sha256, exc)
        signatures, error = [], f"Không kiểm tra được chữ ký số của tệp: {str(exc)[:300]}"
        result, summary = {"signatures": [], "error": error}, error
    ok = bool(signatures) and not error and all(s.get("ok") for s in signatures)
    check, _ = FileSignatureCheck.objects.update_or_create(blob=blob, defaults={
        "checked_at": timezone.now(), "signature_count": len(signatures), "ok": ok, "error": error,
        "summary": summary, "report": result})
    if signatures or error:
        audit.record("signing.validate", sha256=blob.sha256, ok=ok, error=error[:300],
                     signatures=[{"signer": s.get("signer_name"), "ok": s.get("ok"),
                                  "fingerprint": s.get("certificate_fingerprint")} for s in signatures])
    return check


def check_document(document: Document) -> list[FileSignatureCheck]:
    """Validate the PDFs of a document as it is now (what a recipient receives)."""
    return [check_blob(f.blob) for f in selectors.current_files(document) if f.content_type == PDF]


# Signing in the flow --------------------------------------------------------------------------------------


@contextlib.contextmanager
def _open_key(cert: SigningCertificate, secret: str):
    """The certificate's key, unlocked by the typed passphrase or PIN for the time of one signature."""
    from congvan.signing import keys

    if not secret:
        raise SignatureError(SECRET_REQUIRED, code="secret_required")
    with _library_errors():
        if cert.key_source == KeySource.PKCS12:
            handle = contextlib.nullcontext(keys.load_pkcs12(storage.read_verified(cert.pkcs12_blob), secret))
        else:
            handle = keys.open_pkcs11(cert.pkcs11_module, cert.pkcs11_token_label, secret, cert.pkcs11_key_label,
                                      cert.pkcs11_cert_label or None)
        with handle as key:
            if selectors.normalize_fingerprint(key.fingerprint_sha256) != cert.fingerprint_sha256:
                raise SignatureError("Khóa mở được không khớp với chứng thư số đã đăng ký (token khác?).",
                                     code="certificate_mismatch")
            yield key


def _store_signed(document: Document, source: DocumentFile, data: bytes, person: Person, kind: str,
                  cert: SigningCertificate, signed_at: datetime) -> tuple[DocumentFile, FileSignatureCheck]:
    blob = storage.store_bytes(data)
    signed = DocumentFile.objects.create(document=document, blob=blob, name=source.name, content_type=PDF,
                                         role=source.role, added_by=person)
    from congvan.archive.services import ingest_file  # digitisation (issue 6): the source's origin and text

    ingest_file(signed, inherit_from=source)
    Signature.objects.create(document=document, source=source, signed_file=signed, kind=kind, certificate=cert,
                             fingerprint_sha256=cert.fingerprint_sha256, signed_by=person, signed_at=signed_at)
    return signed, check_blob(blob, data)


def _secret(passphrase: str | None, pin: str | None) -> str:
    return passphrase or pin or ""


def approval_plan(person: Person, document: Document, secret: str) -> SigningCertificate | None:
    """Whether the approval signs, and with which certificate (None: approve without signing)."""
    if document.form == Form.PAPER:
        return None
    cert = selectors.personal_certificate(person)
    if not secret and not selectors.signing_required():
        return None
    if cert is None:
        raise SignatureError(NO_PERSONAL_CERTIFICATE, code="certificate_required")
    if not secret:
        raise SignatureError(SECRET_REQUIRED, code="secret_required")
    return cert


def placement_at(page: int, x: float, y: float):
    """A signature box centred on a point the leader picked (PDF points, origin bottom left)."""
    from congvan.signing import pdfsign

    width, height = PICKED_BOX
    return pdfsign.Placement(page, x - width / 2, y - height / 2, x + width / 2, y + height / 2)


def sign_approval(person: Person, document: Document, *, passphrase: str | None = None, pin: str | None = None,
                  placement=None) -> DocumentFile | None:
    """The leader's signature on the main PDF at approval (PAdES, visible image between title and name).

    Called by ``outgoing.approve`` inside its transaction, the document locked. Returns the new signed
    main file (the unsigned one stays as history), or None when the approval does not sign."""
    from congvan.signing import pdfsign

    secret = _secret(passphrase, pin)
    cert = approval_plan(person, document, secret)
    if cert is None:
        return None
    main = document.main_file
    if main is None or main.content_type != PDF:
        raise SignatureError("Văn bản chưa có tệp PDF văn bản chính để ký số.", code="main_file_required")
    from congvan.archive.services import require_ocr_finished  # OCR before signing (issue 6)

    require_ocr_finished([main])
    data = storage.read_verified(main.blob)
    with _library_errors():
        if placement is None:
            placement = pdfsign.find_signer_name(data, person.full_name)
        if placement is None:
            raise PositionRequired()
        image = stamp_png(person=person)
        with _open_key(cert, secret) as key:
            signed = pdfsign.sign_approval(
                data, key, signer_name=person.full_name, image_png=image, placement=placement,
                reason=f"Phê duyệt: {document.subject[:200]}", location=document.place or document.agency.place,
                timestamp_url=settings.TSA_URL or None)
    now = timezone.now()
    new_file, check = _store_signed(document, main, signed, person, Signature.Kind.APPROVAL, cert, now)
    audit.record("signing.sign", actor=person, obj=document, kind=Signature.Kind.APPROVAL,
                 fingerprint=cert.fingerprint_sha256, certificate=cert.pk, subject=cert.subject,
                 source_sha256=main.blob_id, sha256=new_file.blob_id, file=new_file.pk, valid=check.ok,
                 placement=[placement.page, round(placement.x0), round(placement.y0), round(placement.x1),
                            round(placement.y1)])
    return new_file


def issue_plan(person: Person, document: Document, secret: str) -> SigningCertificate | None:
    if document.form == Form.PAPER:
        return None
    if not person.has_role(Role.CLERK) or person.agency_id != document.agency_id:
        raise Forbidden("Chỉ văn thư của cơ quan được ký số phát hành văn bản.")
    cert = selectors.seal_certificate(document.agency)
    if not secret and not selectors.signing_required():
        return None
    if cert is None:
        raise SignatureError(NO_SEAL_CERTIFICATE, code="seal_certificate_required")
    if not secret:
        raise SignatureError(SECRET_REQUIRED, code="secret_required")
    return cert


def _seal_main(document: Document, data: bytes, key, signed_at: datetime) -> bytes:
    from congvan.signing import pdfsign

    def seal(placement=None) -> bytes:
        return pdfsign.seal_issue(data, key, agency_name=document.agency.name, notation=document.notation,
                                  signed_at=signed_at, seal_png=stamp_png(agency=document.agency),
                                  placement=placement, location=document.place or document.agency.place,
                                  timestamp_url=settings.TSA_URL or None)

    try:
        return seal()
    except SigningError as exc:
        # Approved without a visible digital signature (signing optional, or signed on paper and scanned):
        # the seal goes over the place of the signature, found above the signer's printed name.
        placement = pdfsign.find_signer_name(data, document.signer_name) if document.signer_name else None
        if exc.code != "no_leader_signature" or placement is None:
            raise
        return seal(placement)


def seal_issue(person: Person, document: Document, *, signed_at: datetime, passphrase: str | None = None,
               pin: str | None = None) -> list[DocumentFile]:
    """The agency's signature at issuance: the seal on the main PDF (number/notation and time), text on
    every annex PDF. Called by ``outgoing.issue`` after the number is allocated, inside its transaction:
    a failure here rolls the number back."""
    from congvan.signing import pdfsign

    secret = _secret(passphrase, pin)
    cert = issue_plan(person, document, secret)
    if cert is None:
        return []
    targets = sorted((f for f in selectors.current_files(document) if f.content_type == PDF),
                     key=lambda f: f.role != DocumentFile.Role.MAIN)  # the main file first
    if not any(f.role == DocumentFile.Role.MAIN for f in targets):
        raise SignatureError("Văn bản chưa có tệp PDF văn bản chính để ký số.", code="main_file_required")
    from congvan.archive.services import require_ocr_finished  # OCR before signing (issue 6)

    require_ocr_finished(targets)
    sources = {f.pk: storage.read_verified(f.blob) for f in targets}
    results = []
    with _open_key(cert, secret) as key, _library_errors():
        for f in targets:
            if f.role == DocumentFile.Role.MAIN:
                signed = _seal_main(document, sources[f.pk], key, signed_at)
                kind = Signature.Kind.SEAL
            else:
                signed = pdfsign.seal_annex(sources[f.pk], key, agency_name=document.agency.name,
                                            notation=document.notation, signed_at=signed_at,
                                            timestamp_url=settings.TSA_URL or None)
                kind = Signature.Kind.ANNEX_SEAL
            results.append((f, signed, kind))
    files = []
    for source, signed, kind in results:
        new_file, check = _store_signed(document, source, signed, person, kind, cert, signed_at)
        audit.record("signing.sign", actor=person, obj=document, kind=kind, fingerprint=cert.fingerprint_sha256,
                     certificate=cert.pk, subject=cert.subject, notation=document.notation,
                     source_sha256=source.blob_id, sha256=new_file.blob_id, file=new_file.pk, valid=check.ok)
        files.append(new_file)
    return files


# Page preview (placing the signature by hand) ------------------------------------------------------------


@dataclass
class Preview:
    png: bytes
    page: int  # index of the page, from 0
    pages: int
    width: float  # points
    height: float


def _page_size(data: bytes, page: int | None = None) -> tuple[int, int, float, float]:
    """(pages, page index, width, height in points) of ``page`` (default: the last)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
        index = pages - 1 if page is None or page < 0 else page
        if not 0 <= index < pages:
            raise SignatureError("Trang đặt chữ ký không có trong văn bản.", code="invalid_position")
        box = reader.pages[index].mediabox
        return pages, index, float(box.width), float(box.height)
    except (PyPdfError, ValueError, KeyError, IndexError):
        raise SignatureError("Tệp PDF bị hỏng, không hiển thị được trang.", code="broken_pdf")


def placement_from_click(document_file: DocumentFile, page: int, x: float, y: float):
    """A click on the preview (pixels from the top left, one pixel per point) → a signature box on the page."""
    _, index, width, height = _page_size(storage.read_verified(document_file.blob), page)
    scale = 72.0 / PREVIEW_DPI
    px = min(max(x * scale, PICKED_BOX[0] / 2), width - PICKED_BOX[0] / 2)
    py = min(max(height - y * scale, PICKED_BOX[1] / 2), height - PICKED_BOX[1] / 2)
    return placement_at(index, px, py)


def last_page_preview(document_file: DocumentFile, *, with_png: bool = True) -> Preview:
    """The last page as a PNG, one pixel per point (Debian poppler-utils' pdftoppm, server side)."""
    data = storage.read_verified(document_file.blob)
    pages, index, width, height = _page_size(data)
    if not with_png:
        return Preview(png=b"", page=index, pages=pages, width=width, height=height)
    with tempfile.TemporaryDirectory(prefix="congvan-preview-") as tmp:
        source = os.path.join(tmp, "in.pdf")
        with open(source, "wb") as handle:
            handle.write(data)
        try:
            subprocess.run([settings.PDFTOPPM, "-png", "-r", str(PREVIEW_DPI), "-f", str(pages), "-l", str(pages),
                            "-singlefile", source, os.path.join(tmp, "page")],
                           check=True, capture_output=True, timeout=60)
            with open(os.path.join(tmp, "page.png"), "rb") as handle:
                png = handle.read()
        except (OSError, subprocess.SubprocessError):
            raise SignatureError("Không tạo được hình xem trước trang (cần pdftoppm của poppler-utils).",
                                 code="preview_failed")
    return Preview(png=png, page=index, pages=pages, width=width, height=height)


# Demo PKI -------------------------------------------------------------------------------------------------


def _demo_uid(person: Person) -> str:
    """A citizen-ID-like UID as on real Vietnamese certificates (064: Gia Lai's prefix)."""
    digits = int(hashlib.sha256(f"congvan-demo-{person.user_id}".encode()).hexdigest(), 16) % 10 ** 8
    return f"CCCD:0640{digits:08d}"


def _register_issued(identity, **owner) -> SigningCertificate:
    """A PKCS#12 made here, just now: its certificate is known, no need to decrypt the file to read it."""
    info = certificate_info(identity.certificate_pem)
    return _save_certificate(None, info, owner, {"key_source": KeySource.PKCS12,
                                                 "pkcs12_blob": storage.store_bytes(identity.pkcs12)})


@transaction.atomic
def load_demo_pki(passphrase: str = DEMO_PASSPHRASE, *, force: bool = False) -> dict | None:
    """Root → province CA → a certificate per demo leader (lanhdao.*) and a seal per demo agency with
    clerks; root and CA go to the trust store; keys in PKCS#12 protected by ``passphrase``.

    Idempotent: does nothing when a trust store exists, unless ``force`` (a new demo PKI then replaces
    the previous demo one)."""
    from congvan.signing import pki

    if TrustAnchor.objects.exists() and not force:
        return None
    if force:
        TrustAnchor.objects.filter(is_demo=True).update(is_active=False)
    demo = pki.make_demo_pki(province=settings.PROVINCE_NAME)
    root = add_trust_anchor(None, demo.root_pem, kind=TrustAnchor.Kind.ROOT, is_demo=True)
    ca = add_trust_anchor(None, demo.ca_pem, kind=TrustAnchor.Kind.INTERMEDIATE, is_demo=True)
    people, agencies = [], []
    leaders = Person.objects.filter(user__username__startswith="lanhdao.", agency__is_local=True).select_related(
        "agency", "user").order_by("pk")
    for person in leaders:
        identity = pki.issue_person_certificate(demo, person.full_name, person.agency.name, _demo_uid(person),
                                                passphrase)
        cert = _register_issued(identity, person=person)
        people.append((person.user.username, cert.common_name, cert.fingerprint_sha256))
    with_clerks = Agency.objects.filter(is_local=True, is_active=True, people__role_grants__role=Role.CLERK
                                        ).distinct().order_by("pk")
    for agency in with_clerks:
        identity = pki.issue_seal_certificate(demo, agency.name, agency.code, passphrase)
        cert = _register_issued(identity, agency=agency)
        agencies.append((agency.code, cert.common_name, cert.fingerprint_sha256))
    audit.record("signing.demo_pki", root=root.fingerprint_sha256, ca=ca.fingerprint_sha256, people=len(people),
                 agencies=len(agencies))
    return {"root": root, "ca": ca, "people": people, "agencies": agencies, "passphrase": passphrase}
