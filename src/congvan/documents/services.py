"""Use cases on drafts and files: create and edit a draft, attach files, manage types and registers."""

import io
from datetime import date

from django.db import transaction
from django.db.models import Q

from congvan import audit
from congvan.directory.models import Agency, Person, Role, Unit
from congvan.directory.services import resolve_contacts
from congvan.documents import storage
from congvan.documents.models import Document, DocumentFile, DocumentType, Form, Register, Secrecy, Urgency
from congvan.errors import Forbidden, InvalidState, NotFound, SecrecyViolation, ServiceError
from congvan.text import clean

PDF = "application/pdf"
WORD_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
}
ANNEX_TYPES = {".pdf": PDF, ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               ".zip": "application/zip", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               **WORD_TYPES}
EDITABLE = (Document.State.DRAFT, Document.State.RETURNED)
DRAFTING_ROLES = {Role.OFFICER, Role.LEADER, Role.CLERK}


def document_types_for(agency: Agency):
    return DocumentType.objects.filter(Q(agency=agency) | Q(agency__isnull=True), is_active=True)


def resolve_type(agency: Agency, code: str) -> DocumentType:
    code = clean(code)
    found = document_types_for(agency).filter(code=code).order_by("-agency_id").first()
    if not found:
        raise ServiceError(f"Loại văn bản không hợp lệ: {code}", code="unknown_document_type")
    return found


def resolve_recipients(codes) -> list[Agency]:
    agencies = []
    for item in codes:
        if isinstance(item, Agency):
            agencies.append(item)
            continue
        agency = Agency.objects.filter(code=clean(item).upper(), is_active=True).first()
        if agency is None:
            raise ServiceError(f"Không có cơ quan mang mã định danh {item}.", code="unknown_recipient",
                               detail={"code": item})
        agencies.append(agency)
    return agencies


def check_form(secrecy: str, form: str) -> None:
    """The secrecy rule at its lowest level: a secret document is paper only."""
    if secrecy != Secrecy.NONE and form != Form.PAPER:
        raise SecrecyViolation()


def _replaced(person: Person, replaces) -> Document | None:
    """The document a draft replaces (văn bản bị thay thế): one the person's agency has issued."""
    if replaces in (None, ""):
        return None
    if isinstance(replaces, Document):
        document = replaces
    else:
        document = Document.objects.filter(pk=replaces).first() if str(replaces).isdigit() else None
    if document is None or document.agency_id != person.agency_id or document.state != Document.State.ISSUED:
        raise ServiceError("Văn bản được thay thế phải là văn bản đã phát hành của cơ quan.",
                           code="invalid_replaced_document")
    return document


def _draft_fields(person: Person, *, doc_type: str, subject: str, secrecy: str, urgency: str,
                  due_date: date | None, drafting_unit: str | None, summary: str, recipients_note: str,
                  form: str | None, signer_competence: str, replaces=None) -> dict:
    if not clean(subject):
        raise ServiceError("Trích yếu không được để trống.", code="subject_required")
    if secrecy not in Secrecy.values:
        raise ServiceError(f"Độ mật không hợp lệ: {secrecy}", code="invalid_secrecy")
    if urgency not in Urgency.values:
        raise ServiceError(f"Độ khẩn không hợp lệ: {urgency}", code="invalid_urgency")
    form = form or (Form.PAPER if secrecy != Secrecy.NONE else Form.ELECTRONIC)
    if form not in Form.values:
        raise ServiceError(f"Hình thức không hợp lệ: {form}", code="invalid_form")
    check_form(secrecy, form)
    unit = None
    if drafting_unit:
        unit = Unit.objects.filter(agency=person.agency, short_name=clean(drafting_unit)).first()
        if unit is None:
            raise ServiceError(f"Không có đơn vị {drafting_unit} trong cơ quan.", code="unknown_unit")
    elif person.unit_id:
        unit = person.unit
    return {
        "replaces": _replaced(person, replaces),
        "doc_type": resolve_type(person.agency, doc_type), "subject": clean(subject), "summary": clean(summary),
        "secrecy": secrecy, "urgency": urgency, "due_date": due_date, "drafting_unit": unit,
        "recipients_note": clean(recipients_note), "form": form, "signer_competence": clean(signer_competence),
    }


@transaction.atomic
def create_draft(person: Person, *, doc_type: str, subject: str, recipients=(), secrecy: str = Secrecy.NONE,
                 urgency: str = Urgency.NONE, due_date: date | None = None, drafting_unit: str | None = None,
                 summary: str = "", recipients_note: str = "", form: str | None = None,
                 signer_competence: str = "", contacts=(), replaces=None) -> Document:
    if not person.roles() & DRAFTING_ROLES:
        raise Forbidden()
    fields = _draft_fields(person, doc_type=doc_type, subject=subject, secrecy=secrecy, urgency=urgency,
                           due_date=due_date, drafting_unit=drafting_unit, summary=summary,
                           recipients_note=recipients_note, form=form, signer_competence=signer_competence,
                           replaces=replaces)
    agencies = resolve_recipients(recipients)
    document = Document.objects.create(agency=person.agency, created_by=person,
                                       place=person.agency.place, **fields)
    document.recipients.set(agencies)
    correspondents = resolve_contacts(person.agency, contacts)
    document.contacts.set(correspondents)
    audit.record("document.create", actor=person, obj=document, subject=document.subject,
                 recipients=[a.code for a in agencies], contacts=[c.email for c in correspondents])
    return document


@transaction.atomic
def update_draft(person: Person, document: Document, *, recipients=None, contacts=None, **changes) -> Document:
    if document.created_by_id != person.pk:
        raise Forbidden()
    if document.state not in EDITABLE:
        raise InvalidState("Chỉ sửa được dự thảo chưa trình hoặc bị trả lại.")
    current = {
        "doc_type": document.doc_type.code, "subject": document.subject, "secrecy": document.secrecy,
        "urgency": document.urgency, "due_date": document.due_date, "summary": document.summary,
        "drafting_unit": document.drafting_unit.short_name if document.drafting_unit else None,
        "recipients_note": document.recipients_note, "form": document.form,
        "signer_competence": document.signer_competence, "replaces": document.replaces,
    }
    current.update(changes)
    for name, value in _draft_fields(person, **current).items():
        setattr(document, name, value)
    document.save()
    if recipients is not None:
        document.recipients.set(resolve_recipients(recipients))
    if contacts is not None:
        document.contacts.set(resolve_contacts(person.agency, contacts))
    audit.record("document.update", actor=person, obj=document, fields=sorted(changes))
    return document


@transaction.atomic
def save_draft(person: Person, document: Document | None = None, *, recipients=(), contacts=None, files=(),
               **fields) -> Document:
    """Create (``document`` None) or edit a draft together with its files, in one transaction: a refused
    file leaves no half-made draft. ``files`` are ``(name, stream, role)``; a file's refusal carries its
    position in ``detail["file_index"]``."""
    if document is None:
        document = create_draft(person, recipients=recipients, contacts=contacts or (), **fields)
    else:
        update_draft(person, document, recipients=recipients, contacts=contacts, **fields)
    for index, (name, stream, role) in enumerate(files):
        try:
            add_file(person, document, name, stream, role)
        except ServiceError as exc:
            exc.detail = {**exc.detail, "file_index": index, "file_name": name}
            raise
    return document


def _extension(name: str) -> str:
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def check_pdf(data_head: bytes, stream) -> None:
    """Refuse what is not a readable PDF, with a message a clerk understands."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data_head.startswith(b"%PDF-"):
        raise ServiceError("Tệp không phải định dạng PDF.", code="not_a_pdf")
    try:
        reader = PdfReader(stream, strict=False)
        if len(reader.pages) < 1:
            raise ServiceError("Tệp PDF không có trang nào.", code="broken_pdf")
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise ServiceError("Tệp PDF bị hỏng, không đọc được.", code="broken_pdf", detail={"reason": str(exc)[:200]})


@transaction.atomic
def add_file(person: Person, document: Document, name: str, stream, role: str = DocumentFile.Role.MAIN
             ) -> DocumentFile:
    """Attach a file. A Word main file is kept as the source and converted to the PDF main file."""
    name = clean(name).replace("/", "_").replace("\\", "_") or "tep"
    editable_by_drafter = document.state in EDITABLE and document.created_by_id == person.pk
    clerk_after_approval = document.state == Document.State.APPROVED and person.has_role(Role.CLERK) \
        and document.agency_id == person.agency_id
    if not (editable_by_drafter or clerk_after_approval):
        raise Forbidden("Chỉ người soạn thảo (hoặc văn thư khi chờ phát hành) được đính kèm tệp.")
    ext = _extension(name)
    if role == DocumentFile.Role.MAIN and ext in WORD_TYPES:
        role, content_type = DocumentFile.Role.SOURCE, WORD_TYPES[ext]
    elif role == DocumentFile.Role.MAIN:
        if ext != ".pdf":
            raise ServiceError("Văn bản chính phải là tệp PDF hoặc Word (.docx, .doc, .odt).",
                               code="unsupported_file_type")
        content_type = PDF
    else:
        if ext not in ANNEX_TYPES:
            raise ServiceError(f"Không nhận tệp đính kèm loại {ext or '(không có phần mở rộng)'}.",
                               code="unsupported_file_type")
        content_type = ANNEX_TYPES[ext]

    def check(handle) -> None:  # before storing: a refused PDF leaves no file behind
        head = handle.read(1024)
        handle.seek(0)
        check_pdf(head, handle)

    try:
        blob = storage.store_stream(stream, check=check if content_type == PDF else None)
    except storage.FileTooLarge as exc:
        raise ServiceError(str(exc), code="file_too_large")
    attached = DocumentFile.objects.create(document=document, blob=blob, name=name, content_type=content_type,
                                           role=role, added_by=person)
    audit.record("document.add_file", actor=person, obj=document, name=name, sha256=blob.sha256, role=role)
    if content_type == PDF:  # signing (issue 3): every stored PDF is validated, the result kept with it
        from congvan.signing.services import check_blob

        check_blob(blob)
    from congvan.archive.services import ingest_file  # digitisation (issue 6): classify, text, OCR queue

    ingest_file(attached)
    if role == DocumentFile.Role.SOURCE:
        from congvan.documents.tasks import convert_to_pdf

        transaction.on_commit(lambda: convert_to_pdf.enqueue(attached.pk))
    return attached


def attach_converted_pdf(source: DocumentFile, pdf: bytes) -> DocumentFile:
    """Store the PDF made from a Word source as the document's main file (worker side)."""
    with transaction.atomic():
        blob = storage.store_stream(io.BytesIO(pdf))
        name = source.name.rsplit(".", 1)[0] + ".pdf"
        converted = DocumentFile.objects.create(document=source.document, blob=blob, name=name, content_type=PDF,
                                                role=DocumentFile.Role.MAIN, converted_from=source,
                                                added_by=source.added_by)
        audit.record("document.convert_pdf", obj=source.document, agency=source.document.agency,
                     source=source.blob_id, sha256=blob.sha256)
    from congvan.archive.services import ingest_file  # digitisation (issue 6)

    ingest_file(converted)
    return converted


def get_file(document: Document, file_id) -> DocumentFile:
    try:
        return document.files.select_related("blob").get(pk=file_id)
    except (DocumentFile.DoesNotExist, ValueError):
        raise NotFound("Không tìm thấy tệp.")


# Agency administration: document types and registers (quản trị của cơ quan).

def _require_admin(person: Person) -> None:
    if not (person.has_role(Role.ADMIN) or person.is_operator):
        raise Forbidden("Chỉ quản trị của cơ quan được thay đổi danh mục này.")


@transaction.atomic
def save_document_type(person: Person, *, code: str, name: str, abbreviation: str = "",
                       is_normative: bool = False, is_active: bool = True) -> DocumentType:
    _require_admin(person)
    code, name = clean(code), clean(name)
    if not code or not name:
        raise ServiceError("Cần nhập mã và tên loại văn bản.", code="invalid_document_type")
    doc_type, _ = DocumentType.objects.update_or_create(
        agency=person.agency, code=code,
        defaults={"name": name, "abbreviation": clean(abbreviation), "is_normative": is_normative,
                  "is_active": is_active})
    audit.record("document_type.save", actor=person, obj=doc_type, code=code, name=name)
    return doc_type


@transaction.atomic
def save_register(person: Person, *, direction: str, year: int, name: str, is_secret: bool = False,
                  type_codes=()) -> Register:
    _require_admin(person)
    name = clean(name)
    if not name:
        raise ServiceError("Cần nhập tên sổ.", code="invalid_register")
    register, _ = Register.objects.get_or_create(agency=person.agency, direction=direction, year=year, name=name,
                                                 defaults={"is_secret": is_secret})
    register.is_secret = is_secret
    register.save(update_fields=["is_secret"])
    register.document_types.set([resolve_type(person.agency, c) for c in type_codes])
    audit.record("register.save", actor=person, obj=register, name=name, year=year, direction=direction)
    return register
