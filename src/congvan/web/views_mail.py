"""Thư đến (the agency's mail) and the mailbox-check compliance page. Opening the list or a message
counts as a check of the agency's mailbox by a clerk (docs/mail.md, "Compliance")."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from congvan.directory.models import Agency, Role
from congvan.documents import storage
from congvan.documents.services import document_types_for
from congvan.errors import NotFound, ServiceError
from congvan.mail import compliance, selectors, services
from congvan.web.forms_mail import ConvertForm, DismissForm, IntakeFilterForm
from congvan.web.views.common import error_text, paginate
from congvan.web.views_incoming import acting_person


def _reader(request):
    person = acting_person(request)
    if not selectors.can_see_intake(person):
        raise PermissionDenied(_("Chỉ văn thư, lãnh đạo, quản trị của cơ quan xem được thư đến của cơ quan."))
    return person


def _item(person, pk):
    try:
        return selectors.get_item(person, pk)
    except NotFound:
        raise Http404(_("Không tìm thấy thư."))


@login_required
def intake_list(request):
    person = _reader(request)
    services.record_check(person)
    form = IntakeFilterForm(request.GET or None, initial={"state": "open"})
    filters = form.cleaned_data if form.is_valid() else {"state": "open", "q": ""}
    rows = selectors.intake(person, state=filters.get("state") if request.GET else "open",
                            q=(filters.get("q") or "").strip()).prefetch_related("attachments")
    page, query = paginate(request, rows)
    checks = selectors.signatures([a for item in page for a in item.attachments.all()])
    for item in page:
        item.signature_states = [checks.get(a.blob_id, {}).get("state") for a in item.attachments.all()]
    return render(request, "web/mail/intake_list.html", {"form": form, "page": page, "query": query})


def _doc_types(person):
    seen, types = set(), []
    for doc_type in document_types_for(person.agency).filter(agency__isnull=True).order_by("name"):
        if doc_type.code not in seen:
            seen.add(doc_type.code)
            types.append((doc_type.code, gettext(doc_type.name)))
    return sorted(types, key=lambda choice: (choice[0] != "CV", str(choice[1])))


def _convert_initial(item) -> dict:
    pdf = next((a for a in item.attachments.all() if a.blob_id and not a.refused and a.is_pdf and not a.inline), None)
    sender = services.sender_agency(item)
    return {"subject": item.subject, "doc_type": "CV", "notation": services.guess_notation(item.subject),
            "issued_on": timezone.localtime(item.sent_at).date() if item.sent_at else None,
            "sender": sender, "sender_name": "" if sender else (item.from_name or item.from_address),
            "main": pdf.pk if pdf else None}


@login_required
def intake_detail(request, pk):
    person = _reader(request)
    services.record_check(person)
    item = _item(person, pk)
    if request.method == "POST":
        return _act(request, person, item)
    convert_form = ConvertForm(item, _doc_types(person), initial=_convert_initial(item))
    return _detail(request, person, item, convert_form, DismissForm())


def _detail(request, person, item, convert_form, dismiss_form, status=200):
    attachments = list(item.attachments.all())
    checks = selectors.signatures(attachments)
    for attachment in attachments:
        attachment.signature = checks.get(attachment.blob_id)
    return render(request, "web/mail/intake_detail.html", {
        "item": item, "attachments": attachments, "convert_form": convert_form, "dismiss_form": dismiss_form,
        "can_handle": item.is_open and item.agency_id == person.agency_id and person.has_role(Role.CLERK),
    }, status=status)


def _act(request, person, item):
    action = request.POST.get("action")
    convert_form = ConvertForm(item, _doc_types(person), request.POST if action == "convert" else None,
                               initial=_convert_initial(item))
    dismiss_form = DismissForm(request.POST if action == "dismiss" else None)
    try:
        if action == "convert" and convert_form.is_valid():
            data = convert_form.cleaned_data
            received = services.convert(
                person, item, subject=data["subject"], doc_type=data["doc_type"], notation=data["notation"],
                issued_on=data["issued_on"], sender=data["sender"], sender_name=data["sender_name"],
                due_date=data["due_date"], main=data["main"], signature_confirmed=data["signature_confirmed"])
            messages.success(request, _("Đã vào sổ văn bản đến, số đến %(number)s.") % {
                "number": received.arrival_number})
            return redirect("incoming-detail", pk=received.pk)
        if action == "dismiss" and dismiss_form.is_valid():
            services.dismiss(person, item, dismiss_form.cleaned_data["reason"])
            messages.success(request, _("Đã loại bỏ thư."))
            return redirect("intake-list")
    except ServiceError as exc:
        (convert_form if action == "convert" else dismiss_form).add_error(None, error_text(exc))
        if exc.code == "signature_not_confirmed":
            convert_form.needs_confirmation = True
    item = _item(person, item.pk)
    return _detail(request, person, item, convert_form, dismiss_form, status=400)


@login_required
def intake_attachment(request, pk, attachment_pk):
    person = _reader(request)
    item = _item(person, pk)
    attachment = item.attachments.filter(pk=attachment_pk, blob__isnull=False).first()
    if attachment is None:
        raise Http404(_("Không có tệp này hoặc tệp đã bị từ chối."))
    inline = "xem" in request.GET and attachment.is_pdf
    return FileResponse(storage.open_blob(attachment.blob), as_attachment=not inline, filename=attachment.name,
                        content_type="application/pdf" if inline else "application/octet-stream")


@login_required
def intake_raw(request, pk):
    """The message exactly as received (.eml), for the operator or a clerk to inspect."""
    person = _reader(request)
    item = _item(person, pk)
    if not item.raw_id:
        raise Http404()
    return FileResponse(storage.open_blob(item.raw), as_attachment=True, filename=f"thu-{item.pk}.eml",
                        content_type="message/rfc822")


def rule_text(rule: compliance.Rule) -> str:
    """The rule in words, for the compliance and mail pages."""
    if rule.windows:
        spans = ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in rule.windows)
        return _("mỗi ngày làm việc kiểm tra hộp thư ít nhất một lần trong mỗi khung giờ: %(spans)s") % {
            "spans": spans}
    return _("mỗi ngày làm việc kiểm tra hộp thư ít nhất %(count)d lần") % {"count": rule.count}


@login_required
def compliance_page(request):
    """Per agency and day: the checks of the agency's mailbox and whether the province's rule was met."""
    person = acting_person(request)
    if not (person.is_operator or person.roles() & {Role.CLERK, Role.LEADER, Role.ADMIN}):
        raise PermissionDenied(_("Chỉ văn thư, lãnh đạo, quản trị xem được tình hình kiểm tra hộp thư."))
    agency = person.agency
    if person.is_operator and request.GET.get("agency"):
        agency = Agency.objects.filter(code=request.GET["agency"], is_local=True).first() or agency
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET.get("ngay", "")) if request.GET.get("ngay") else today
    except ValueError:
        day = today
    rule = selectors.rule()
    days = selectors.compliance_days(agency, today - timedelta(days=29), today)
    worked = [d for d in days if d.working and d.day <= today]
    return render(request, "web/mail/compliance.html", {
        "agency": agency, "days": days, "rule_text": rule_text(rule), "rule": rule, "today": today,
        "met_count": sum(1 for d in worked if d.met), "working_count": len(worked),
        "overview": selectors.compliance_overview(day) if person.is_operator else None, "day": day,
        "agencies": Agency.objects.filter(is_local=True, is_active=True).order_by("name") if person.is_operator
        else [],
    })
