"""Mailboxes: one's own (mail password, notification by mail), the agency's (its mailboxes, requests to the
province operator, IMAP sources), the operator's decisions and mail page, and the public address book."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from congvan.directory.models import Person, Role
from congvan.errors import ServiceError
from congvan.mail import dkim, exports, provisioning, selectors, services
from congvan.mail.models import DkimKey, ImapAccount, MailboxRequest, MailPreference, OutgoingMail
from congvan.web.forms_mail import CheckRuleForm, ImapForm, MailboxRequestForm, PasswordForm, PreferenceForm
from congvan.web.views.common import error_text
from congvan.web.views_admin import _operator
from congvan.web.views_incoming import acting_person
from congvan.web.views_mail import rule_text


def _form_error(form, exc) -> None:
    form.add_error(None, error_text(exc))


@sensitive_post_parameters("password", "confirm")
@login_required
def my_mail(request):
    person = acting_person(request)
    mailbox = selectors.own_mailbox(person)
    preference = MailPreference.objects.filter(person=person).first()
    password_form = PasswordForm(request.POST if request.POST.get("action") == "password" else None)
    preference_form = PreferenceForm(request.POST if request.POST.get("action") == "preference" else None,
                                     initial={"notify_by_mail": bool(preference and preference.notify_by_mail)})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "password" and mailbox and password_form.is_valid():
                services.set_password(person, mailbox, password_form.cleaned_data["password"],
                                      password_form.cleaned_data["confirm"])
                messages.success(request, _("Đã đặt mật khẩu thư điện tử; máy chủ thư nhận mật khẩu mới trong "
                                            "giây lát."))
                return redirect("mail-mine")
            if request.POST.get("action") == "preference" and preference_form.is_valid():
                services.set_preference(person, preference_form.cleaned_data["notify_by_mail"])
                messages.success(request, _("Đã lưu lựa chọn nhận thông báo."))
                return redirect("mail-mine")
        except ServiceError as exc:
            _form_error(password_form, exc)
    return render(request, "web/mail/mine.html", {
        "mailbox": mailbox, "password_form": password_form, "preference_form": preference_form,
        "hostname": settings.MAIL_HOSTNAME})


def _agency_manager(request) -> Person:
    person = acting_person(request)
    if not (person.roles() & {Role.CLERK, Role.ADMIN} or person.is_operator):
        raise PermissionDenied(_("Chỉ văn thư, quản trị của cơ quan quản lý hộp thư của cơ quan."))
    return person


@sensitive_post_parameters("password", "confirm")
@login_required
def agency_mailboxes(request):
    """The agency's mailboxes; the clerk sets the agency mailbox's password, asks for mailboxes, sets IMAP."""
    person = _agency_manager(request)
    agency = person.agency
    mailboxes = list(selectors.mailboxes_of(agency))
    active = [m for m in mailboxes if m.is_active]
    without = Person.objects.filter(agency=agency).exclude(
        pk__in=[m.person_id for m in active if m.person_id]).order_by("full_name")
    action = request.POST.get("action")
    password_form = PasswordForm(request.POST if action == "password" else None)
    request_form = MailboxRequestForm(without, active, request.POST if action == "request" else None)
    accounts = list(selectors.imap_accounts(agency))
    editing = next((a for a in accounts if str(a.pk) == (request.POST.get("account") or request.GET.get("imap"))),
                   None)
    imap_form = ImapForm(request.POST if action == "imap" else None, initial=_imap_initial(editing))
    if request.method == "POST":
        try:
            if action == "password" and password_form.is_valid():
                mailbox = selectors.agency_mailbox(agency)
                if mailbox is None:
                    raise ServiceError(_("Cơ quan chưa có hộp thư công vụ."), code="no_mailbox")
                services.set_password(person, mailbox, password_form.cleaned_data["password"],
                                      password_form.cleaned_data["confirm"])
                messages.success(request, _("Đã đặt mật khẩu hộp thư của cơ quan."))
                return redirect("mail-mailboxes")
            if action == "request" and request_form.is_valid():
                data = request_form.cleaned_data
                target = next((m for m in active if m.pk == data["mailbox"]), None)
                who = Person.objects.filter(pk=data["person"], agency=agency).first() if data["person"] else None
                services.request_mailbox(person, data["kind"], person=who, mailbox=target, address=data["address"],
                                         aliases=data["aliases"], reason=data["reason"])
                messages.success(request, _("Đã gửi đề nghị tới quản trị toàn tỉnh."))
                return redirect("mail-mailboxes")
            if action == "imap" and imap_form.is_valid():
                services.save_imap_account(person, agency, account=editing, **imap_form.cleaned_data)
                messages.success(request, _("Đã lưu hộp thư IMAP; hệ thống sẽ lấy thư trong ít phút."))
                return redirect("mail-mailboxes")
        except ServiceError as exc:
            {"password": password_form, "request": request_form, "imap": imap_form}.get(action, request_form) \
                .add_error(None, error_text(exc))
    return render(request, "web/mail/mailboxes.html", {
        "agency": agency, "mailboxes": mailboxes, "agency_mailbox": selectors.agency_mailbox(agency),
        "password_form": password_form, "request_form": request_form, "imap_form": imap_form,
        "accounts": accounts, "editing": editing, "requests": selectors.requests_for(person).filter(agency=agency)[:50],
        "can_set_agency_password": bool(person.roles() & {Role.CLERK, Role.ADMIN}),
        "domains": settings.MAIL_DOMAINS,
    })


def _imap_initial(account: ImapAccount | None) -> dict:
    if account is None:
        return {"port": 993, "security": "ssl", "folder": "INBOX", "enabled": True}
    return {"host": account.host, "port": account.port, "security": account.security, "username": account.username,
            "folder": account.folder, "enabled": account.enabled}


@login_required
def mailbox_requests(request):
    """The province operator's list of requests; approve (provisioned at once by the worker) or refuse."""
    person = _operator(request)
    if request.method == "POST":
        target = get_object_or_404(MailboxRequest, pk=request.POST.get("request") or 0)
        try:
            services.decide_request(person, target, request.POST.get("decision") == "approve",
                                    request.POST.get("note", ""))
            messages.success(request, _("Đã xử lý đề nghị."))
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        return redirect("mail-requests")
    rows = selectors.requests_for(person)
    return render(request, "web/mail/requests.html", {
        "pending": rows.filter(state=MailboxRequest.State.PENDING).order_by("requested_at"),
        "decided": rows.exclude(state=MailboxRequest.State.PENDING)[:100], "active_tab": "mail"})


@login_required
def admin_mail(request):
    """The operator's view of mail: relay, provisioning, what waits or failed, quarantined mail, DKIM, IMAP."""
    person = _operator(request)
    rule_form = CheckRuleForm(initial={"kind": "gialai", "valid_from": timezone.localdate()})
    if request.method == "POST" and request.POST.get("action") == "rule":
        rule_form = CheckRuleForm(request.POST)
        if rule_form.is_valid():
            data = rule_form.cleaned_data
            try:
                services.set_check_rule(person, rule=data["rule"], valid_from=data["valid_from"], note=data["note"])
            except ServiceError as exc:
                rule_form.add_error(None, error_text(exc))
            else:
                messages.success(request, _("Đã lưu quy định kiểm tra hộp thư."))
                return redirect("admin-mail")
    elif request.method == "POST":
        mail = OutgoingMail.objects.filter(pk=request.POST.get("mail") or None).first() \
            if request.POST.get("action") == "retry" else None
        try:
            if mail is None:
                raise ServiceError(_("Không còn thư này."), code="not_found")
            services.retry(person, mail)
            messages.success(request, _("Đã đưa thư vào hàng đợi gửi lại."))
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        return redirect("admin-mail")
    summary = selectors.summary()
    return render(request, "web/mail/admin.html", {
        "summary": summary, "state": summary["provisioning"], "pending": provisioning.pending(),
        "provision_dir": settings.MAIL_PROVISION_DIR,
        "waiting": selectors.waiting(), "quarantined": selectors.quarantined(),
        "keys": [(k, dkim.dns_record(k)) for k in DkimKey.objects.all()],
        "accounts": selectors.imap_accounts(), "mailboxes": summary["mailboxes"],
        "settings": settings, "active_tab": "mail", "rule_form": rule_form,
        "rule_text": rule_text(selectors.rule()), "rules": selectors.rule_history(),
    }, status=400 if rule_form.errors else 200)


def address_book(request):
    """Public (no login): the official addresses agencies must publish (Sổ địa chỉ), with exports."""
    q = (request.GET.get("q") or "").strip()
    entries = selectors.address_book(q)
    fmt = request.GET.get("dinh-dang", "")
    if fmt in ("csv", "vcf", "ldif"):
        domain = settings.MAIL_DOMAINS[0] if settings.MAIL_DOMAINS else "localhost"
        body, content_type = {
            "csv": lambda: (exports.to_csv(entries), "text/csv; charset=utf-8"),
            "vcf": lambda: (exports.to_vcard(entries), "text/vcard; charset=utf-8"),
            "ldif": lambda: (exports.to_ldif(entries, exports.base_dn(domain)), "text/x-ldif; charset=utf-8"),
        }[fmt]()
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="so-dia-chi.{fmt}"'
        return response
    return render(request, "web/mail/address_book.html", {"entries": entries, "q": q,
                                                           "agency_count": sum(1 for e in entries if e.kind == "agency")})
