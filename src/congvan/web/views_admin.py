"""Quản trị: the agency administrator's pages (document types, registers) and the province operator's
working calendar. Services check the rights again; these views only decide which page to show."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.directory.models import Person, Role
from congvan.documents import catalog
from congvan.documents import services as documents
from congvan.errors import NotFound, ServiceError
from congvan.web.forms_admin import CalendarDayForm, DocumentTypeForm, RegisterForm
from congvan.web.views.common import form_errors, year_param
from congvan.web.views_incoming import acting_person
from congvan.workflow import calendar_admin, selectors


def _admin(request) -> Person:
    person = acting_person(request)
    if not (person.has_role(Role.ADMIN) or person.is_operator):
        raise PermissionDenied(_("Chỉ quản trị của cơ quan được vào trang này."))
    return person


def _operator(request) -> Person:
    person = acting_person(request)
    if not person.is_operator:
        raise PermissionDenied(_("Chỉ quản trị toàn tỉnh được vào trang này."))
    return person


@login_required
def admin_home(request):
    person = _admin(request)
    return render(request, "web/admin/home.html", {
        "type_count": catalog.document_types(person).filter(agency_id=person.agency_id).count(),
        "register_count": catalog.agency_registers(person, timezone.localdate().year).count(),
        "site_admin": person.is_operator or request.user.is_staff,
        "active_tab": "home",
    })


@login_required
def admin_doctypes(request):
    person = _admin(request)
    editing = None
    if request.method == "POST":
        form = DocumentTypeForm(request.POST)
        if form.is_valid():
            try:
                saved = documents.save_document_type(person, **form.cleaned_data)
            except ServiceError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Đã lưu loại văn bản %(name)s.") % {"name": saved.name})
                return redirect("admin-doctypes")
        else:
            messages.error(request, form_errors(form))
    else:
        edit_pk = request.GET.get("sua")
        if edit_pk:
            try:
                editing = catalog.own_document_type(person, edit_pk)
            except NotFound:
                raise Http404()
            form = DocumentTypeForm(initial={
                "code": editing.code, "name": editing.name, "abbreviation": editing.abbreviation,
                "is_normative": editing.is_normative, "is_active": editing.is_active})
            form.fields["code"].widget.attrs["readonly"] = True
        else:
            form = DocumentTypeForm()
    return render(request, "web/admin/doctypes.html", {
        "types": catalog.document_types(person), "form": form, "editing": editing, "active_tab": "doctypes",
    })


@login_required
def admin_registers(request):
    person = _admin(request)
    doc_types = catalog.document_types(person).filter(is_active=True)
    if request.method == "POST":
        form = RegisterForm(doc_types, request.POST)
        if form.is_valid():
            try:
                saved = documents.save_register(person, **form.cleaned_data)
            except ServiceError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Đã lưu sổ %(name)s năm %(year)s.") % {"name": saved.name,
                                                                                  "year": saved.year})
                return redirect("admin-registers")
        else:
            messages.error(request, form_errors(form))
    else:
        form = RegisterForm(doc_types)
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else None
    return render(request, "web/admin/registers.html", {
        "registers": catalog.agency_registers(person, year), "form": form, "year": year,
        "active_tab": "registers",
    })


@login_required
def admin_calendar(request):
    person = _operator(request)
    year = year_param(request.GET.get("year"), timezone.localdate().year)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            try:
                calendar_admin.delete_day(person, request.POST.get("pk"))
            except ServiceError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Đã xóa ngày khỏi lịch làm việc."))
            return redirect(f"{request.path}?year={year}")
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = calendar_admin.add_day(person, day=data["date"], kind=data["kind"], name=data["name"])
            except ServiceError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Đã thêm %(kind)s %(day)s.") % {
                    "kind": row.get_kind_display().lower(), "day": row.date.strftime("%d/%m/%Y")})
                return redirect(f"{request.path}?year={row.date.year}")
        else:
            messages.error(request, form_errors(form))
    else:
        form = CalendarDayForm()
    calendar = selectors.working_calendar()
    return render(request, "web/admin/calendar.html", {
        "days": calendar_admin.days_of_year(year), "form": form, "year": year,
        "years": [year - 1, year, year + 1],
        "working_days": calendar.working_days_between(date(year - 1, 12, 31), date(year, 12, 31)),
        "active_tab": "calendar",
    })
