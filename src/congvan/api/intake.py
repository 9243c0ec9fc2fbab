"""Mail received for the caller's agency (thư đến): list, read, register as an incoming document in one
step, dismiss. Listing or opening the intake counts as a check of the agency's mailbox (compliance)."""

from datetime import date, datetime

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from congvan.api.errors import ERROR_CODES, ErrorOut
from congvan.api.schemas import local
from congvan.directory.models import Agency
from congvan.documents import storage
from congvan.errors import Forbidden, NotFound
from congvan.mail import selectors, services
from congvan.mail.models import IntakeItem

router = Router(tags=["intake"])


class SignatureSummary(Schema):
    state: str = Field(description="valid | invalid | unsigned")
    summary: str
    signers: list[dict]


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str = Field(description="Rỗng khi tệp bị từ chối (không lưu).")
    signature: SignatureSummary | None = Field(description="Kết quả kiểm tra chữ ký số (tệp PDF).")
    refused: str = Field("", description="Lý do không nhận tệp (tệp chương trình, quá dung lượng).")


class IntakeOut(Schema):
    id: int
    source: str = Field(description="smtp | imap")
    from_: str = Field(alias="from")
    from_name: str
    subject: str
    received_at: datetime
    attachments: list[AttachmentOut]
    state: str = Field(description="new | quarantined | duplicate | converted | dismissed")
    problems: list[str]


class IntakeDetailOut(IntakeOut):
    message_id: str
    sent_at: datetime | None
    size: int
    body: str
    envelope_from: str
    duplicate_of: int | None
    incoming_id: int | None = Field(description="Văn bản đến đã vào sổ từ thư này.")
    dismiss_reason: str


class ConvertIn(Schema):
    subject: str | None = Field(None, description="Trích yếu; mặc định: tiêu đề thư.")
    type: str = "CV"
    notation: str | None = Field(None, description="Số, ký hiệu; mặc định: đọc từ tiêu đề thư.")
    issued_on: date | None = None
    sender_code: str | None = Field(None, description="Mã định danh cơ quan gửi (ngoài hệ thống này).")
    sender_name: str = Field("", description="Tên người, tổ chức gửi khi không phải cơ quan trong danh bạ.")
    due_date: date | None = None
    main_attachment: int | None = None
    signature_confirmed: bool = False


class DismissIn(Schema):
    reason: str


def _require(request) -> None:
    if not selectors.can_see_intake(request.auth):
        raise Forbidden(_("Chỉ văn thư, lãnh đạo, quản trị của cơ quan xem được thư đến của cơ quan."))


def intake_out(item: IntakeItem, checks: dict, detail: bool = False) -> dict:
    data = {
        "id": item.pk, "source": item.source, "from": item.from_address, "from_name": item.from_name,
        "subject": item.subject, "received_at": local(item.received_at), "state": item.state,
        "problems": list(item.problems or []),
        "attachments": [{"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size,
                         "sha256": a.blob_id or "", "signature": checks.get(a.blob_id), "refused": a.refused}
                        for a in item.attachments.all()],
    }
    if detail:
        data.update({"message_id": item.message_id, "sent_at": local(item.sent_at), "size": item.size,
                     "body": item.body, "envelope_from": item.envelope_from, "duplicate_of": item.duplicate_of_id,
                     "incoming_id": item.incoming_item_id, "dismiss_reason": item.dismiss_reason})
    return data


def _one(request, id: int) -> dict:
    try:
        item = selectors.intake(request.auth).prefetch_related("attachments").get(pk=id)
    except IntakeItem.DoesNotExist:
        raise NotFound(_("Không tìm thấy thư."))
    return intake_out(item, selectors.signatures(item.attachments.all()), detail=True)


@router.get("/intake", response={200: list[IntakeOut], ERROR_CODES: ErrorOut}, url_name="intake", by_alias=True)
def list_intake(request, state: Query[str] = "", q: Query[str] = "", limit: int = Query(100, ge=1, le=500),
                offset: int = Query(0, ge=0)):
    """Mail received for the caller's agency, newest first (``state=open``: what still needs the clerk)."""
    _require(request)
    services.record_check(request.auth, via="api")
    rows = list(selectors.intake(request.auth, state=state, q=q).prefetch_related("attachments")[offset:offset + limit])
    checks = selectors.signatures([a for item in rows for a in item.attachments.all()])
    return [intake_out(item, checks) for item in rows]


@router.get("/intake/{id}", response={200: IntakeDetailOut, ERROR_CODES: ErrorOut}, url_name="intake_item",
            by_alias=True)
def get_intake(request, id: int):
    _require(request)
    return _one(request, id)


@router.get("/intake/{id}/attachments/{attachment_id}", response={ERROR_CODES: ErrorOut},
            url_name="intake_attachment")
def download(request, id: int, attachment_id: int):
    """An attachment as received (refused files were not stored: 404)."""
    _require(request)
    try:
        item = selectors.get_item(request.auth, id)
    except NotFound:
        raise NotFound(_("Không tìm thấy thư."))
    attachment = item.attachments.filter(pk=attachment_id, blob__isnull=False).first()
    if attachment is None:
        raise NotFound(_("Không có tệp này hoặc tệp đã bị từ chối."))
    return FileResponse(storage.open_blob(attachment.blob), as_attachment=True, filename=attachment.name,
                        content_type="application/octet-stream")


@router.post("/intake/{id}/convert", response={200: IntakeDetailOut, ERROR_CODES: ErrorOut},
             url_name="intake_convert", by_alias=True)
def convert(request, id: int, payload: ConvertIn):
    """Vào sổ (clerk): the message becomes a registered incoming document (status 03) in one step."""
    _require(request)
    item = selectors.get_item(request.auth, id)
    sender = Agency.objects.filter(code=payload.sender_code.strip().upper()).first() if payload.sender_code else None
    if payload.sender_code and sender is None:
        raise NotFound(_("Không có cơ quan mang mã định danh này."))
    services.convert(
        request.auth, item, subject=payload.subject if payload.subject is not None else item.subject,
        doc_type=payload.type, notation=payload.notation if payload.notation is not None else
        services.guess_notation(item.subject), issued_on=payload.issued_on, sender=sender,
        sender_name=payload.sender_name, due_date=payload.due_date, main=payload.main_attachment,
        signature_confirmed=payload.signature_confirmed)
    return _one(request, id)


@router.post("/intake/{id}/dismiss", response={200: IntakeDetailOut, ERROR_CODES: ErrorOut},
             url_name="intake_dismiss", by_alias=True)
def dismiss(request, id: int, payload: DismissIn):
    """Loại bỏ (clerk) with a reason: not a document to register; the message stays stored."""
    _require(request)
    services.dismiss(request.auth, selectors.get_item(request.auth, id), payload.reason)
    return _one(request, id)
