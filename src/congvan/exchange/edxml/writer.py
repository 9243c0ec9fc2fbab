"""Writing edXML packages in the byte shape of the VNPT EdXML102 SDK, attachments streamed.

The header is built with lxml (so escaping is right) with a unique marker as the text of each
``ContentTransferEncoded``; the serialised bytes are split at the markers and each attachment's
base64 is streamed in between, straight from ``Attachment.source()`` — never a whole file in memory.

Element order follows ``interop/edxml/sdk_output_edoc_zip_attachment.edxml``. ``ResponseFor`` goes
after ``OtherInfo`` and before ``SteeringType`` (the only place a document sample shows it:
``edoc_revocation.edxml``), its children in the order OrganId, Code, PromulgationDate, DocumentId
(the status samples). Empty strings are written as empty elements; ``None`` numbers, dates and
booleans are left out.
"""

from __future__ import annotations

import base64
import contextlib
import io
import mimetypes
import os
import re
import tempfile
import time
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from .model import (
    EDXML_NS,
    STATUS_CODES,
    Attachment,
    Business,
    BusinessDocType,
    DocumentPackage,
    Organization,
    ResponseFor,
    StaffInfo,
    StatusPacket,
    format_date,
    format_timestamp,
)

E = f"{{{EDXML_NS}}}"
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
B64_CHUNK = 3 * 256 * 1024
COPY_CHUNK = 1024 * 1024
ZIP_CONTENT_TYPE = "application/zip"

# Characters XML 1.0 cannot carry: dropped rather than failing on a stray control character.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(value) -> str:
    return _NOT_XML.sub("", unicodedata.normalize("NFC", str(value)))


def _el(parent, name: str, text=None):
    element = etree.SubElement(parent, E + name)
    if text is not None:
        cleaned = _xml_text(text)
        element.text = cleaned or None
    return element


def _opt_int(parent, name: str, value: int | None) -> None:
    if value is not None:
        _el(parent, name, str(int(value)))


def _opt_date(parent, name: str, value: date | None) -> None:
    if value is not None:
        _el(parent, name, format_date(value))


def _opt_bool(parent, name: str, value: bool | None, *, true="true", false="false") -> None:
    if value is not None:
        _el(parent, name, true if value else false)


def _organization(parent, name: str, org: Organization) -> None:
    element = _el(parent, name)
    _el(element, "OrganId", org.organ_id)
    _el(element, "OrganizationInCharge", org.organization_in_charge)
    _el(element, "OrganName", org.organ_name)
    _el(element, "OrganAdd", org.organ_add)
    _el(element, "Email", org.email)
    _el(element, "Telephone", org.telephone)
    _el(element, "Fax", org.fax)
    _el(element, "Website", org.website)


def _staff(parent, staff: StaffInfo) -> None:
    element = _el(parent, "StaffInfo")
    _el(element, "Department", staff.department)
    _el(element, "Staff", staff.staff)
    _el(element, "Email", staff.email)
    _el(element, "Mobile", staff.mobile)


def _response_for(parent, response: ResponseFor) -> None:
    element = _el(parent, "ResponseFor")
    _el(element, "OrganId", response.organ_id)
    _el(element, "Code", response.code)
    _opt_date(element, "PromulgationDate", response.promulgation_date)
    _el(element, "DocumentId", response.document_id)


def _business(parent, business: Business) -> None:
    element = _el(parent, "Bussiness")  # sic: the standard's spelling
    if business.document_id:
        _el(element, "DocumentId", business.document_id)
    _el(element, "BussinessDocType", str(int(business.doc_type)))
    _el(element, "BussinessDocReason", business.reason)
    _el(element, "Paper", "1" if business.paper else "0")
    if business.staff is not None:
        _staff(element, business.staff)
    if (business.doc_type == BusinessDocType.UPDATE or business.receivers
            or business.document_info is not None or business.document_receiver is not None):
        info = _el(element, "BussinessDocumentInfo")
        _opt_bool(info, "DocumentInfo", business.document_info, true="1", false="0")
        _opt_bool(info, "DocumentReceiver", business.document_receiver, true="1", false="0")
        receivers = _el(info, "ReceiverList")
        for receiver in business.receivers:
            item = _el(receivers, "Receiver")
            _el(item, "OrganId", receiver.organ_id)
            _el(item, "ReceiverType", str(int(receiver.receiver_type)))
    if business.doc_type == BusinessDocType.REPLACE or business.replacements:
        replacements = _el(element, "ReplacementInfoList")
        for replacement in business.replacements:
            item = _el(replacements, "ReplacementInfo")
            _el(item, "DocumentId", replacement.document_id)
            organs = _el(item, "OrganIdList")
            for organ_id in replacement.organ_ids:
                _el(organs, "OrganId", organ_id)


def _content_id(raw: str) -> str:
    value = _xml_text(raw).strip()
    return value[4:] if value.lower().startswith("cid:") else value


def _content_type(attachment: Attachment) -> str:
    if attachment.zip_on_write:
        return ZIP_CONTENT_TYPE
    return (attachment.content_type or mimetypes.guess_type(attachment.name)[0]
            or "application/octet-stream")


def _root():
    root = etree.Element(E + "edXML", nsmap={None: EDXML_NS})
    envelope = etree.SubElement(root, E + "edXMLEnvelope", nsmap={"edXML": EDXML_NS})
    return root, envelope


def _document_tree(pkg: DocumentPackage):
    if not _xml_text(pkg.from_.organ_id).strip():
        raise ValueError("Thiếu mã định danh (OrganId) của cơ quan gửi.")
    if not pkg.to:
        raise ValueError("Gói tin phải có ít nhất một cơ quan nhận (To).")
    if not _xml_text(pkg.document_id).strip():
        raise ValueError("Thiếu mã văn bản (DocumentId).")
    root, envelope = _root()
    header = _el(envelope, "edXMLHeader")
    message = _el(header, "MessageHeader")
    _organization(message, "From", pkg.from_)
    for organization in pkg.to:
        _organization(message, "To", organization)
    _el(message, "DocumentId", pkg.document_id)
    code = _el(message, "Code")
    _el(code, "CodeNumber", pkg.code_number)
    _el(code, "CodeNotation", pkg.code_notation)
    promulgation = _el(message, "PromulgationInfo")
    _el(promulgation, "Place", pkg.place)
    _opt_date(promulgation, "PromulgationDate", pkg.promulgation_date)
    doc_type = _el(message, "DocumentType")
    _opt_int(doc_type, "Type", pkg.type)
    _el(doc_type, "TypeDetail", pkg.type_detail)
    _el(doc_type, "TypeName", pkg.type_name)
    _el(message, "Subject", pkg.subject)
    _el(message, "Content", pkg.content)
    signer = _el(message, "SignerInfo")
    _el(signer, "Competence", pkg.signer_competence)
    _el(signer, "Position", pkg.signer_position)
    _el(signer, "FullName", pkg.signer_full_name)
    _opt_date(message, "DueDate", pkg.due_date)
    other = _el(message, "OtherInfo")
    _el(other, "Priority", str(int(pkg.priority)))
    _el(other, "SphereOfPromulgation", pkg.sphere_of_promulgation)
    _el(other, "TyperNotation", pkg.typer_notation)
    _opt_int(other, "PromulgationAmount", pkg.promulgation_amount)
    _opt_int(other, "PageAmount", pkg.page_amount)
    _opt_bool(other, "Direction", pkg.direction)
    appendixes = _el(other, "Appendixes")
    for appendix in pkg.appendixes:
        _el(appendixes, "Appendix", appendix)
    for response in pkg.response_for:
        _response_for(message, response)
    _opt_int(message, "SteeringType", pkg.steering_type)
    places = _el(message, "ToPlaces")
    for place in pkg.to_places:
        _el(places, "Place", place)

    traces = _el(header, "TraceHeaderList")
    _business(traces, pkg.business or Business())
    for trace in pkg.traces:
        item = _el(traces, "TraceHeader")
        _el(item, "OrganId", trace.organ_id)
        _el(item, "Timestamp", format_timestamp(trace.timestamp))

    ids = []
    for index, attachment in enumerate(pkg.attachments, start=1):
        ids.append(_content_id(attachment.content_id) or str(index))
    if len(set(ids)) != len(ids):
        raise ValueError("Các tệp đính kèm phải có ContentId khác nhau.")
    body = _el(envelope, "edXMLBody")
    manifest = _el(body, "edXMLManifest")
    manifest.set("version", "1.0")
    for content_id, attachment in zip(ids, pkg.attachments, strict=True):
        reference = _el(manifest, "Reference")
        _el(reference, "ContentId", f"cid:{content_id}")
        _el(reference, "ContentType", _content_type(attachment))
        _el(reference, "Description", attachment.description)
        _el(reference, "AttachmentName", attachment.name)
    ctes = []
    if pkg.attachments:
        encoded = etree.SubElement(root, E + "AttachmentEncoded")
        for content_id, attachment in zip(ids, pkg.attachments, strict=True):
            item = etree.SubElement(encoded, E + "Attachment")
            _el(item, "ContentId", f"cid:{content_id}")
            _el(item, "AttachmentName", attachment.name)
            _el(item, "Description", attachment.description)
            _el(item, "ContentType", _content_type(attachment))
            ctes.append(etree.SubElement(item, E + "ContentTransferEncoded", nsmap={"edXML": EDXML_NS}))
    return root, ctes


def _status_tree(pkt: StatusPacket):
    code = _xml_text(pkt.status_code).strip()
    if code not in STATUS_CODES:
        raise ValueError(f"Mã trạng thái {code!r} không hợp lệ (phải là một trong {sorted(STATUS_CODES)}).")
    if not _xml_text(pkt.from_.organ_id).strip():
        raise ValueError("Thiếu mã định danh (OrganId) của cơ quan gửi trạng thái.")
    root, envelope = _root()
    header = _el(envelope, "edXMLHeader")
    message = _el(header, "MessageHeader")
    _organization(message, "From", pkt.from_)
    _response_for(message, pkt.response_for)
    if pkt.staff is not None:
        _staff(message, pkt.staff)
    _el(message, "StatusCode", code)
    _el(message, "Description", pkt.description)
    if pkt.timestamp is not None:
        _el(message, "Timestamp", format_timestamp(pkt.timestamp))
    return root


@dataclass
class _Layout:
    head: bytes
    """Everything up to the first attachment's base64 (the whole package when there is none)."""
    pieces: list[tuple[Attachment, bytes]]
    """Each attachment and the bytes that follow its base64."""
    insert_at: int
    """Offset in ``head`` where an enveloped Signature element goes (after TraceHeaderList)."""


def _layout(root, ctes: list, attachments: list[Attachment], anchor: bytes) -> _Layout:
    token = uuid.uuid4().hex
    markers = [f"@@congvan-attachment-{token}-{i}@@" for i in range(len(ctes))]
    for cte, marker in zip(ctes, markers, strict=True):
        cte.text = marker
    data = XML_DECLARATION + etree.tostring(root, encoding="utf-8", xml_declaration=False, pretty_print=True)
    pieces: list[tuple[Attachment, bytes]] = []
    rest = data
    head = None
    for attachment, marker in zip(attachments, markers, strict=True):
        before, found, after = rest.partition(marker.encode("ascii"))
        if not found:  # pragma: no cover - the marker is plain text we just set
            raise RuntimeError("attachment marker lost in serialisation")
        if head is None:
            head = before
        else:
            pieces[-1] = (pieces[-1][0], before)
        pieces.append((attachment, b""))
        rest = after
    if head is None:
        head = rest
    else:
        pieces[-1] = (pieces[-1][0], rest)
    position = head.find(anchor)
    if position < 0:  # pragma: no cover
        raise RuntimeError("signature anchor missing")
    return _Layout(head=head, pieces=pieces, insert_at=position + len(anchor))


def _open_attachment(attachment: Attachment) -> BinaryIO:
    if attachment.source is not None:
        return attachment.source()
    if attachment.path is not None:
        return open(attachment.path, "rb")
    raise ValueError(f"Tệp đính kèm {attachment.name!r} không có nội dung (source hoặc path).")


def _b64_copy(src: BinaryIO, out: BinaryIO) -> None:
    """Base64 of ``src`` to ``out`` in chunks that are multiples of 3 bytes (so the pieces concatenate)."""
    pending = b""
    while True:
        chunk = src.read(B64_CHUNK)
        if not chunk:
            break
        if pending:
            chunk = pending + chunk
        usable = len(chunk) - len(chunk) % 3
        if usable:
            out.write(base64.b64encode(memoryview(chunk)[:usable]))
        pending = chunk[usable:]
    if pending:
        out.write(base64.b64encode(pending))


def _zip_member_name(name: str) -> str:
    cleaned = _xml_text(name).replace("/", "_").replace("\\", "_").strip()
    return cleaned or "attachment"


def _zip_to(src: BinaryIO, dst: BinaryIO, name: str) -> None:
    """One DEFLATE member named after the attachment, like the SDK."""
    with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(_zip_member_name(name), date_time=time.localtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as member:
            while chunk := src.read(COPY_CHUNK):
                member.write(chunk)


def _stream_attachment(attachment: Attachment, out: BinaryIO) -> None:
    with contextlib.closing(_open_attachment(attachment)) as src:
        if not attachment.zip_on_write:
            _b64_copy(src, out)
            return
        with tempfile.TemporaryFile() as zipped:
            _zip_to(src, zipped, attachment.name)
            zipped.seek(0)
            _b64_copy(zipped, out)


def _emit(layout: _Layout, out: BinaryIO) -> None:
    out.write(layout.head)
    for attachment, after in layout.pieces:
        _stream_attachment(attachment, out)
        out.write(after)


def _spool_dir_for(out: BinaryIO, tmp_dir: str | Path | None) -> str | None:
    if tmp_dir is not None:
        return str(tmp_dir)
    name = getattr(out, "name", None)
    if isinstance(name, str) and os.path.isdir(os.path.dirname(os.path.abspath(name))):
        return os.path.dirname(os.path.abspath(name))  # next to the output: same disk, not a RAM /tmp
    return None


def _write(layout: _Layout, out: BinaryIO, signer, tmp_dir) -> None:
    if signer is None:
        _emit(layout, out)
        return
    from .dsig import sign_copy

    fd, unsigned = tempfile.mkstemp(prefix="edxml-unsigned-", suffix=".edxml", dir=_spool_dir_for(out, tmp_dir))
    try:
        with os.fdopen(fd, "wb") as handle:
            _emit(layout, handle)
        sign_copy(unsigned, out, layout.insert_at, signer)
    finally:
        os.unlink(unsigned)


def write_document(pkg: DocumentPackage, out: BinaryIO, *, signer=None,
                   tmp_dir: str | Path | None = None) -> None:
    """Write a document package to ``out``; with ``signer`` (a NodeSigner) it carries an enveloped
    XML-DSig in edXMLHeader after TraceHeaderList. Signing writes the unsigned package to a temp file
    first (in ``tmp_dir``, else next to ``out`` when it is a named file, else the system temp dir)."""
    root, ctes = _document_tree(pkg)
    layout = _layout(root, ctes, pkg.attachments, b"</edXML:TraceHeaderList>")
    _write(layout, out, signer, tmp_dir)


def write_status(pkt: StatusPacket, out: BinaryIO, *, signer=None, tmp_dir: str | Path | None = None) -> None:
    """Write a status packet (the shape of interop/edxml/status*.edxml); a Signature goes after
    MessageHeader."""
    layout = _layout(_status_tree(pkt), [], [], b"</edXML:MessageHeader>")
    _write(layout, out, signer, tmp_dir)


def document_bytes(pkg: DocumentPackage, signer=None) -> bytes:
    buffer = io.BytesIO()
    write_document(pkg, buffer, signer=signer)
    return buffer.getvalue()


def status_bytes(pkt: StatusPacket, signer=None) -> bytes:
    buffer = io.BytesIO()
    write_status(pkt, buffer, signer=signer)
    return buffer.getvalue()


__all__ = ["write_document", "write_status", "document_bytes", "status_bytes"]
