"""The receiving side: a message fetched from the hub becomes incoming items or trail entries.

A message is processed once (``InboxMessage.message_id``), and a document once per recipient
(its Delivery), so a package delivered twice — by the transport or by a sender that sent it again —
is registered once. Anything refused is recorded with its reason, and nothing of it is kept.
"""

import logging
import mimetypes
import os
from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from congvan import audit
from congvan.archive.services import ingest_file
from congvan.directory.models import Agency, Role
from congvan.documents import storage
from congvan.documents.models import Document, DocumentFile, DocumentType
from congvan.exchange import directory, edxml, identity, packages
from congvan.exchange.models import InboxMessage, Node, Route
from congvan.text import clean
from congvan.workflow import incoming
from congvan.workflow.models import Channel, Delivery, IncomingItem, Status
from congvan.workflow.notify import notify, people_with_role
from congvan.workflow.trail import append_status

log = logging.getLogger(__name__)
BT = edxml.BusinessDocType


class Refused(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def limits() -> edxml.Limits:
    return edxml.Limits(max_package_bytes=settings.EXCHANGE_MAX_PACKAGE,
                        max_attachment_bytes=settings.EXCHANGE_MAX_PACKAGE)


def process(path: str, *, message_id: str, hub_id: str = "", from_node: str = "",
            to_codes: list[str] | None = None) -> InboxMessage:
    """Read, verify and apply one message file; always returns the InboxMessage recording the outcome."""
    done = InboxMessage.objects.filter(message_id=message_id).first()
    if done is not None:
        return done
    record = {"message_id": message_id, "hub_id": hub_id, "from_node": from_node}
    package = None
    try:
        try:
            package = edxml.read_package(path, spool_dir=identity.spool_dir(), limits=limits())
        except edxml.PackageError as exc:
            raise Refused(exc.code, exc.message)
        record.update(_describe(package))
        record.update(_check_signature(path, package, from_node))
        with transaction.atomic():
            blob = _store(path)
            inbox = InboxMessage.objects.create(blob=blob, state=InboxMessage.State.PROCESSED, **record)
            duplicate = _apply(package, inbox, to_codes or [])
            if duplicate:
                InboxMessage.objects.filter(pk=inbox.pk).update(state=InboxMessage.State.DUPLICATE)
                inbox.state = InboxMessage.State.DUPLICATE
        return inbox
    except Refused as exc:
        log.warning("exchange: message %s refused: %s", message_id, exc.message)
        with transaction.atomic():
            inbox = InboxMessage.objects.create(state=InboxMessage.State.REFUSED, error_code=exc.code,
                                                error=exc.message, **record)
            audit.record("exchange.refuse", message=message_id, node=from_node, code=exc.code, reason=exc.message)
        return inbox
    finally:
        for attachment in getattr(package, "attachments", []) or []:
            if attachment.path and os.path.exists(attachment.path):
                os.unlink(attachment.path)


def _describe(package) -> dict:
    if isinstance(package, edxml.StatusPacket):
        return {"message_type": "status", "from_code": package.from_.organ_id,
                "document_id": package.response_for.document_id, "status_code": package.status_code}
    return {"message_type": "edoc", "from_code": package.from_.organ_id, "document_id": package.document_id}


def _certificates(from_code: str, from_node: str) -> tuple[list[bytes], bool]:
    """The pinned certificates of the sending installation, and whether it may send unsigned packages."""
    nodes = [r.node for r in Route.objects.filter(agency_code=from_code).select_related("node")]
    nodes += list(Node.objects.filter(name=from_node)) if from_node else []
    certs = [n.certificate.encode() for n in nodes if n.certificate]
    return certs, any(n.accept_unsigned for n in nodes)


def _check_signature(path: str, package, from_node: str) -> dict:
    certs, unsigned_ok = _certificates(package.from_.organ_id, from_node)
    check = edxml.verify_file(path, certs)
    result = {"signature_present": check.present, "signature_valid": check.valid,
              "signature_subject": check.subject[:255], "signature_note": check.reason}
    if check.valid:
        return result
    if not check.present and unsigned_ok:
        result["signature_note"] = "Gói tin không ký; hệ thống gửi được cấu hình cho phép."
        return result
    if not certs:
        raise Refused("signature_untrusted", "Chưa đăng ký chứng thư số của hệ thống gửi "
                      f"({from_node or package.from_.organ_id}); không xác thực được gói tin.")
    raise Refused("signature_invalid", f"Chữ ký số của gói tin không hợp lệ: {check.reason}")


def _store(path: str):
    with open(path, "rb") as handle:
        return storage.store_stream(handle, max_size=settings.EXCHANGE_MAX_PACKAGE)


def _apply(package, inbox: InboxMessage, to_codes: list[str]) -> bool:
    """Returns True when everything in the message had already been applied."""
    if isinstance(package, edxml.StatusPacket):
        return _apply_status(package, to_codes)
    kind = package.business.doc_type if package.business else BT.NEW
    if kind == BT.REVOKE:
        return _apply_revoke(package)
    if kind == BT.UPDATE:
        return _apply_update(package)
    created = _receive(package)
    if kind == BT.REPLACE:
        _apply_replace(package)
    return not created


# --- documents --------------------------------------------------------------------------------------------

def _sender(organization: edxml.Organization) -> Agency:
    code = organization.organ_id
    agency = Agency.objects.filter(code=code).first()
    if agency is not None:
        if agency.is_local:
            raise Refused("forged_sender", f"Cơ quan gửi {code} thuộc chính hệ thống này; gói tin bị từ chối.")
        return agency
    return directory.remote_agency(
        code, organization.organ_name or organization.organization_in_charge, address=organization.organ_add[:255],
        email=organization.email if "@" in organization.email else "", phone=organization.telephone[:40],
        fax=organization.fax[:40])


def _local_recipients(codes: list[str]) -> list[Agency]:
    agencies = list(Agency.objects.filter(code__in=codes, is_local=True, is_active=True))
    if not agencies:
        raise Refused("not_hosted", "Gói tin gửi tới cơ quan không dùng hệ thống này: " + ", ".join(codes) + ".")
    return agencies


def _doc_type(name: str) -> DocumentType:
    national = DocumentType.objects.filter(agency__isnull=True)
    return (national.filter(name__iexact=clean(name)).first() if name else None) or national.get(code="CV")


def _aware(day) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time(8, 0))) if day else None


def _fields(package: edxml.DocumentPackage) -> dict:
    notation = "/".join(p for p in (package.code_number, package.code_notation) if p)
    return {
        "doc_type": _doc_type(package.type_name), "subject": package.subject or notation or "(không có trích yếu)",
        "summary": package.content if package.content != package.subject else "",
        "notation": notation[:60], "number": int(package.code_number) if package.code_number.isdigit() else None,
        "issued_at": _aware(package.promulgation_date) or timezone.now(), "place": package.place[:80],
        "signer_name": package.signer_full_name[:120], "signer_position": package.signer_position[:120],
        "signer_competence": package.signer_competence[:40], "due_date": package.due_date,
        "urgency": packages.URGENCY.get(package.priority, packages.Urgency.NONE),
        "page_amount": package.page_amount if package.page_amount and package.page_amount < 32768 else None,
        "copies": package.promulgation_amount if package.promulgation_amount and
        package.promulgation_amount < 32768 else None,
        "recipients_note": "; ".join(package.to_places),
    }


def _attach(document: Document, package: edxml.DocumentPackage) -> None:
    first_pdf = True
    for attachment in package.attachments:
        with open(attachment.path, "rb") as handle:
            blob = storage.store_stream(handle, max_size=settings.EXCHANGE_MAX_PACKAGE)
        guessed = mimetypes.guess_type(attachment.name)[0]
        content_type = guessed if (attachment.was_zipped or not attachment.content_type) else attachment.content_type
        is_pdf = (content_type or "") == "application/pdf" or attachment.name.lower().endswith(".pdf")
        role = DocumentFile.Role.MAIN if (is_pdf and first_pdf) else DocumentFile.Role.ANNEX
        first_pdf = first_pdf and not is_pdf
        received = DocumentFile.objects.create(document=document, blob=blob, name=clean(attachment.name)[:255],
                                               content_type=(content_type or "application/octet-stream")[:120],
                                               role=role)
        ingest_file(received)  # digitisation (issue 6): classify, text for search, OCR of scans


def _existing(sender: Agency, *document_ids: str) -> Document | None:
    ids = [d for d in document_ids if d]
    return Document.objects.filter(agency=sender, exchange_id__in=ids).order_by("pk").first() if ids else None


def _receive(package: edxml.DocumentPackage) -> bool:
    """New document (văn bản mới): one Document, one delivery and incoming item per local recipient."""
    recipients = _local_recipients([o.organ_id for o in package.to])
    sender = _sender(package.from_)
    document = _existing(sender, package.document_id)
    if document is None:
        document = Document.objects.create(agency=sender, state=Document.State.ISSUED,
                                           exchange_id=package.document_id, **_fields(package))
        _attach(document, package)
    created = False
    for agency in recipients:
        if Delivery.objects.filter(document=document, recipient=agency).exists():
            continue
        delivery = Delivery.objects.create(document=document, recipient=agency, channel=Channel.EXCHANGE)
        incoming.arrive(delivery)  # status 01, sent back automatically through the outbox
        created = True
    return created


def _deliveries_of(sender_code: str, document_ids: list[str], to_codes: list[str] | None = None):
    deliveries = Delivery.objects.filter(document__agency__code=sender_code, document__exchange_id__in=document_ids,
                                         recipient__is_local=True, channel=Channel.EXCHANGE)
    if to_codes:
        deliveries = deliveries.filter(recipient__code__in=to_codes)
    return list(deliveries.select_related("document__agency", "recipient"))


def _request_revocation(deliveries, reason: str, at=None) -> bool:
    changed = False
    for delivery in deliveries:
        if delivery.status in (Status.REVOKE_REQUESTED, Status.REVOKE_ACCEPTED):
            continue
        append_status(delivery, Status.REVOKE_REQUESTED, reason, at=_causal(delivery, at), propagate=False)
        incoming.revocation_requested(delivery, reason)
        changed = True
    return not changed


def _apply_revoke(package: edxml.DocumentPackage) -> bool:
    """Thu hồi (BussinessDocType 1): the same as a status 13 from the sender."""
    ids = [i for i in (package.business.document_id, package.document_id) if i]
    deliveries = _deliveries_of(package.from_.organ_id, ids)
    if not deliveries:
        raise Refused("unknown_document", f"Không có văn bản {ids[0]} để thu hồi.")
    return _request_revocation(deliveries, package.business.reason or "Thu hồi văn bản điện tử")


def _apply_update(package: edxml.DocumentPackage) -> bool:
    """Cập nhật (BussinessDocType 2): new metadata and files replace the old, receivers may be added;
    each recipient's trail records it and the sender is told 15 (accepted)."""
    sender = _sender(package.from_)
    document = _existing(sender, package.business.document_id, package.document_id)
    if document is None:  # an update of something never received: take it as the document itself
        return not _receive(package)
    business = package.business
    if business.document_info is not False:
        fields = _fields(package)
        for name, value in fields.items():
            setattr(document, name, value)
        document.save(update_fields=list(fields))
        if package.attachments:
            document.files.all().delete()
            _attach(document, package)
    if business.document_receiver and business.receivers:
        codes = [r.organ_id for r in business.receivers]
        for agency in Agency.objects.filter(code__in=codes, is_local=True):
            if not Delivery.objects.filter(document=document, recipient=agency).exists():
                incoming.arrive(Delivery.objects.create(document=document, recipient=agency,
                                                        channel=Channel.EXCHANGE))
    reason = business.reason or "Cập nhật văn bản điện tử"
    for delivery in _deliveries_of(sender.code, [document.exchange_id]):
        append_status(delivery, Status.REVOKE_ACCEPTED, f"Đã cập nhật: {reason}")
        item = IncomingItem.objects.filter(delivery=delivery).first()
        if item is not None:
            notify(people_with_role(item.agency, Role.CLERK),
                   f"{sender.short_name} cập nhật văn bản {document.notation}: {reason[:100]}",
                   reverse("incoming-detail", args=[item.pk]))
    audit.record("exchange.update", obj=document, reason=reason)
    return False


def _apply_replace(package: edxml.DocumentPackage) -> None:
    """Thay thế (BussinessDocType 3): the replaced documents are withdrawn for the recipients named, and the
    new one says which it replaces."""
    new = _existing(_sender(package.from_), package.document_id)
    for info in package.business.replacements:
        for delivery in _deliveries_of(package.from_.organ_id, [info.document_id], info.organ_ids or None):
            if new is not None and new.replaces_id is None:
                new.replaces = delivery.document
                new.save(update_fields=["replaces"])
            item = IncomingItem.objects.filter(delivery=delivery).first()
            if item is not None:
                incoming.withdraw_replaced(item, new.notation if new else package.document_id)


# --- statuses ---------------------------------------------------------------------------------------------

def _note(packet: edxml.StatusPacket) -> str:
    text = packet.description or ""
    default = packages.STATUS_TEXT.get(packet.status_code, "")
    return "" if text == default else text


def _apply_status(packet: edxml.StatusPacket, to_codes: list[str]) -> bool:
    code, reporter = packet.status_code, packet.from_.organ_id
    document_id = packet.response_for.document_id
    at = timezone.make_aware(packet.timestamp) if packet.timestamp else None
    staff = packet.staff.staff if packet.staff else ""
    if code == Status.REVOKE_REQUESTED:
        deliveries = _deliveries_of(reporter, [document_id], to_codes)
        if not deliveries:
            raise Refused("unknown_document", f"Không có văn bản {document_id} của {reporter} để thu hồi.")
        return _request_revocation(deliveries, _note(packet), at)
    delivery = (Delivery.objects.filter(document__exchange_id=document_id, document__agency__is_local=True,
                                        recipient__code=reporter, channel=Channel.EXCHANGE)
                .select_related("document").first())
    if delivery is None:
        raise Refused("unknown_document", f"Trạng thái {code} cho văn bản {document_id} không khớp văn bản nào "
                      f"đã gửi tới {reporter}.")
    append_status(delivery, code, _note(packet), at=_causal(delivery, at), by_name=staff[:120], propagate=False)
    return False


def _causal(delivery: Delivery, at: datetime | None) -> datetime:
    """The reporter's time, but never before what the trail already shows nor in the future: clocks of
    two installations differ, and the trail must keep the order in which things happened."""
    now = timezone.now()
    latest = delivery.trail.order_by("-at").values_list("at", flat=True).first()
    at = min(at or now, now)
    return max(at, latest) if latest else at
