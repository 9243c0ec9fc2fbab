"""Request and response shapes of the API, and the functions that turn models into them.

Responses are built as plain dicts by the ``*_out`` functions (explicit, no ORM magic in schemas);
the schemas validate and document them. Times are given in local time (Asia/Ho_Chi_Minh offset).
"""

from datetime import date, datetime
from typing import Literal

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema

from congvan.directory.models import Agency, Person
from congvan.documents.models import Document, DocumentFile
from congvan.workflow.models import Delivery, IncomingItem

SecrecyIn = Literal["none", "mat", "toi_mat", "tuyet_mat"]
UrgencyIn = Literal["none", "khan", "thuong_khan", "hoa_toc"]
FormIn = Literal["electronic", "hybrid", "paper"]


def local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


# Directory

class AgencyOut(Schema):
    code: str
    slug: str
    name: str
    short_name: str
    parent_code: str | None
    email: str
    level: str
    is_local: bool = Field(description="Dùng hệ thống này (false: nhận qua trục liên thông).")


def agency_out(agency: Agency) -> dict:
    return {"code": agency.code, "slug": agency.slug, "name": agency.name, "short_name": agency.short_name,
            "parent_code": agency.parent.code if agency.parent_id else None, "email": agency.email,
            "level": agency.level, "is_local": agency.is_local}


class PersonOut(Schema):
    id: int
    username: str
    full_name: str
    position: str
    roles: list[str]
    agency_code: str
    unit: str | None
    email: str


def person_out(person: Person) -> dict:
    return {"id": person.pk, "username": person.user.username, "full_name": person.full_name,
            "position": person.position, "roles": sorted(person.own_roles), "agency_code": person.agency.code,
            "unit": person.unit.short_name if person.unit_id else None, "email": person.email}


# Documents

class ContactIn(Schema):
    name: str = ""
    email: str


class ContactOut(Schema):
    name: str
    email: str


class DocumentIn(Schema):
    type: str = Field(description="Mã loại văn bản: CV (công văn), QĐ, TB…")
    subject: str
    recipients: list[str] = Field(default_factory=list, description="Mã định danh cơ quan nhận.")
    contacts: list["ContactIn"] = Field(default_factory=list, description=(
        "Nơi nhận ngoài danh bạ (công dân, doanh nghiệp): gửi bằng thư điện tử khi phát hành."))
    secrecy: SecrecyIn = "none"
    urgency: UrgencyIn = "none"
    due_date: date | None = None
    drafting_unit: str | None = Field(None, description="Tên viết tắt đơn vị soạn thảo (VP, KT…).")
    form: FormIn | None = Field(None, description="Mặc định: electronic; giấy nếu văn bản mật.")
    summary: str = ""
    recipients_note: str = ""
    signer_competence: str = Field("", description="Thẩm quyền ký: TM., KT., TL., TUQ.…")
    replaces: int | None = Field(None, description=(
        "Văn bản thay thế: id của văn bản đã phát hành của cơ quan mà văn bản này thay thế; khi phát hành, "
        "văn bản đó bị thu hồi ở mọi nơi đã nhận."))


class DocumentPatch(Schema):
    type: str | None = None
    subject: str | None = None
    recipients: list[str] | None = None
    contacts: list["ContactIn"] | None = None
    secrecy: SecrecyIn | None = None
    urgency: UrgencyIn | None = None
    due_date: date | None = None
    drafting_unit: str | None = None
    form: FormIn | None = None
    summary: str | None = None
    recipients_note: str | None = None
    signer_competence: str | None = None
    replaces: int | None = None


class ReasonIn(Schema):
    reason: str


class FileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    role: str
    url: str


class DocumentOut(Schema):
    id: int
    agency_code: str
    agency_name: str
    type: str
    type_name: str
    subject: str
    summary: str
    state: str
    secrecy: str
    urgency: str
    form: str
    due_date: date | None
    drafting_unit: str | None
    recipients: list[str]
    contacts: list[ContactOut]
    recipients_note: str
    number: int | None
    notation: str
    issued_at: datetime | None
    place: str
    signer_name: str
    signer_position: str
    signer_competence: str
    return_reason: str
    revocation_reason: str
    created_by: int | None  # null: received from another installation
    created_at: datetime
    files: list[FileOut]
    replaces: int | None = Field(None, description="Id của văn bản mà văn bản này thay thế.")


def document_queryset(qs, prefix: str = ""):
    """What ``document_out`` reads, fetched in a fixed number of queries (``prefix``: path to the document)."""
    return qs.select_related(*(prefix + name for name in ("agency", "doc_type", "drafting_unit"))).prefetch_related(
        Prefetch(prefix + "recipients", queryset=Agency.objects.only("pk", "code")), prefix + "contacts",
        Prefetch(prefix + "files", queryset=DocumentFile.objects.select_related("blob").order_by("added_at", "id")))


def file_out(request, document: Document, attached: DocumentFile) -> dict:
    path = reverse("api-v1:document_file", kwargs={"id": document.pk, "file_id": attached.pk})
    return {"id": attached.pk, "name": attached.name, "size": attached.blob.size, "sha256": attached.blob.sha256,
            "content_type": attached.content_type, "role": attached.role, "url": request.build_absolute_uri(path)}


def document_out(request, document: Document) -> dict:
    return {
        "id": document.pk, "agency_code": document.agency.code, "agency_name": document.agency.name,
        "type": document.doc_type.code, "type_name": document.doc_type.name, "subject": document.subject,
        "summary": document.summary, "state": document.state, "secrecy": document.secrecy,
        "urgency": document.urgency, "form": document.form, "due_date": document.due_date,
        "drafting_unit": document.drafting_unit.short_name if document.drafting_unit else None,
        "recipients": sorted(a.code for a in document.recipients.all()),
        "contacts": [{"name": c.name, "email": c.email} for c in document.contacts.all()],
        "recipients_note": document.recipients_note, "number": document.number, "notation": document.notation,
        "issued_at": local(document.issued_at), "place": document.place, "signer_name": document.signer_name,
        "signer_position": document.signer_position, "signer_competence": document.signer_competence,
        "return_reason": document.return_reason, "revocation_reason": document.revocation_reason,
        "created_by": document.created_by_id, "created_at": local(document.created_at),
        "files": [file_out(request, document, f) for f in document.files.all()],
        "replaces": document.replaces_id,
    }


class TrailOut(Schema):
    status: str
    at: datetime
    note: str
    by: str


class MailOut(Schema):
    state: Literal["pending", "held", "sent", "failed", "dead"]
    to: str
    attempts: int
    detail: str = Field(description="Lý do trả lại, lỗi gần nhất hoặc lý do thư đang chờ.")
    sent_at: datetime | None
    dkim_domain: str


class DeliveryOut(Schema):
    recipient_code: str = Field(description="Mã định danh cơ quan nhận; rỗng với nơi nhận ngoài danh bạ.")
    recipient_name: str
    recipient_email: str = Field("", description="Địa chỉ thư điện tử (kênh email).")
    channel: str
    status: str = Field(description="Mã trạng thái edXML hiện tại (01…16); rỗng khi chưa đến nơi.")
    trail: list[TrailOut]
    mail: MailOut | None = Field(None, description="Kênh email: tình trạng thư gửi đi.")


def delivery_out(delivery: Delivery, mail=None) -> dict:
    return {"recipient_code": delivery.recipient_code, "recipient_name": delivery.recipient_name,
            "recipient_email": delivery.recipient_email if delivery.channel == "email" else "",
            "channel": delivery.channel, "status": delivery.status,
            "trail": [{"status": s.code, "at": local(s.at), "note": s.note, "by": s.by_name}
                      for s in delivery.trail.all()],
            "mail": {"state": mail.state, "to": mail.to_address, "attempts": mail.attempts, "detail": mail.last_error,
                     "sent_at": local(mail.sent_at), "dkim_domain": mail.dkim_domain} if mail else None}


# Incoming

class RegisterIn(Schema):
    due_date: date | None = None
    signature_confirmed: bool = False  # the clerk checked a document whose signature did not validate


class AssignIn(Schema):
    lead: int
    support: list[int] = Field(default_factory=list)
    info: list[int] = Field(default_factory=list)
    due_date: date | None = None
    due_in_working_days: int | None = None  # alternative to due_date, on the working calendar
    note: str = ""


class CompleteIn(Schema):
    note: str = ""
    reply_document: int | None = None


class RevocationIn(Schema):
    accept: bool
    reason: str = ""


class NoteIn(Schema):
    text: str


class ForwardIn(Schema):
    to: list[int]
    note: str = ""


class NoteOut(Schema):
    id: int
    author_id: int
    author: str
    text: str
    at: datetime


def note_out(note) -> dict:
    return {"id": note.pk, "author_id": note.author_id, "author": note.author.full_name, "text": note.text,
            "at": local(note.at)}


class DistributionOut(Schema):
    person_id: int
    full_name: str
    role: str
    by: str | None
    at: datetime
    note: str
    opened_at: datetime | None
    active: bool


class ItemOut(Schema):
    id: int
    agency_code: str
    document: DocumentOut
    state: str
    arrival_number: int | None
    status: str
    arrived_at: datetime
    registered_at: datetime | None
    due_date: date | None
    refusal_reason: str
    completion_note: str
    reply_document: int | None
    revocation_pending: bool
    revocation_reason: str


class ItemDetailOut(ItemOut):
    notes: list[NoteOut]
    distributions: list[DistributionOut]


def item_queryset(qs):
    return document_queryset(qs.select_related("agency", "delivery"), prefix="document__")


def item_out(request, item: IncomingItem) -> dict:
    document = document_out(request, item.document)
    if item.state == IncomingItem.State.REVOKED:  # withdrawn from use: the metadata stays, the files go
        document["files"] = []
    return {"id": item.pk, "agency_code": item.agency.code, "document": document,
            "state": item.state, "arrival_number": item.arrival_number, "status": item.delivery.status,
            "arrived_at": local(item.arrived_at), "registered_at": local(item.registered_at),
            "due_date": item.due_date, "refusal_reason": item.refusal_reason,
            "completion_note": item.completion_note, "reply_document": item.reply_document_id,
            "revocation_pending": item.revocation_pending, "revocation_reason": item.revocation_reason}


def item_detail_out(request, item: IncomingItem) -> dict:
    data = item_out(request, item)
    data["notes"] = [note_out(n) for n in item.notes.select_related("author")]
    data["distributions"] = [
        {"person_id": d.person_id, "full_name": d.person.full_name, "role": d.role,
         "by": d.by.full_name if d.by_id else None, "at": local(d.at), "note": d.note,
         "opened_at": local(d.opened_at), "active": d.active}
        for d in item.distributions.select_related("person", "by")]
    return data
