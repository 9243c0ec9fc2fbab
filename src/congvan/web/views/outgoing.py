"""Outgoing documents (văn bản đi): list, compose and edit, detail with the per-recipient trail, actions, files."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from congvan.directory.models import Role
from congvan.documents import services as documents
from congvan.documents import storage
from congvan.documents.models import Document, DocumentFile
from congvan.errors import NotFound, ServiceError
from congvan.mail import selectors as mail_selectors
from congvan.signing.services import PositionRequired
from congvan.web import views_signing
from congvan.web.forms import COMPETENCE_HINTS, DraftForm, OutgoingFilterForm, UploadForm
from congvan.web.views.common import error_text, paginate, person_required
from congvan.workflow import outgoing, selectors
from congvan.workflow.models import DeliveryStatus, IncomingItem

S = Document.State
ACTIONS = ("submit", "approve", "return", "issue", "revoke", "upload")

# Which form field a service error belongs to, so it is shown next to that field.
ERROR_FIELDS = {
    "subject_required": "subject", "invalid_secrecy": "secrecy", "invalid_urgency": "urgency",
    "invalid_form": "form", "secret_document_electronic": "form", "unknown_unit": "drafting_unit",
    "unknown_recipient": "recipients", "unknown_document_type": "doc_type", "invalid_contact": "contacts",
}


def decree_date(value) -> str:
    """The date line of Decree 30: days below 10 and the months 1 and 2 take a leading zero."""
    day = timezone.localtime(value).date()
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("ngày %(day)s tháng %(month)s năm %(year)s") % {"day": f"{day.day:02d}", "month": month,
                                                            "year": day.year}


def get_document(person, pk) -> Document:
    try:
        return selectors.get_document(person, pk)
    except NotFound:
        raise Http404(_("Không tìm thấy văn bản hoặc bạn không có quyền xem."))


def allowed_actions(person, document: Document) -> set[str]:
    """What the page offers; the services check again (roles, agency, state) when a button is pressed."""
    roles = person.roles()
    own_agency = document.agency_id == person.agency_id
    drafter = document.created_by_id == person.pk
    editable = document.state in documents.EDITABLE
    actions = set()
    if drafter and editable:
        actions |= {"submit", "edit", "upload"}
    if own_agency and Role.LEADER in roles and document.state == S.SUBMITTED:
        actions |= {"approve", "return"}
    if own_agency and Role.CLERK in roles and document.state == S.APPROVED:
        actions |= {"issue", "upload"}
    if own_agency and roles & {Role.CLERK, Role.LEADER} and document.state == S.ISSUED \
            and not document.revocation_reason:
        actions.add("revoke")
    return actions


@person_required
def outgoing_list(request, person):
    form = OutgoingFilterForm(person, request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    documents_qs = selectors.outgoing(person, state=filters.get("state") or "", doc_type=filters.get("doc_type") or "",
                                      q=(filters.get("q") or "").strip(), year=filters.get("year"))
    page, query = paginate(request, documents_qs.order_by("-created_at", "-id"))
    can_draft = bool(person.roles() & documents.DRAFTING_ROLES)
    return render(request, "web/outgoing/list.html",
                  {"form": form, "page": page, "query": query, "can_draft": can_draft,
                   "filtered": any(filters.values()) if filters else False})


def _show_service_error(form: DraftForm, exc: ServiceError) -> None:
    field = getattr(exc, "field", None) or ERROR_FIELDS.get(exc.code)
    message = error_text(exc)
    if field and field in form.fields:
        form.add_error(field, message)
    else:
        form.add_error(None, message)


def _uploads(form: DraftForm) -> list[tuple[str, object, str, str]]:
    """The form's files as (name, stream, role, form field)."""
    uploads = [(form.cleaned_data.get("main_file"), DocumentFile.Role.MAIN, "main_file")]
    uploads += [(upload, DocumentFile.Role.ANNEX, "annexes") for upload in form.cleaned_data.get("annexes") or []]
    return [(upload.name, upload, role, field) for upload, role, field in uploads if upload]


def _save_draft(person, form: DraftForm, document: Document | None) -> Document:
    uploads = _uploads(form)
    try:
        return documents.save_draft(person, document, recipients=form.cleaned_data["recipients"],
                                    files=[(name, stream, role) for name, stream, role, _ in uploads],
                                    **form.service_fields())
    except ServiceError as exc:
        if "file_index" in exc.detail:  # show the refusal next to the field the file came from
            name, _, _, exc.field = uploads[exc.detail["file_index"]]
            exc.message = f"{error_text(exc)} ({name})"
        raise


def _draft_form_page(request, form: DraftForm, document: Document | None):
    return render(request, "web/outgoing/form.html", {
        "form": form, "document": document, "competence_hints": COMPETENCE_HINTS,
        "selected": form.selected_recipients(),
    })


@person_required
def outgoing_create(request, person):
    if not person.roles() & documents.DRAFTING_ROLES:
        messages.error(request, _("Chỉ chuyên viên, lãnh đạo hoặc văn thư được soạn thảo văn bản."))
        return redirect("outgoing-list")
    form = DraftForm(person, request.POST if request.method == "POST" else None,
                     request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            document = _save_draft(person, form, None)
        except ServiceError as exc:
            _show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu dự thảo."))
            return redirect("outgoing-detail", pk=document.pk)
    return _draft_form_page(request, form, None)


@person_required
def outgoing_edit(request, person, pk):
    document = get_document(person, pk)
    if "edit" not in allowed_actions(person, document):
        messages.error(request, _("Chỉ người soạn thảo sửa được dự thảo chưa trình hoặc bị trả lại."))
        return redirect("outgoing-detail", pk=document.pk)
    form = DraftForm(person, request.POST if request.method == "POST" else None,
                     request.FILES if request.method == "POST" else None, document=document)
    if request.method == "POST" and form.is_valid():
        try:
            _save_draft(person, form, document)
        except ServiceError as exc:
            _show_service_error(form, exc)
        else:
            messages.success(request, _("Đã lưu dự thảo."))
            return redirect("outgoing-detail", pk=document.pk)
    return _draft_form_page(request, form, document)


@person_required
def outgoing_detail(request, person, pk):
    document = get_document(person, pk)
    own_agency = document.agency_id == person.agency_id
    deliveries = document.deliveries.select_related("recipient", "contact").prefetch_related(
        Prefetch("trail", queryset=DeliveryStatus.objects.order_by("at", "id"))).order_by("recipient__name",
                                                                                         "contact__name")
    my_item = None
    if not own_agency:  # a recipient sees its own row only, and its incoming item
        deliveries = deliveries.filter(recipient_id=person.agency_id)
        my_item = IncomingItem.objects.filter(document=document, agency_id=person.agency_id).first()
    deliveries = list(deliveries)
    mails = mail_selectors.mail_for_deliveries([d.pk for d in deliveries if d.channel == "email"])
    for delivery in deliveries:  # e-mail channel (issue 5): the message's state beside the trail
        delivery.mail = mails.get(delivery.pk)
    files = document.files.select_related("blob", "added_by").order_by("added_at", "id")
    files = views_signing.annotate_files(document, files)  # signing (issue 3): f.signing per file
    actions = allowed_actions(person, document)
    return render(request, "web/outgoing/detail.html", {
        **views_signing.outgoing_context(person, document, actions),  # signing (issue 3)
        "document": document, "own_agency": own_agency, "deliveries": deliveries, "my_item": my_item,
        "files": files, "recipients": document.recipients.order_by("name"), "contacts": document.contacts.all(),
        "actions": actions, "upload_form": UploadForm(),
        "issued_date_text": decree_date(document.issued_at) if document.issued_at else "",
    })


@require_POST
@sensitive_post_parameters("passphrase", "pin")  # signing (issue 3)
@person_required
def outgoing_action(request, person, pk, action):
    if action not in ACTIONS:
        raise Http404()
    document = get_document(person, pk)
    try:
        if action == "submit":
            outgoing.submit(person, document)
            messages.success(request, _("Đã trình dự thảo để lãnh đạo duyệt."))
        elif action == "approve":
            try:  # signing (issue 3): passphrase/PIN and, when picked on the preview, the position
                outgoing.approve(person, document, **views_signing.approve_args(request, document))
            except PositionRequired as exc:
                messages.warning(request, error_text(exc))
                return redirect("signing-place", pk=document.pk)
            messages.success(request, _("Đã duyệt văn bản; văn thư sẽ cấp số và phát hành."))
        elif action == "return":
            outgoing.return_(person, document, request.POST.get("reason", ""))
            messages.success(request, _("Đã trả lại dự thảo cho người soạn thảo."))
        elif action == "issue":
            document = outgoing.issue(person, document, **views_signing.secret_args(request))  # signing
            messages.success(request, _("Đã phát hành văn bản số %(notation)s") % {"notation": document.notation})
        elif action == "revoke":
            outgoing.revoke(person, document, request.POST.get("reason", ""))
            messages.success(request, _("Đã gửi yêu cầu thu hồi văn bản tới các nơi nhận."))
        elif action == "upload":
            form = UploadForm(request.POST, request.FILES)
            if not form.is_valid():
                for errors in form.errors.values():
                    for message in errors:
                        messages.error(request, message)
                return redirect("outgoing-detail", pk=document.pk)
            upload = form.cleaned_data["file"]
            attached = documents.add_file(person, document, upload.name, upload, form.cleaned_data["role"])
            messages.success(request, _("Đã tải lên tệp %(name)s.") % {"name": attached.name})
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    return redirect("outgoing-detail", pk=document.pk)


@person_required
def document_file(request, person, pk, file_pk):
    document = get_document(person, pk)
    try:
        attached = documents.get_file(document, file_pk)
        handle = storage.open_blob(attached.blob)
    except (NotFound, FileNotFoundError):
        raise Http404(_("Không tìm thấy tệp."))
    inline = request.GET.get("xem") is not None and attached.content_type == documents.PDF
    return FileResponse(handle, as_attachment=not inline, filename=attached.name,
                        content_type=attached.content_type)
