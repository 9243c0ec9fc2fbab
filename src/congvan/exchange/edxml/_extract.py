"""From the parsed skeleton (everything but attachment content) to the model's values.

Tolerance (STANDARDS §2): an element matches by local name when it is in the edXML namespace or in
no namespace (with or without the ``edXML:`` prefix); unknown elements are ignored; empty optional
elements give "" or None; dates are ``yyyy/MM/dd`` or ``yyyy-MM-dd`` (a time part after them is
ignored); numbers and flags are read leniently ("1"/"true"), anything else is refused with the
element named.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from lxml import etree

from .errors import PackageError
from .model import (
    EDXML_NS,
    STATUS_CODES,
    Business,
    BusinessDocType,
    DocumentPackage,
    Organization,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    StaffInfo,
    StatusPacket,
    TraceHeader,
    nfc,
)

_NAMESPACES = {EDXML_NS, None}
_DATE = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})"
                   r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")


def _is(element, name: str) -> bool:
    if not isinstance(element.tag, str):
        return False
    qname = etree.QName(element)
    return qname.localname == name and qname.namespace in _NAMESPACES


class Node:
    """An element with its path from the root, for precise error messages."""

    def __init__(self, element, path: str):
        self.element = element
        self.path = path

    def children(self, name: str) -> list[Node]:
        return [Node(child, f"{self.path}/{name}") for child in self.element if _is(child, name)]

    def child(self, name: str) -> Node | None:
        found = self.children(name)
        return found[0] if found else None

    def require(self, name: str) -> Node:
        node = self.child(name)
        if node is None:
            raise missing(f"{self.path}/{name}")
        return node

    def text(self, name: str) -> str:
        node = self.child(name)
        return nfc(node.element.text) if node is not None else ""

    def required_text(self, name: str) -> str:
        value = self.text(name)
        if not value:
            raise missing(f"{self.path}/{name}")
        return value

    def date(self, name: str) -> date | None:
        value = self.text(name)
        return None if not value else parse_date(value, f"{self.path}/{name}")

    def timestamp(self, name: str) -> datetime | None:
        value = self.text(name)
        return None if not value else parse_timestamp(value, f"{self.path}/{name}")

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            raise PackageError("bad_value", f"Giá trị {value!r} của phần tử {self.path}/{name} phải là số nguyên.",
                               path=f"{self.path}/{name}", value=value)

    def flag(self, name: str) -> bool | None:
        value = self.text(name).lower()
        if not value:
            return None
        if value in ("1", "true"):
            return True
        if value in ("0", "false"):
            return False
        raise PackageError("bad_value", f"Giá trị {value!r} của phần tử {self.path}/{name} phải là 0/1 hoặc "
                           "true/false.", path=f"{self.path}/{name}", value=value)


def missing(path: str) -> PackageError:
    return PackageError("missing_element", f"Gói tin thiếu phần tử bắt buộc {path} (hoặc phần tử này để trống).",
                        path=path)


def _match_date(value: str, path: str):
    match = _DATE.match(value)
    if match is None:
        raise PackageError("bad_date", f"Ngày {value!r} trong phần tử {path} không đúng định dạng yyyy/MM/dd.",
                           path=path, value=value)
    return match


def parse_date(value: str, path: str) -> date:
    match = _match_date(value, path)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise PackageError("bad_date", f"Ngày {value!r} trong phần tử {path} không tồn tại.", path=path, value=value)


def parse_timestamp(value: str, path: str) -> datetime:
    match = _match_date(value, path)
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4] or 0), int(match[5] or 0),
                        int(match[6] or 0))
    except ValueError:
        raise PackageError("bad_date", f"Thời điểm {value!r} trong phần tử {path} không tồn tại.", path=path,
                           value=value)


def organization(node: Node) -> Organization:
    return Organization(
        organ_id=node.required_text("OrganId"), organ_name=node.text("OrganName"),
        organization_in_charge=node.text("OrganizationInCharge"), organ_add=node.text("OrganAdd"),
        email=node.text("Email"), telephone=node.text("Telephone"), fax=node.text("Fax"),
        website=node.text("Website"))


def staff(node: Node | None) -> StaffInfo | None:
    if node is None:
        return None
    return StaffInfo(department=node.text("Department"), staff=node.text("Staff"), email=node.text("Email"),
                     mobile=node.text("Mobile"))


def response_for(node: Node) -> ResponseFor:
    return ResponseFor(organ_id=node.text("OrganId"), code=node.text("Code"),
                       promulgation_date=node.date("PromulgationDate"), document_id=node.text("DocumentId"))


def business(node: Node | None) -> Business:
    if node is None:
        return Business()
    doc_type = node.integer("BussinessDocType") or 0
    try:
        kind = BusinessDocType(doc_type)
    except ValueError:
        raise PackageError("bad_value", f"BussinessDocType {doc_type} không hợp lệ (0 mới, 1 thu hồi, 2 cập nhật, "
                           "3 thay thế).", path=f"{node.path}/BussinessDocType", value=doc_type)
    result = Business(doc_type=kind, reason=node.text("BussinessDocReason"), document_id=node.text("DocumentId"),
                      paper=bool(node.flag("Paper")), staff=staff(node.child("StaffInfo")))
    info = node.child("BussinessDocumentInfo")
    if info is not None:
        result.document_info = info.flag("DocumentInfo")
        result.document_receiver = info.flag("DocumentReceiver")
        for receivers in info.children("ReceiverList"):
            for item in receivers.children("Receiver"):
                if item.text("OrganId"):
                    result.receivers.append(Receiver(organ_id=item.text("OrganId"),
                                                     receiver_type=item.integer("ReceiverType") or 0))
    for replacements in node.children("ReplacementInfoList"):
        for item in replacements.children("ReplacementInfo"):
            organs = [nfc(o.element.text) for ids in item.children("OrganIdList") for o in ids.children("OrganId")]
            result.replacements.append(ReplacementInfo(document_id=item.text("DocumentId"),
                                                       organ_ids=[o for o in organs if o]))
    return result


def traces(node: Node | None) -> list[TraceHeader]:
    result = []
    for item in node.children("TraceHeader") if node is not None else []:
        organ_id, timestamp = item.text("OrganId"), item.timestamp("Timestamp")
        if not organ_id and timestamp is None:
            continue
        if timestamp is None:
            raise missing(f"{item.path}/Timestamp")
        result.append(TraceHeader(organ_id=organ_id, timestamp=timestamp))
    return result


def is_status(message: Node) -> bool:
    return message.child("StatusCode") is not None


def status_packet(message: Node) -> StatusPacket:
    code = message.required_text("StatusCode")
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    if code not in STATUS_CODES:
        raise PackageError("bad_status", f"Mã trạng thái {code!r} không hợp lệ; chỉ dùng "
                           f"{', '.join(sorted(STATUS_CODES))}.", path=f"{message.path}/StatusCode", value=code)
    response = message.require("ResponseFor")
    response.required_text("DocumentId")
    return StatusPacket(from_=organization(message.require("From")), response_for=response_for(response),
                        status_code=code, description=message.text("Description"),
                        timestamp=message.timestamp("Timestamp"), staff=staff(message.child("StaffInfo")))


def document_package(message: Node, header: Node) -> DocumentPackage:
    from_ = organization(message.require("From"))
    to = [organization(node) for node in message.children("To")]
    if not to:
        raise missing(f"{message.path}/To/OrganId")
    code, promulgation = message.child("Code"), message.child("PromulgationInfo")
    doc_type, signer, other = message.child("DocumentType"), message.child("SignerInfo"), message.child("OtherInfo")
    empty = Node(etree.Element("empty"), "")

    def part(node: Node | None) -> Node:
        return node if node is not None else empty

    code, promulgation, doc_type = part(code), part(promulgation), part(doc_type)
    signer, other = part(signer), part(other)
    responses = [response_for(node) for node in message.children("ResponseFor")]
    trace_list = header.child("TraceHeaderList")
    return DocumentPackage(
        from_=from_, to=to, document_id=message.required_text("DocumentId"),
        code_number=code.text("CodeNumber"), code_notation=code.text("CodeNotation"),
        place=promulgation.text("Place"), promulgation_date=promulgation.date("PromulgationDate"),
        type=doc_type.integer("Type"), type_detail=doc_type.text("TypeDetail"), type_name=doc_type.text("TypeName"),
        subject=message.text("Subject"), content=message.text("Content"),
        signer_competence=signer.text("Competence"), signer_position=signer.text("Position"),
        signer_full_name=signer.text("FullName"), due_date=message.date("DueDate"),
        to_places=[t for places in message.children("ToPlaces") for p in places.children("Place")
                   if (t := nfc(p.element.text))],
        priority=other.integer("Priority") or 0, sphere_of_promulgation=other.text("SphereOfPromulgation"),
        typer_notation=other.text("TyperNotation"), promulgation_amount=other.integer("PromulgationAmount"),
        page_amount=other.integer("PageAmount"), direction=other.flag("Direction"),
        appendixes=[t for group in other.children("Appendixes") for a in group.children("Appendix")
                    if (t := nfc(a.element.text))],
        response_for=[r for r in responses if r.organ_id or r.code or r.document_id or r.promulgation_date],
        steering_type=message.integer("SteeringType"),
        business=business(trace_list.child("Bussiness") if trace_list is not None else None),
        traces=traces(trace_list),
    )
