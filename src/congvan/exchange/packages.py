"""From the database to edXML: the package for a document and the status packet for a trail entry."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from congvan.directory.models import Agency
from congvan.documents import storage
from congvan.documents.models import Document, DocumentFile, Urgency
from congvan.exchange import edxml
from congvan.workflow.models import Channel, Status

PRIORITY = {Urgency.NONE: 0, Urgency.KHAN: 1, Urgency.THUONG_KHAN: 2, Urgency.HOA_TOC: 3}
URGENCY = {v: k for k, v in PRIORITY.items()} | {4: Urgency.HOA_TOC}

# What the vendor SDK writes in Description when the reporting clerk adds nothing.
STATUS_TEXT = {
    "01": "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý",
    "02": "Từ chối tiếp nhận văn bản điện tử",
    "03": "Tiếp nhận văn bản điện tử, vào sổ văn bản đến của đơn vị",
    "04": "Lãnh đạo: Phân công xử lý",
    "05": "Đang xử lý văn bản đến",
    "06": "Hoàn thành xử lý",
    "13": "Yêu cầu lấy lại văn bản điện tử",
    "15": "Đồng ý yêu cầu cập nhật, lấy lại",
    "16": "Từ chối yêu cầu cập nhật, lấy lại",
}


def organization(agency: Agency) -> edxml.Organization:
    return edxml.Organization(
        organ_id=agency.code, organ_name=agency.name, organization_in_charge=agency.name,
        organ_add=agency.address, email=agency.email, telephone=agency.phone, fax=agency.fax,
        website=agency.website)


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def document_id(document: Document) -> str:
    """The global key of an issued document; kept on the row once computed (its code may change later)."""
    if not document.exchange_id:
        document.exchange_id = edxml.make_document_id(
            document.agency.code, timezone.localdate(document.issued_at), document.notation)
        Document.objects.filter(pk=document.pk).update(exchange_id=document.exchange_id)
    return document.exchange_id


def _attachment(file: DocumentFile) -> edxml.Attachment:
    blob = file.blob
    return edxml.Attachment(content_id=f"{file.pk}", name=file.name, description=file.get_role_display(),
                            content_type=file.content_type, source=lambda: storage.open_blob(blob),
                            zip_on_write=settings.EXCHANGE_ZIP_ATTACHMENTS)


def document_package(document: Document, recipients: list[Agency], *,
                     business: edxml.Business | None = None) -> edxml.DocumentPackage:
    issuer = document.issued_by
    number, _, notation = document.notation.partition("/")
    files = [f for f in document.files.select_related("blob") if f.role != DocumentFile.Role.SOURCE]
    for file in files:
        storage.read_verified(file.blob)  # a file changed on disk never leaves the installation
    staff = edxml.StaffInfo(
        department=getattr(getattr(issuer, "unit", None), "name", "") if issuer else "",
        staff=issuer.full_name if issuer else "", email=getattr(getattr(issuer, "user", None), "email", "")
        if issuer else "")
    return edxml.DocumentPackage(
        from_=organization(document.agency), to=[organization(a) for a in recipients],
        document_id=document_id(document), code_number=number, code_notation=notation,
        place=document.place or document.agency.place, promulgation_date=timezone.localdate(document.issued_at),
        type=1, type_detail="0", type_name=document.doc_type.name, subject=document.subject,
        content=document.summary or document.subject, signer_competence=document.signer_competence,
        signer_position=document.signer_position, signer_full_name=document.signer_name,
        due_date=document.due_date, to_places=[a.name for a in recipients] + (
            [document.recipients_note] if document.recipients_note else []),
        priority=PRIORITY.get(document.urgency, 0), promulgation_amount=document.copies,
        page_amount=document.page_amount, steering_type=0,
        business=business or _business(document, staff),
        traces=[edxml.TraceHeader(organ_id=document.agency.code, timestamp=local(timezone.now()))],
        attachments=[_attachment(f) for f in files])


def _business(document: Document, staff: edxml.StaffInfo) -> edxml.Business:
    """A new document, or (BussinessDocType 3) one replacing an earlier one: its DocumentId, and the agencies
    on other installations that received it and must withdraw it."""
    if document.replaces_id is None:
        return edxml.Business(doc_type=edxml.BusinessDocType.NEW, reason="Văn bản điện tử mới",
                              document_id=document_id(document), paper=False, staff=staff)
    replaced = document.replaces
    organs = list(replaced.deliveries.filter(channel=Channel.EXCHANGE).order_by("pk")
                  .values_list("recipient__code", flat=True))
    return edxml.Business(doc_type=edxml.BusinessDocType.REPLACE, reason="Văn bản thay thế",
                          document_id=document_id(replaced), paper=False, staff=staff,
                          replacements=[edxml.ReplacementInfo(document_id(replaced), organs)])


def status_packet(reporter: Agency, document: Document, code: str, note: str, staff: str,
                  at: datetime) -> edxml.StatusPacket:
    label = STATUS_TEXT.get(code, Status(code).label)
    return edxml.StatusPacket(
        from_=organization(reporter),
        response_for=edxml.ResponseFor(organ_id=document.agency.code, code=document.notation,
                                       promulgation_date=timezone.localdate(document.issued_at)
                                       if document.issued_at else None,
                                       document_id=document.exchange_id),
        status_code=code, description=note or label, timestamp=local(at),
        staff=edxml.StaffInfo(staff=staff) if staff else None)
