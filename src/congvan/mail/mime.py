"""Reading a received message: headers (RFC 2047, RFC 2231, raw 8-bit in legacy encodings), the text,
the attachments, and delivery status notifications (RFC 3464). No Django here.

Nothing here raises on hostile input: a message that cannot be read as MIME comes back with
``readable=False`` and the reason in ``problems``; the caller keeps the raw bytes whatever happens.
"""

from __future__ import annotations

import email
import html
import io
import mimetypes
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import Header, decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from congvan.text import detect

MAX_PARTS = 500  # a message with more parts is cut there (a MIME bomb)
MAX_DEPTH = 20
EXECUTABLE_EXTENSIONS = frozenset({
    "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "msc", "cpl", "dll", "sys", "drv", "ocx", "vbs",
    "vbe", "js", "jse", "ws", "wsf", "wsh", "hta", "ps1", "psm1", "psd1", "jar", "lnk", "reg", "inf", "sh",
    "bash", "run", "bin", "elf", "app", "deb", "rpm", "apk", "appx", "msix", "iso", "img", "vhd", "vhdx",
    "dmg", "gadget", "application", "chm", "scf", "url", "xll", "xlam", "docm", "xlsm", "pptm",
})
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                    b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes
    inline: bool = False


@dataclass
class Parsed:
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[str] = field(default_factory=list)
    date: datetime | None = None
    message_id: str = ""
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    readable: bool = True
    message: Message | None = None


# --- text and headers -------------------------------------------------------------------------------------

def decode_legacy(data: bytes) -> str:
    """Bytes of unknown encoding: UTF-8 when it is, else the legacy Vietnamese scheme they read best in
    (TCVN3, VNI, Windows-1258: congvan.text.detect). Always NFC; never fails."""
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except UnicodeDecodeError:
        return detect.to_unicode(data)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset; an unknown or lying charset falls back to :func:`decode_legacy`."""
    if charset:
        name = charset.strip().strip('"').lower()
        name = {"windows-1258": "cp1258", "x-unknown": "", "unknown-8bit": "", "utf8": "utf-8"}.get(name, name)
        if name:
            try:
                return unicodedata.normalize("NFC", data.decode(name))
            except (LookupError, UnicodeDecodeError):
                pass
    return decode_legacy(data)


def _one_line(text: str) -> str:
    return re.sub(r"[\r\n\t]+", " ", text).strip()


def decode_header_value(value) -> str:
    """A header as text: encoded words decoded, raw 8-bit bytes decoded as legacy text, NFC, one line."""
    if value is None:
        return ""
    if isinstance(value, Header):  # compat32 hands raw 8-bit headers over as Header("…", "unknown-8bit")
        try:
            parts = decode_header(value)
        except Exception:  # noqa: BLE001
            parts = [(str(value), None)]
        return _one_line(unicodedata.normalize("NFC", "".join(
            decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in parts)))
    if not isinstance(value, str):
        value = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in value):  # raw 8-bit bytes kept by the parser
        raw = value.encode("ascii", "surrogateescape")
        return _one_line(decode_legacy(raw))
    try:
        parts = decode_header(value)
    except Exception:  # noqa: BLE001 - a broken encoded word: keep the header as written
        return _one_line(unicodedata.normalize("NFC", value))
    out = []
    for chunk, charset in parts:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return _one_line(unicodedata.normalize("NFC", "".join(out)))


def _safe_name(name: str, content_type: str, position: int) -> str:
    """A file name that is safe to store and show: no folders, no control characters, NFC, an extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.sub(r"[\x00-\x1f\x7f]", "", name.replace("\\", "/")).rsplit("/", 1)[-1].strip().strip(".")
    if not name:
        extension = mimetypes.guess_extension(content_type or "") or ".bin"
        name = f"tep-dinh-kem-{position}{extension}"
    return name[-255:]


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - a broken RFC 2231 parameter
        name = None
    if name is None:
        name = part.get_param("name")
        if isinstance(name, tuple):  # RFC 2231 value not collapsed
            name = email.utils.collapse_rfc2231_value(name)
    return decode_header_value(name) if name else ""


# --- whole message ----------------------------------------------------------------------------------------

def parse(raw: bytes) -> Parsed:
    """Read a message; never raises. ``problems`` lists what was wrong (in Vietnamese)."""
    result = Parsed()
    try:
        message = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception as exc:  # noqa: BLE001
        result.readable = False
        result.problems.append(f"Không đọc được cấu trúc thư (MIME): {exc.__class__.__name__}.")
        return result
    result.message = message
    try:
        _decode_raw_headers(message)
        _headers(message, result)
        _walk(message, result, depth=0)
    except RecursionError:
        result.readable = False
        result.problems.append("Thư lồng nhau quá sâu, không đọc được cấu trúc.")
    except Exception as exc:  # noqa: BLE001 - hostile input must never break the intake
        result.readable = False
        result.problems.append(f"Không đọc được cấu trúc thư (MIME): {exc.__class__.__name__}: {str(exc)[:200]}")
    if not message.keys() or (not message.get("From") and not message.get("Subject")
                              and not message.get("Content-Type") and not result.text):
        result.readable = False
        result.problems.append("Dữ liệu nhận được không có tiêu đề thư hợp lệ (không phải thư điện tử).")
    defects = {d.__class__.__name__ for p in message.walk() for d in getattr(p, "defects", [])}
    if defects & {"StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect", "MultipartInvariantViolationDefect",
                  "InvalidBase64PaddingDefect", "InvalidBase64CharactersDefect", "InvalidBase64LengthDefect",
                  "MissingHeaderBodySeparatorDefect", "NoBoundaryInMultipartDefect"}:
        result.problems.append("Cấu trúc MIME bị lỗi (" + ", ".join(sorted(defects)) + "); "
                               "nội dung đọc được có thể không đầy đủ.")
    return result


def _has_raw_bytes(value) -> bool:
    return isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value)


def _decode_raw_headers(message: Message) -> None:
    """Headers written in raw 8-bit (old mail clients: Windows-1258, TCVN3…) decoded once, in every part,
    so the parameters of Content-Type and Content-Disposition (file names) read as text too."""
    for part in message.walk():
        headers = getattr(part, "_headers", None)
        if headers and any(_has_raw_bytes(v) for _k, v in headers):
            part._headers = [(k, decode_legacy(v.encode("ascii", "surrogateescape")) if _has_raw_bytes(v) else v)
                             for k, v in headers]


def _headers(message: Message, result: Parsed) -> None:
    result.subject = decode_header_value(message.get("Subject"))
    name, address = parseaddr(decode_header_value(message.get("From")))
    result.from_name, result.from_address = name.strip().strip('"'), address.strip().lower()
    result.to = [a.lower() for _n, a in getaddresses([decode_header_value(v) for v in
                                                    message.get_all("To", []) + message.get_all("Cc", [])]) if a]
    result.message_id = decode_header_value(message.get("Message-ID")).strip()[:255]
    date = message.get("Date")
    if date:
        try:
            result.date = parsedate_to_datetime(decode_header_value(date))
        except (TypeError, ValueError, IndexError):
            result.problems.append("Ngày gửi trong thư không hợp lệ.")


def _walk(part: Message, result: Parsed, depth: int) -> None:
    if depth > MAX_DEPTH:
        result.problems.append("Thư lồng nhau quá sâu; phần bên trong không được đọc.")
        return
    if len(result.attachments) >= MAX_PARTS:
        return
    content_type = part.get_content_type()
    if part.is_multipart() and content_type != "message/rfc822":
        for child in part.get_payload() or []:
            if isinstance(child, Message):
                _walk(child, result, depth + 1)
        return
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    name = _filename(part)
    if content_type == "message/rfc822" or content_type == "message/global":
        inner = part.get_payload()
        data = inner[0].as_bytes() if isinstance(inner, list) and inner else (part.get_payload(decode=True) or b"")
        result.attachments.append(Attachment(_safe_name(name or "thu-dinh-kem.eml", "message/rfc822",
                                                        len(result.attachments) + 1), "message/rfc822", data))
        return
    if content_type.startswith("text/") and disposition != "attachment" and not name:
        text = _part_text(part)
        if content_type == "text/plain" and not result.text:
            result.text = text.strip()
        elif content_type == "text/html" and not result.text:
            result.text = _html_to_text(text)
        return
    if content_type.startswith("multipart/"):
        return
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = b""
    result.attachments.append(Attachment(
        _safe_name(name, content_type, len(result.attachments) + 1), content_type, data,
        inline=disposition == "inline"))


# --- attachment rules -------------------------------------------------------------------------------------

def executable_reason(name: str, data: bytes) -> str:
    """Why a file must not be taken as an executable (its extension, its first bytes, a ZIP holding one),
    or "" when it is not one."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in EXECUTABLE_EXTENSIONS:
        return f"tệp chương trình (.{extension}) không được nhận"
    if data.startswith(EXECUTABLE_MAGIC):
        return "nội dung là tệp chương trình (mã thực thi) không được nhận"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist()[:10000]:
                    inner = member.rsplit(".", 1)[-1].lower() if "." in member else ""
                    if inner in EXECUTABLE_EXTENSIONS - {"docm", "xlsm", "pptm", "url"}:
                        return f"tệp nén chứa tệp chương trình ({member[-80:]}) không được nhận"
        except (zipfile.BadZipFile, ValueError, OSError, RuntimeError):
            pass
    return ""


def sniff_content_type(name: str, declared: str, data: bytes) -> str:
    """The declared type, corrected for PDFs sent as application/octet-stream (very common)."""
    if data.startswith(b"%PDF-") or (declared in ("application/octet-stream", "") and name.lower().endswith(".pdf")):
        return "application/pdf"
    if declared in ("application/octet-stream", ""):
        return mimetypes.guess_type(name)[0] or "application/octet-stream"
    return declared


# --- delivery status notifications ------------------------------------------------------------------------

@dataclass
class DsnRecipient:
    address: str
    action: str
    status: str
    diagnostic: str

    @property
    def failed(self) -> bool:
        return self.action == "failed" or self.status.startswith("5.")


@dataclass
class Dsn:
    recipients: list[DsnRecipient]
    original_message_id: str = ""


def _field(block: Message, name: str) -> str:
    return decode_header_value(block.get(name) or "")


def _address(value: str) -> str:
    _type, _, address = value.partition(";")
    return (address or value).strip().strip("<>").lower()


def parse_dsn(message: Message | None) -> Dsn | None:
    """The per-recipient results of a delivery status notification, None when the message is not one."""
    if message is None or message.get_content_type() != "multipart/report":
        return None
    recipients, original = [], ""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            blocks = part.get_payload()
            if not isinstance(blocks, list):  # an unparsed body: read the field blocks ourselves
                text = part.get_payload(decode=True) or b""
                blocks = [email.message_from_bytes(chunk.strip() + b"\n", policy=policy.compat32)
                          for chunk in re.split(rb"\r?\n\r?\n", text) if chunk.strip()]
            for block in blocks:
                if not isinstance(block, Message):
                    continue
                final = _field(block, "Final-Recipient") or _field(block, "Original-Recipient")
                if final:
                    recipients.append(DsnRecipient(
                        _address(final), _field(block, "Action").lower(), _field(block, "Status"),
                        _field(block, "Diagnostic-Code").partition(";")[2].strip() or
                        _field(block, "Diagnostic-Code")))
        elif content_type in ("message/rfc822", "text/rfc822-headers", "message/global-headers") and not original:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                original = decode_header_value(inner[0].get("Message-ID"))
            else:
                headers = email.message_from_bytes(part.get_payload(decode=True) or b"", policy=policy.compat32)
                original = decode_header_value(headers.get("Message-ID"))
    return Dsn(recipients, original.strip())
