"""Validation of the signatures in a PDF, reported in plain Vietnamese (no Django here).

:func:`validate_pdf` reads every signature — PAdES (``ETSI.CAdES.detached``) and the older
``adbe.pkcs7.detached`` — and checks, with pyHanko: integrity (the signed bytes are unchanged), the
signature itself, the part of the file it covers and what was added after it (only further
signatures/form filling is acceptable), the certificate chain up to the trust store, revocation (CRLs
given, OCSP/CRL fetched when ``allow_fetching``) and the timestamp token when there is one.

It never raises on hostile input: a truncated or broken file, something that is not a PDF, a file too
large — the report's ``error`` says why in Vietnamese.

:func:`format_report` turns a report into the text printed by ``congvan sign verify FILE.pdf``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import BinaryIO

__all__ = ["SignatureReport", "ValidationReport", "format_report", "validate_pdf"]

logger = logging.getLogger(__name__)

# pyHanko logs every failed path or revocation check as a WARNING with a traceback; the outcome is in
# our report already, so keep those loggers at ERROR unless the application configured them.
for _name in ("pyhanko.sign.validation", "pyhanko_certvalidator"):
    if logging.getLogger(_name).level == logging.NOTSET:
        logging.getLogger(_name).setLevel(logging.ERROR)

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
MAX_BYTES = 100 * 1024 * 1024

REVOCATION_REASONS = {
    "unspecified": "không nêu lý do",
    "key_compromise": "khóa bí mật bị lộ",
    "ca_compromise": "khóa của tổ chức chứng thực bị lộ",
    "affiliation_changed": "thay đổi thông tin hoặc cơ quan công tác",
    "superseded": "đã được thay thế bằng chứng thư số khác",
    "cessation_of_operation": "ngừng sử dụng",
    "certificate_hold": "tạm dừng hiệu lực",
    "remove_from_crl": "gỡ khỏi danh sách thu hồi",
    "privilege_withdrawn": "bị rút quyền sử dụng",
    "aa_compromise": "khóa của tổ chức cấp thuộc tính bị lộ",
}

SUBFILTERS = {
    "ETSI.CAdES.detached": "PAdES (ETSI.CAdES.detached)",
    "adbe.pkcs7.detached": "CMS (adbe.pkcs7.detached)",
    "ETSI.RFC3161": "dấu thời gian tài liệu (ETSI.RFC3161)",
}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _vn(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM_TZ)


def _human_time(moment: datetime | None) -> str:
    moment = _vn(moment)
    return moment.strftime("%d/%m/%Y %H:%M") + " (+07:00)" if moment else "không rõ thời điểm"


@dataclass
class SignatureReport:
    field_name: str
    signer_name: str
    signer_subject: str
    issuer_name: str
    signed_at: datetime | None
    subfilter: str
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    revocation_reason: str
    covers_whole_file: bool
    modified_after: bool
    timestamp_at: datetime | None
    certificate_fingerprint: str
    ok: bool
    summary: str
    # Extra detail (optional for callers).
    revoked_at: datetime | None = None
    timestamp_ok: bool | None = None  # None: no timestamp token
    timestamp_authority: str = ""
    signer_uid: str = ""
    problem: str = ""  # a machine code: "", modified, invalid, revoked, untrusted, expired, timestamp…
    coverage: str = ""  # pyHanko's coverage level name
    modification_level: str = ""  # NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER

    def as_dict(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
        return data


@dataclass
class ValidationReport:
    signatures: list[SignatureReport]
    error: str = ""
    size: int = 0
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def summary(self) -> str:
        if self.error:
            return self.error
        if not self.signatures:
            return "Tệp không có chữ ký số."
        return "\n".join(s.summary for s in self.signatures)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "summary": self.summary,
            "error": self.error,
            "size": self.size,
            "sha256": self.sha256,
            "signatures": [s.as_dict() for s in self.signatures],
        }


# --------------------------------------------------------------------------------------------------
# pyHanko speed-up: hex strings
# --------------------------------------------------------------------------------------------------

_HEX_SPEEDUP_INSTALLED = False


def install_pyhanko_speedups() -> None:
    """Two process-wide speed-ups of pyHanko/asn1crypto internals, behaviour unchanged.

    1. Read PDF hex strings in one pass instead of pyHanko's byte-by-byte tokenizer.

    A signature's ``/Contents`` is a hex string of 16–40 k digits (mostly the zero padding of the space
    reserved for the CMS container); pyHanko 0.38 reads it one byte at a time through a generator, which
    was half the time of validating a one-page signed PDF. The replacement handles the plain case — only
    hex digits and PDF whitespace up to ``>`` — and hands anything else (comments, bad characters, end of
    stream) to pyHanko's own function, so errors and odd inputs behave exactly as before.

    2. Memoise asn1crypto's RFC 4518 string preparation of certificate name values (see below)."""
    global _HEX_SPEEDUP_INSTALLED
    if _HEX_SPEEDUP_INSTALLED:
        return
    import binascii
    import re

    from pyhanko.pdf_utils import generic

    original = generic.read_hex_string_from_stream
    whitespace = b" \n\r\t\f\x00"
    hex_only = re.compile(rb"[0-9A-Fa-f]*")

    def read_hex_string_from_stream(stream):
        start = stream.tell()
        stream.read(1)  # the "<"
        parts, size, chunk_size, end = [], 0, 256, -1
        while size < (64 << 20):
            chunk = stream.read(chunk_size)
            if not chunk:
                break
            i = chunk.find(b">")
            if i >= 0:
                parts.append(chunk[:i])
                end = start + 1 + size + i
                break
            parts.append(chunk)
            size += len(chunk)
            chunk_size = min(chunk_size * 4, 1 << 20)
        if end >= 0:
            digits = b"".join(parts).translate(None, whitespace)
            if hex_only.fullmatch(digits):
                if len(digits) % 2:
                    digits += b"0"
                stream.seek(end + 1)
                return generic.pdf_string(binascii.unhexlify(digits))
        stream.seek(start)
        return original(stream)

    generic.read_hex_string_from_stream = read_hex_string_from_stream

    # Certificate names are compared (RFC 5280 §7.1) through asn1crypto's RFC 4518 string preparation,
    # a pure function of the string written in Python character by character; pyHanko compares the
    # issuer names of every embedded certificate several times per signature. Memoise it.
    from asn1crypto import x509 as asn1_x509

    prep = asn1_x509.NameTypeAndValue._ldap_string_prep

    @lru_cache(maxsize=4096)
    def _prepared(string):
        return prep(None, string)

    def _ldap_string_prep(self, string):
        return _prepared(string) if isinstance(string, str) else prep(self, string)

    asn1_x509.NameTypeAndValue._ldap_string_prep = _ldap_string_prep
    _HEX_SPEEDUP_INSTALLED = True


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _certificates(blob: bytes) -> tuple:
    """Certificates of a PEM bundle or a DER file, parsed once per process (public data)."""
    from asn1crypto import pem, x509

    if pem.detect(blob):
        return tuple(x509.Certificate.load(der) for _, _, der in pem.unarmor(blob, multiple=True))
    return (x509.Certificate.load(blob),)


def _crl(blob: bytes):
    from asn1crypto import crl, pem

    if pem.detect(blob):
        _, _, blob = pem.unarmor(blob)
    return crl.CertificateList.load(blob)


def _ocsp(blob: bytes):
    from asn1crypto import ocsp

    return ocsp.OCSPResponse.load(blob)


def _too_large(size: int, max_bytes: int) -> str:
    return (f"Tệp quá lớn ({size / 1024 / 1024:.0f} MB; giới hạn kiểm tra chữ ký là "
            f"{max_bytes / 1024 / 1024:.0f} MB).")


def _read_input(data, max_bytes: int) -> tuple[bytes | None, str, int]:
    """(bytes, error, size). Paths and files are measured before they are read."""
    if isinstance(data, bytes | bytearray | memoryview):
        size = len(data)
        if size > max_bytes:
            return None, _too_large(size, max_bytes), size
        return bytes(data), "", size
    if isinstance(data, str | os.PathLike):
        try:
            size = os.stat(data).st_size
            if size > max_bytes:
                return None, _too_large(size, max_bytes), size
            with open(data, "rb") as handle:
                return handle.read(max_bytes + 1), "", size
        except OSError as exc:
            return None, f"Không mở được tệp: {exc.strerror or exc}.", 0
    stream: BinaryIO = data
    try:
        position = stream.tell()
        stream.seek(0, io.SEEK_END)
        size = stream.tell() - position
        stream.seek(position)
    except (AttributeError, OSError, ValueError):
        size = -1
    if size > max_bytes:
        return None, _too_large(size, max_bytes), size
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        return None, _too_large(len(content), max_bytes), len(content)
    return content, "", len(content)


def _xref_looks_broken(data: bytes) -> bool:
    """Does the last ``startxref`` lead to something that is not a cross-reference table or stream?"""
    import re

    found = list(re.finditer(rb"startxref\s+(\d+)", data[-4096:]))
    if not found:
        return True
    offset = int(found[-1].group(1))
    if offset >= len(data):
        return True
    head = data[offset:offset + 64]
    if head.startswith(b"xref"):
        return not re.match(rb"xref\s+\d+\s+\d+\s+\d{10}\s\d{5}\s[nf]", head)
    return not re.match(rb"\d+\s+\d+\s+obj", head)


def _read_error(data: bytes, exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".lower()
    if b"%%EOF" not in data[-2048:]:
        return "Tệp PDF bị cắt cụt hoặc không đầy đủ (thiếu phần kết thúc tệp), không đọc được."
    if _xref_looks_broken(data) or "xref" in text or "cross-reference" in text:
        return "Tệp PDF bị hỏng: bảng tham chiếu chéo (xref) không đọc được."
    if "hybrid" in text:
        return "Tệp PDF có cấu trúc tham chiếu lai (hybrid xref) không được chấp nhận khi kiểm tra chữ ký."
    return "Tệp PDF bị hỏng, không đọc được."


# --------------------------------------------------------------------------------------------------
# One signature
# --------------------------------------------------------------------------------------------------

def _name_attribute(name, attribute: str) -> str:
    try:
        for rdn in name.chosen:
            for item in rdn:
                if item["type"].native == attribute:
                    return _nfc(str(item["value"].native))
    except Exception:
        pass
    return ""


def _cn(name) -> str:
    return _name_attribute(name, "common_name") or _nfc(getattr(name, "human_friendly", ""))


def _subject(name) -> str:
    try:
        return _nfc(name.human_friendly)
    except Exception:
        return ""


def _revocation_reason(details) -> str:
    try:
        native = details.revocation_reason.native
    except Exception:
        native = "unspecified"
    return REVOCATION_REASONS.get(str(native), str(native or "không nêu lý do"))


_TRUST_PROBLEMS = {
    "NO_CERTIFICATE_CHAIN_FOUND": ("untrusted", "chứng thư số không thuộc tổ chức chứng thực được tin cậy"),
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": ("untrusted",
                                          "chứng thư số không thuộc tổ chức chứng thực được tin cậy"),
    "EXPIRED": ("expired", "chứng thư số đã hết hạn"),
    "OUT_OF_BOUNDS_NO_POE": ("expired", "chứng thư số đã hết hạn tại thời điểm kiểm tra"),
    "OUT_OF_BOUNDS_NOT_REVOKED": ("expired", "chứng thư số đã hết hạn tại thời điểm kiểm tra"),
    "NOT_YET_VALID": ("not_yet_valid", "chứng thư số chưa có hiệu lực"),
    "CHAIN_CONSTRAINTS_FAILURE": ("usage", "chứng thư số không được phép dùng để ký (mục đích sử dụng khóa)"),
    "SIG_CONSTRAINTS_FAILURE": ("usage", "chữ ký không đáp ứng ràng buộc của trường chữ ký"),
    "CRYPTO_CONSTRAINTS_FAILURE": ("weak", "thuật toán mật mã không còn an toàn"),
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": ("weak", "thuật toán mật mã không còn an toàn"),
    "TRY_LATER": ("revocation_unknown", "chưa kiểm tra được tình trạng thu hồi của chứng thư số"),
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": ("revocation_unknown",
                                        "chưa kiểm tra được tình trạng thu hồi của chứng thư số"),
    "REVOKED_NO_POE": ("revoked", "chứng thư số đã bị thu hồi"),
    "REVOKED_CA_NO_POE": ("revoked", "chứng thư số của tổ chức chứng thực đã bị thu hồi"),
    "REVOKED": ("revoked", "chứng thư số đã bị thu hồi"),
}


def _report_from_status(embedded, status) -> SignatureReport:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    cert = status.signing_cert
    signer_name = _cn(cert.subject)
    issuer_name = _cn(cert.issuer)
    subfilter = str(embedded.sig_object.get("/SubFilter", "")).lstrip("/")
    signed_at = _vn(status.signer_reported_dt)
    trusted = status.validation_path is not None and status.trust_problem_indic is None
    revoked = status.revocation_details is not None
    reason = _revocation_reason(status.revocation_details) if revoked else ""
    coverage = status.coverage
    covers_whole_file = coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level
    modified_after = not covers_whole_file and not (
        coverage == SignatureCoverageLevel.ENTIRE_REVISION and status.docmdp_ok)
    ts = status.timestamp_validity
    timestamp_at = _vn(ts.timestamp) if ts is not None else None
    timestamp_ok = None if ts is None else bool(ts.intact and ts.valid and ts.trusted)
    tsa = _cn(ts.signing_cert.subject) if ts is not None and ts.signing_cert is not None else ""

    problem, text = "", ""
    if not status.intact:
        problem, text = "modified", "Không hợp lệ: nội dung đã bị thay đổi sau khi ký"
    elif not status.valid:
        problem, text = "invalid", "Không hợp lệ: chữ ký số không đúng với chứng thư số"
    elif modified_after:
        problem, text = "modified", ("Không hợp lệ: nội dung đã bị thay đổi sau khi ký "
                                     "(tệp có sửa đổi được thêm vào sau chữ ký)")
    elif revoked:
        problem = "revoked"
        since = status.revocation_details.revocation_date
        text = f"Không hợp lệ: chứng thư số đã bị thu hồi (lý do: {reason}; từ {_human_time(since)})"
    elif not trusted:
        indic = getattr(status.trust_problem_indic, "name", "") or "NO_CERTIFICATE_CHAIN_FOUND"
        problem, why = _TRUST_PROBLEMS.get(indic, ("untrusted",
                                                   "chứng thư số không thuộc tổ chức chứng thực được tin cậy"))
        text = f"Không hợp lệ: {why}"
    elif timestamp_ok is False:
        problem, text = "timestamp", "Không hợp lệ: dấu thời gian kèm chữ ký không hợp lệ hoặc không được tin cậy"
    ok = not problem
    if ok:
        moment = timestamp_at or signed_at
        text = f"Hợp lệ — ký bởi {signer_name}, lúc {_human_time(moment)}, chứng thư do {issuer_name} cấp"
        if timestamp_at is not None:
            text += " (có dấu thời gian)"
    return SignatureReport(
        field_name=str(embedded.field_name), signer_name=signer_name, signer_subject=_subject(cert.subject),
        issuer_name=issuer_name, signed_at=signed_at, subfilter=subfilter, intact=bool(status.intact),
        valid=bool(status.valid), trusted=trusted, revoked=revoked, revocation_reason=reason,
        covers_whole_file=covers_whole_file, modified_after=modified_after, timestamp_at=timestamp_at,
        certificate_fingerprint=hashlib.sha256(cert.dump()).hexdigest(), ok=ok, summary=text,
        revoked_at=_vn(status.revocation_details.revocation_date) if revoked else None,
        timestamp_ok=timestamp_ok, timestamp_authority=tsa, signer_uid=_name_attribute(cert.subject, "user_id"),
        problem=problem, coverage=getattr(coverage, "name", ""), modification_level=getattr(level, "name", ""),
    )


def _broken_signature(embedded, exc: BaseException) -> SignatureReport:
    try:
        name = str(embedded.field_name)
    except Exception:
        name = "?"
    signer_name = signer_subject = issuer_name = fingerprint = subfilter = ""
    try:
        cert = embedded.signer_cert
        signer_name, signer_subject, issuer_name = _cn(cert.subject), _subject(cert.subject), _cn(cert.issuer)
        fingerprint = hashlib.sha256(cert.dump()).hexdigest()
    except Exception:
        pass
    try:
        subfilter = str(embedded.sig_object.get("/SubFilter", "")).lstrip("/")
    except Exception:
        pass
    text = "Không hợp lệ: chữ ký số bị hỏng hoặc không đúng chuẩn, không kiểm tra được"
    modified = "digest" in str(exc).lower() or "byte range" in str(exc).lower()
    if modified:
        text = "Không hợp lệ: nội dung đã bị thay đổi sau khi ký"
    return SignatureReport(
        field_name=name, signer_name=signer_name, signer_subject=signer_subject, issuer_name=issuer_name,
        signed_at=None, subfilter=subfilter, intact=False, valid=False, trusted=False, revoked=False,
        revocation_reason="", covers_whole_file=False, modified_after=modified, timestamp_at=None,
        certificate_fingerprint=fingerprint, ok=False, summary=text, problem="broken")


# --------------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------------

def validate_pdf(data: bytes, trust_roots: list[bytes], *, intermediates: list[bytes] = (),
                 crls: list[bytes] = (), allow_fetching: bool = False, revocation_mode: str = "soft-fail",
                 max_bytes: int = MAX_BYTES, ocsps: list[bytes] = (), validation_time: datetime | None = None,
                 skip_diff: bool = False) -> ValidationReport:
    """Validate every signature of a PDF against ``trust_roots`` (PEM or DER; a PEM may hold several).

    ``data`` may also be a path or a binary file: its size is checked before reading, so a file over
    ``max_bytes`` is refused without being loaded. ``revocation_mode``: ``soft-fail`` (revocation data
    used when present — given ``crls``/``ocsps`` or fetched with ``allow_fetching``), ``hard-fail``
    (unreachable revocation data makes the certificate untrusted), ``require``."""
    install_pyhanko_speedups()
    content, error, size = _read_input(data, max_bytes)
    if error:
        return ValidationReport([], error=error, size=size)
    assert content is not None
    report = ValidationReport([], size=size, sha256=hashlib.sha256(content).hexdigest())
    try:
        report.signatures = _validate(content, trust_roots, intermediates, crls, ocsps, allow_fetching,
                                      revocation_mode, validation_time, skip_diff)
    except _InputError as exc:
        report.error = str(exc)
    except Exception as exc:  # hostile input must never escape as an exception
        logger.info("PDF signature validation failed: %r", exc)
        report.error = _read_error(content, exc)
    return report


class _InputError(Exception):
    pass


def _validate(content: bytes, trust_roots, intermediates, crls, ocsps, allow_fetching, revocation_mode,
              validation_time, skip_diff) -> list[SignatureReport]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if b"%PDF-" not in content[:1024]:
        raise _InputError("Tệp không phải là PDF (nội dung không bắt đầu bằng “%PDF-”).")
    if revocation_mode not in ("soft-fail", "hard-fail", "require"):
        raise ValueError(f"revocation_mode {revocation_mode!r}")
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=True)
        if reader.encrypted:
            from pyhanko.pdf_utils.crypt import AuthStatus

            if reader.decrypt("").status == AuthStatus.FAILED:
                raise _InputError("Tệp PDF được mã hóa bằng mật khẩu, không kiểm tra được chữ ký.")
        embedded = list(reader.embedded_regular_signatures)
    except _InputError:
        raise
    except Exception as exc:
        raise _InputError(_read_error(content, exc))
    if not embedded:
        return []

    try:
        roots = [c for blob in trust_roots for c in _certificates(bytes(blob))]
        others = [c for blob in intermediates for c in _certificates(bytes(blob))]
        crl_list = [_crl(bytes(blob)) for blob in crls]
        ocsp_list = [_ocsp(bytes(blob)) for blob in ocsps]
    except Exception as exc:
        raise _InputError(f"Kho chứng thư tin cậy hoặc danh sách thu hồi không đọc được ({type(exc).__name__}).")
    kwargs = {"moment": validation_time} if validation_time is not None else {}
    context = ValidationContext(trust_roots=roots, other_certs=others, crls=crl_list, ocsps=ocsp_list,
                                allow_fetching=allow_fetching, revocation_mode=revocation_mode, **kwargs)
    # A timestamp token usually carries only the TSA's own certificate: the CA certificates embedded in
    # the signature (the signer's chain) help to build its path. Candidates for paths, never anchors.
    for sig in embedded:
        try:
            from asn1crypto import core

            unsigned = sig.signer_info["unsigned_attrs"]
            if not isinstance(unsigned, core.Void) and any(
                    a["type"].native == "signature_time_stamp_token" for a in unsigned):
                context.certificate_registry.register_multiple(
                    [choice.chosen for choice in sig.signed_data["certificates"] if choice.name == "certificate"])
        except Exception:
            pass
    reports = []
    for sig in embedded:
        try:
            status = validate_pdf_signature(sig, signer_validation_context=context,
                                            ts_validation_context=context, skip_diff=skip_diff)
            reports.append(_report_from_status(sig, status))
        except Exception as exc:
            logger.info("signature %r could not be validated: %r", getattr(sig, "field_name", "?"), exc)
            reports.append(_broken_signature(sig, exc))
    return reports


# --------------------------------------------------------------------------------------------------
# Text for the command line
# --------------------------------------------------------------------------------------------------

def _yes(value: bool) -> str:
    return "có" if value else "không"


def _fingerprint(hexdigest: str) -> str:
    return ":".join(hexdigest[i:i + 2] for i in range(0, len(hexdigest), 2)).upper()


def format_report(report: ValidationReport, *, name: str = "") -> str:
    """The validation report as text for a terminal (Vietnamese)."""
    lines: list[str] = []
    head = f"Tệp {name}: " if name else "Tệp: "
    if report.error:
        return head + report.error
    if not report.signatures:
        return head + "không có chữ ký số."
    count = len(report.signatures)
    verdict = "TẤT CẢ HỢP LỆ" if report.ok else "CÓ CHỮ KÝ KHÔNG HỢP LỆ"
    lines.append(f"{head}{count} chữ ký số — {verdict}")
    if report.sha256:
        lines.append(f"SHA-256 của tệp: {report.sha256}")
    for i, s in enumerate(report.signatures, 1):
        lines.append("")
        lines.append(f"{i}. [{s.field_name}] {s.summary}")
        if s.signer_subject:
            lines.append(f"   Người ký (chủ thể chứng thư): {s.signer_subject}")
        if s.issuer_name:
            lines.append(f"   Tổ chức cấp chứng thư: {s.issuer_name}")
        lines.append(f"   Thời điểm ký (người ký khai): {s.signed_at.isoformat() if s.signed_at else 'không có'}")
        if s.timestamp_at is not None:
            state = "hợp lệ" if s.timestamp_ok else "KHÔNG hợp lệ"
            by = f", do {s.timestamp_authority} cấp" if s.timestamp_authority else ""
            lines.append(f"   Dấu thời gian: {s.timestamp_at.isoformat()} ({state}{by})")
        else:
            lines.append("   Dấu thời gian: không có")
        lines.append(f"   Định dạng: {SUBFILTERS.get(s.subfilter, s.subfilter or 'không rõ')}")
        lines.append(f"   Toàn vẹn: {_yes(s.intact)}; chữ ký đúng: {_yes(s.valid)}; "
                     f"chứng thư tin cậy: {_yes(s.trusted)}; bị thu hồi: {_yes(s.revoked)}"
                     + (f" ({s.revocation_reason})" if s.revoked else ""))
        if s.covers_whole_file:
            scope = "toàn bộ tệp"
        elif s.modified_after:
            scope = "một phần tệp — có sửa đổi sau khi ký"
        else:
            scope = "phiên bản đã ký; sau đó chỉ thêm chữ ký/điền biểu mẫu"
        lines.append(f"   Phạm vi được ký: {scope}")
        if s.certificate_fingerprint:
            lines.append(f"   Dấu vân tay chứng thư (SHA-256): {_fingerprint(s.certificate_fingerprint)}")
    return "\n".join(lines)

