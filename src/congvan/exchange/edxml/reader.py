"""Reading edXML packages: tolerant, safe and streaming.

The input is fed to lxml in 1 MiB chunks. A parser target builds a small skeleton tree of everything
except the character data of ``ContentTransferEncoded``, which is base64-decoded as it arrives into a
temp file in ``spool_dir`` (hashed and counted on the way), so neither the base64 text nor the file is
ever held in memory. A DOCTYPE is refused the moment the parser sees it (no entity is ever expanded);
limits are checked while feeding. On any failure every temp file is deleted and a PackageError
raised; on success the caller owns ``Attachment.path`` of each attachment.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Literal

from lxml import etree

from . import _extract
from ._spool import Blob, Spool, unwrap
from ._xmlsafe import dtd_error, parser_options, syntax_error
from .errors import Limits, PackageError, human_size
from .model import DSIG_NS, EDXML_NS, Attachment, DocumentPackage, StatusPacket, nfc

CHUNK = 1024 * 1024
MAX_DEPTH = 64
_BLOB = "{urn:congvan:internal}blob"
_NAMESPACES = {EDXML_NS, None}
DEFAULT_LIMITS = Limits()


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _not_edxml(tag: str) -> PackageError:
    namespace, local = _split(tag)
    return PackageError("not_edxml", f"Đây không phải gói tin edXML: phần tử gốc là {local!r}"
                        + (f" thuộc không gian tên {namespace}" if namespace else "")
                        + f", cần edXML thuộc không gian tên {EDXML_NS}.", root=tag)


def _label(element, index: int) -> str:
    """How an error names the attachment being decoded: its AttachmentName when already seen."""
    parent = element.getparent()
    for name in ("AttachmentName", "ContentId"):
        for sibling in parent if parent is not None else []:
            if isinstance(sibling.tag, str) and _split(sibling.tag)[1] == name and nfc(sibling.text):
                return nfc(sibling.text)
    return f"số {index + 1}"


class _Target:
    """lxml parser target: a skeleton tree via TreeBuilder, attachment content spooled to disk."""

    def __init__(self, spool: Spool):
        self._builder = etree.TreeBuilder()
        self._spool = spool
        self._depth = 0
        self._blob: Blob | None = None
        self.content_chars = 0

    def doctype(self, *args):
        raise dtd_error()

    def start(self, tag, attrib, nsmap=None):
        if self._blob is not None:
            raise self._blob.bad("có phần tử XML lồng bên trong ContentTransferEncoded")
        namespace, local = _split(tag)
        if self._depth == 0 and (local != "edXML" or namespace not in _NAMESPACES):
            raise _not_edxml(tag)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise PackageError("too_large", f"Gói tin lồng phần tử quá sâu (hơn {MAX_DEPTH} cấp).", limit="depth")
        element = self._builder.start(tag, attrib, {(k or None): v for k, v in (nsmap or {}).items()})
        if local == "ContentTransferEncoded" and namespace in _NAMESPACES:
            index = len(self._spool.blobs)
            self._blob = self._spool.new_blob(_label(element, index))
            element.set(_BLOB, str(index))
        return element

    def end(self, tag):
        if self._blob is not None:
            self._blob.finish()
            self._blob = None
        self._depth -= 1
        return self._builder.end(tag)

    def data(self, text):
        if self._blob is not None:
            self.content_chars += len(text)
            self._blob.feed(text)
        else:
            self._builder.data(text)

    def close(self):
        try:
            return self._builder.close()
        except Exception:  # lxml reports the real syntax error after this
            return None


@contextmanager
def _opened(source: str | Path | BinaryIO, limits: Limits):
    if isinstance(source, str | Path):
        size = os.path.getsize(source)
        if size > limits.max_package_bytes:
            raise _too_large(limits)
        with open(source, "rb") as handle:
            yield handle
    else:
        yield source


def _too_large(limits: Limits) -> PackageError:
    return PackageError("too_large", f"Gói tin vượt quá giới hạn {human_size(limits.max_package_bytes)}.",
                        limit="max_package_bytes", value=limits.max_package_bytes)


def _parse(stream: BinaryIO, spool: Spool):
    limits = spool.limits
    target = _Target(spool)
    parser = etree.XMLParser(target=target, **parser_options())
    fed = 0
    try:
        while chunk := stream.read(CHUNK):
            fed += len(chunk)
            if fed > limits.max_package_bytes:
                raise _too_large(limits)
            parser.feed(chunk)
            if fed - target.content_chars > limits.max_header_bytes:
                raise PackageError("too_large", "Phần đầu gói tin (ngoài nội dung tệp đính kèm) vượt quá giới hạn "
                                   f"{human_size(limits.max_header_bytes)}.", limit="max_header_bytes",
                                   value=limits.max_header_bytes)
        if fed == 0:
            raise PackageError("not_well_formed", "Gói tin rỗng (không có dữ liệu).")
        root = parser.close()
    except PackageError:
        raise
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc)
    except (etree.LxmlError, ValueError, UnicodeError, AssertionError) as exc:
        raise syntax_error(exc)
    if root is None:  # pragma: no cover - lxml raises first
        raise PackageError("not_well_formed", "Gói tin không đúng cú pháp XML.")
    return root


def _attachments(root, envelope: _extract.Node, spool: Spool) -> list[Attachment]:
    manifest = [ref for body in envelope.children("edXMLBody") for m in body.children("edXMLManifest")
                for ref in m.children("Reference")]
    listed = {}
    for reference in manifest:
        listed.setdefault(_content_id(reference.text("ContentId")), reference)
    items = [_extract.Node(element, "edXML/AttachmentEncoded/Attachment")
             for container in root.iter() if _extract._is(container, "AttachmentEncoded")
             for element in container if _extract._is(element, "Attachment")]
    result, seen = [], set()
    for item in items:
        content_id = _content_id(item.text("ContentId"))
        if content_id and content_id in seen:
            raise PackageError("bad_attachment", f"Hai tệp đính kèm cùng ContentId {content_id!r}.",
                               content_id=content_id)
        seen.add(content_id)
        reference = listed.get(content_id)

        def field(name: str, item=item, reference=reference) -> str:
            return item.text(name) or (reference.text(name) if reference is not None else "")

        name = _file_name(field("AttachmentName")) or _file_name(field("Description")) or content_id or "tep-dinh-kem"
        cte = item.child("ContentTransferEncoded")
        if cte is None or cte.element.get(_BLOB) is None:
            raise PackageError("attachment_missing", f"Tệp đính kèm {name} (ContentId {content_id!r}) không có "
                               "nội dung ContentTransferEncoded.", content_id=content_id)
        blob = spool.blobs[int(cte.element.get(_BLOB))]
        content_type = field("ContentType")
        content = unwrap(blob, spool, name, content_type)
        result.append(Attachment(content_id=content_id, name=name, description=field("Description"),
                                 content_type=content_type, path=content.path, size=content.size,
                                 sha256=content.sha256, was_zipped=content.was_zipped))
    for content_id, reference in listed.items():
        if content_id not in seen:
            raise PackageError("attachment_missing", f"Danh mục gói tin (edXMLManifest) liệt kê tệp "
                               f"{reference.text('AttachmentName') or content_id} (ContentId {content_id!r}) "
                               "nhưng gói tin không chứa tệp này.", content_id=content_id)
    return result


def _content_id(value: str) -> str:
    value = value.strip().strip("<>").strip()
    return value[4:].strip() if value.lower().startswith("cid:") else value


def _file_name(value: str) -> str:
    """Only the last path component, no control characters, NFC."""
    value = "".join(ch for ch in nfc(value) if ch >= " " and ch != "\x7f")
    return value.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _signed(root) -> bool:
    """A Signature element anywhere (edXMLHeader for the SDK and us; the end of the root for signxml's
    default placement), in the XML-DSig namespace or not."""
    return any(isinstance(el.tag, str) and etree.QName(el).localname == "Signature"
               and etree.QName(el).namespace in (DSIG_NS, EDXML_NS, None) for el in root.iter())


def _package(root, spool: Spool) -> DocumentPackage | StatusPacket:
    top = _extract.Node(root, "edXML")
    envelope = top.require("edXMLEnvelope")
    header = envelope.require("edXMLHeader")
    message = header.require("MessageHeader")
    if _extract.is_status(message):
        packet = _extract.status_packet(message)
        packet.signed = _signed(root)
        return packet
    package = _extract.document_package(message, header)
    package.signed = _signed(root)
    package.attachments = _attachments(root, envelope, spool)
    return package


def read_package(source: str | Path | BinaryIO, *, spool_dir: str | Path,
                 limits: Limits = DEFAULT_LIMITS) -> DocumentPackage | StatusPacket:
    """Read a package from a path or a binary stream; attachments land in temp files in ``spool_dir``."""
    spool = Spool(spool_dir, limits)
    try:
        with _opened(source, limits) as stream:
            root = _parse(stream, spool)
        result = _package(root, spool)
    except BaseException:
        spool.cleanup()
        raise
    kept = {a.path for a in getattr(result, "attachments", [])}
    spool.cleanup(keep=kept)
    return result


class _Sniffed(Exception):
    def __init__(self, kind: str):
        self.kind = kind


class _SniffTarget:
    def __init__(self):
        self.path: list[str] = []

    def doctype(self, *args):
        raise dtd_error()

    def start(self, tag, attrib, nsmap=None):
        namespace, local = _split(tag)
        if not self.path and (local != "edXML" or namespace not in _NAMESPACES):
            raise _not_edxml(tag)
        self.path.append(local)
        if self.path[-2:] == ["MessageHeader", "StatusCode"]:
            raise _Sniffed("status")

    def end(self, tag):
        if self.path and self.path[-1] == "MessageHeader":
            raise _Sniffed("edoc")
        self.path.pop()

    def data(self, text):
        pass

    def close(self):
        return None


def sniff_kind(source: str | Path | BinaryIO) -> Literal["edoc", "status"]:
    """``"status"`` or ``"edoc"`` from the start of a package (reads only up to the end of MessageHeader;
    a seekable stream is put back where it was)."""
    parser = etree.XMLParser(target=_SniffTarget(), **parser_options())
    opened = isinstance(source, str | Path)
    stream = open(source, "rb") if opened else source
    position = None if opened or not stream.seekable() else stream.tell()
    try:
        while chunk := stream.read(64 * 1024):
            parser.feed(chunk)
        parser.close()
    except _Sniffed as found:
        return found.kind  # type: ignore[return-value]
    except PackageError:
        raise
    except (etree.LxmlError, ValueError, UnicodeError) as exc:
        raise syntax_error(exc)
    finally:
        if opened:
            stream.close()
        elif position is not None:
            stream.seek(position)
    raise _extract.missing("edXML/edXMLEnvelope/edXMLHeader/MessageHeader")
