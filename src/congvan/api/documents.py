"""Outgoing documents: drafts, files, the approval flow, issuing, deliveries and revocation.

Every handler first resolves the document through the selector scoped to the caller (404 when it is
not visible), then calls the service, which checks the role (403) and the state (409).
"""

from datetime import datetime
from typing import Literal

from django.http import FileResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import ValidationError

from congvan.api.errors import ERROR_CODES, ErrorOut
from congvan.api.schemas import (
    DeliveryOut,
    DocumentIn,
    DocumentOut,
    DocumentPatch,
    FileOut,
    ReasonIn,
    delivery_out,
    document_out,
    document_queryset,
    file_out,
)
from congvan.documents import services as documents
from congvan.documents import storage
from congvan.mail import selectors as mail_selectors
from congvan.signing.models import FileSignatureCheck
from congvan.workflow import access, outgoing, selectors

router = Router(tags=["documents"])

FILE_ROLES = ("main", "annex")
BINARY = {200: {"description": "Nội dung tệp (Content-Disposition: attachment).",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


def _render(request, pk: int) -> dict:
    """The document as it is now, read through the caller's scope like every other read."""
    return document_out(request, document_queryset(access.visible_documents(request.auth).filter(pk=pk)).get())


NULLABLE = {"due_date", "drafting_unit", "form", "replaces"}  # null means "none" (form: from the secrecy)


def _fields(payload) -> dict:
    """Schema field names → service keyword names (``type`` is ``doc_type`` in the services).
    In a PATCH, an explicit null on a field that cannot be empty is read as "unchanged"."""
    if isinstance(payload, DocumentPatch):
        data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k in NULLABLE}
    else:
        data = payload.dict()
    if "type" in data:
        data["doc_type"] = data.pop("type")
    if data.get("contacts") is not None:
        data["contacts"] = [dict(c) for c in data["contacts"]]
    return data


@router.get("/documents", response={200: list[DocumentOut], ERROR_CODES: ErrorOut}, url_name="documents")
def list_documents(request, state: Query[str] = "", type: Query[str] = "", q: Query[str] = "",
                   year: Query[int | None] = None, limit: int = Query(100, ge=1, le=500),
                   offset: int = Query(0, ge=0)):
    """The caller's agency's outgoing documents they may open (drafts only their own), newest first."""
    rows = selectors.outgoing(request.auth, state=state, doc_type=type, q=q, year=year).order_by("-created_at",
                                                                                                 "-id")
    return [document_out(request, d) for d in document_queryset(rows)[offset:offset + limit]]


@router.post("/documents", response={201: DocumentOut, ERROR_CODES: ErrorOut}, url_name="document_create")
def create_document(request, payload: DocumentIn):
    """Create a draft in the caller's agency."""
    document = documents.create_draft(request.auth, **_fields(payload))
    return Status(201, _render(request, document.pk))


@router.get("/documents/{id}", response={200: DocumentOut, ERROR_CODES: ErrorOut}, url_name="document")
def get_document(request, id: int):
    return _render(request, selectors.get_document(request.auth, id).pk)


@router.patch("/documents/{id}", response={200: DocumentOut, ERROR_CODES: ErrorOut}, url_name="document_update")
def update_document(request, id: int, payload: DocumentPatch):
    """Edit a draft (or a returned draft); only the fields sent change."""
    document = selectors.get_document(request.auth, id)
    documents.update_draft(request.auth, document, **_fields(payload))
    return _render(request, document.pk)


@router.post("/documents/{id}/files", response={201: FileOut, ERROR_CODES: ErrorOut}, url_name="document_files")
def add_file(request, id: int, file: File[UploadedFile], role: Form[Literal["main", "annex"]] = "main"):
    """Attach a file (multipart field ``file``). The main document is a PDF (a Word file is converted);
    ``role=annex`` (form field or query parameter) for an appendix."""
    role = request.GET.get("role", role)
    if role not in FILE_ROLES:
        raise ValidationError([{"loc": ("query", "role"), "msg": "Input should be 'main' or 'annex'",
                                "type": "literal_error"}])
    document = selectors.get_document(request.auth, id)
    attached = documents.add_file(request.auth, document, file.name or "", file, role=role)
    return Status(201, file_out(request, document, attached))


@router.get("/documents/{id}/files/{file_id}", response={ERROR_CODES: ErrorOut}, url_name="document_file",
            openapi_extra={"responses": BINARY})
def download_file(request, id: int, file_id: int):
    """Download a file of a document the caller may open."""
    document = selectors.get_document(request.auth, id)
    attached = documents.get_file(document, file_id)
    response = FileResponse(storage.open_blob(attached.blob), as_attachment=True, filename=attached.name,
                            content_type=attached.content_type)
    response["ETag"] = f'"{attached.blob.sha256}"'
    return response


@router.post("/documents/{id}/submit", response={200: DocumentOut, ERROR_CODES: ErrorOut}, url_name="document_submit")
def submit(request, id: int):
    """Trình: the drafter sends the draft to the leaders."""
    outgoing.submit(request.auth, selectors.get_document(request.auth, id))
    return _render(request, id)


# --- signing (issue 3): optional passphrase/PIN in the approve and issue bodies; stored validations

class SecretIn(Schema):
    passphrase: str | None = Field(None, description="Mật khẩu tệp khóa PKCS#12 của chứng thư số (không lưu).")
    pin: str | None = Field(None, description="Mã PIN của token/HSM (PKCS#11) (không lưu).")


class SignatureOut(Schema):
    field_name: str | None = None
    signer_name: str | None = None
    signed_at: str | None = None
    ok: bool
    summary: str
    certificate_fingerprint: str | None = None


class FileSignaturesOut(Schema):
    file_id: int
    sha256: str
    checked_at: datetime | None
    ok: bool = Field(description="Mọi chữ ký hợp lệ (và có ít nhất một chữ ký).")
    error: str
    summary: str
    signatures: list[SignatureOut]


def _secret(payload: SecretIn | None) -> dict:
    return {"passphrase": payload.passphrase, "pin": payload.pin} if payload else {}


@router.get("/documents/{id}/files/{file_id}/signatures", response={200: FileSignaturesOut, ERROR_CODES: ErrorOut},
            url_name="document_file_signatures")
def file_signatures(request, id: int, file_id: int):
    """The stored validation of a file's digital signatures (done when the file was stored or received)."""
    document = selectors.get_document(request.auth, id)
    attached = documents.get_file(document, file_id)
    check = FileSignatureCheck.objects.filter(blob_id=attached.blob_id).first()
    return {"file_id": attached.pk, "sha256": attached.blob_id, "checked_at": check.checked_at if check else None,
            "ok": bool(check and check.ok), "error": check.error if check else "",
            "summary": check.summary if check else "",
            "signatures": [{k: (str(v) if k == "signed_at" and v is not None else v) for k, v in s.items()
                            if k in SignatureOut.model_fields} for s in (check.signatures if check else [])]}
# --- end signing


@router.post("/documents/{id}/approve", response={200: DocumentOut, ERROR_CODES: ErrorOut},
             url_name="document_approve")
def approve(request, id: int, payload: SecretIn | None = None):
    """Duyệt (leader). With ``passphrase`` (PKCS#12) or ``pin`` (token) the main PDF is signed."""
    outgoing.approve(request.auth, selectors.get_document(request.auth, id), **_secret(payload))
    return _render(request, id)


@router.post("/documents/{id}/return", response={200: DocumentOut, ERROR_CODES: ErrorOut}, url_name="document_return")
def return_(request, id: int, payload: ReasonIn):
    """Trả lại (leader), with the reason the drafter will read."""
    outgoing.return_(request.auth, selectors.get_document(request.auth, id), payload.reason)
    return _render(request, id)


@router.post("/documents/{id}/issue", response={200: DocumentOut, ERROR_CODES: ErrorOut}, url_name="document_issue")
def issue(request, id: int, payload: SecretIn | None = None):
    """Phát hành (clerk): number, date, one delivery per recipient; with ``passphrase``/``pin`` the agency's
    signature is applied (seal on the main PDF, text on annex PDFs)."""
    outgoing.issue(request.auth, selectors.get_document(request.auth, id), **_secret(payload))
    return _render(request, id)


@router.get("/documents/{id}/deliveries", response={200: list[DeliveryOut], ERROR_CODES: ErrorOut},
            url_name="document_deliveries")
def deliveries(request, id: int):
    """Where the document stands at each recipient. A recipient agency sees only its own delivery."""
    document = selectors.get_document(request.auth, id)
    rows = document.deliveries.select_related("recipient", "contact").prefetch_related("trail")
    if document.agency_id != request.auth.agency_id:
        rows = rows.filter(recipient_id=request.auth.agency_id)
    rows = list(rows)
    mails = mail_selectors.mail_for_deliveries([d.pk for d in rows if d.channel == "email"])
    return [delivery_out(d, mails.get(d.pk)) for d in rows]


@router.post("/documents/{id}/revoke", response={200: DocumentOut, ERROR_CODES: ErrorOut}, url_name="document_revoke")
def revoke(request, id: int, payload: ReasonIn):
    """Thu hồi: asks every recipient to take the document back (status 13)."""
    outgoing.revoke(request.auth, selectors.get_document(request.auth, id), payload.reason)
    return _render(request, id)
