"""Báo cáo: the dashboards, the rows behind a figure, the downloads, and the operator's targets and
assumptions. Thin views: selectors and services decide what each person may see or change."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from congvan.directory.models import Person
from congvan.documents import storage
from congvan.errors import Forbidden, NotFound, ServiceError
from congvan.reports import data, drilldown, exports, selectors, services, summary
from congvan.reports.forms import FilterForm, SettingsForm, TargetForm
from congvan.reports.indicators import INDICATORS
from congvan.reports.models import ReportSettings
from congvan.reports.relations import submission_agencies
from congvan.web.views.common import forbidden, form_errors, person_required, year_param

FILTER_FIELDS = ("scope", "year", "quarter", "month", "start", "end")


def _filters(request, person: Person):
    """(scope, period, the filter's query parameters, the form) from the query string.

    The scope is checked first (a leader asking for another agency is refused, not redirected); a period
    that cannot be read falls back to this year with a message."""
    scope = selectors.resolve_scope(person, request.GET.get("scope") or None)
    choices = selectors.scope_choices(person)
    query = request.GET.copy()
    query["scope"] = scope.key
    form = FilterForm(choices, query)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        form = FilterForm(choices, {"scope": scope.key})
        form.is_valid()
    period = form.period()
    params = {f: str(form.cleaned_data[f]) for f in FILTER_FIELDS if form.cleaned_data.get(f)}
    params["scope"] = scope.key
    if not request.GET.get("year") and not form.cleaned_data.get("start"):
        form = FilterForm(choices, {**params, "year": str(period.start.year)})
        form.is_valid()
    return scope, period, params, form


def _viewer(view):
    """Only the province operator and agencies' leaders; a refusal is a page, not an error."""
    @person_required
    def wrapper(request, person, *args, **kwargs):
        if not selectors.can_view(person):
            return forbidden(request, _("Chỉ quản trị toàn tỉnh và lãnh đạo cơ quan được xem báo cáo."))
        try:
            return view(request, person, *args, **kwargs)
        except Forbidden as exc:
            return forbidden(request, str(exc.message))
        except NotFound as exc:
            raise Http404(str(exc.message))
    wrapper.__name__ = view.__name__
    return wrapper


def _operator_only(view):
    @_viewer
    def wrapper(request, person, *args, **kwargs):
        if not selectors.is_operator(person):
            return forbidden(request, _("Chỉ quản trị toàn tỉnh được vào trang này."))
        return view(request, person, *args, **kwargs)
    wrapper.__name__ = view.__name__
    return wrapper


@require_GET
@_viewer
def dashboard(request, person):
    scope, period, params, form = _filters(request, person)
    report = data.build(scope, period)
    return render(request, "reports/dashboard.html", {
        "report": report, "form": form, "filter_params": params, "is_operator": selectors.is_operator(person),
        "pending_days": summary.pending(), "tab": "dashboard", "form_labels": data.form_labels(),
        "ranking_titles": [INDICATORS[k].title for k in data.RANKING_INDICATORS],
    })


@require_GET
@_viewer
def drill(request, person):
    scope, period, params, _form = _filters(request, person)
    measure = request.GET.get("m", "")
    dims = [d for d in request.GET.get("d", "").split(",") if d]
    result = drilldown.page(person, scope, period, measure, dims, request.GET.get("page"))
    query = {**params, "m": measure, **({"d": ",".join(dims)} if dims else {})}
    return render(request, "reports/drill.html", {
        "drill": result, "scope": scope, "period_label": data.period_label(period), "filter_params": params,
        "query": urlencode(query), "back": urlencode(params), "tab": "dashboard",
    })


@require_GET
@_viewer
def download(request, person, fmt: str):
    """The report of the page's scope and period as a file: an official document, so in Vietnamese
    whatever the language of the interface."""
    scope, period, _params, _form = _filters(request, person)
    with translation.override("vi"):
        report = data.build(scope, period, chart_font=exports.PDF_FONT)
        if fmt == "pdf":
            content, content_type = exports.render_pdf(report), "application/pdf"
        else:
            content, content_type = exports.render_xlsx(report), exports.XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(report, fmt)}"'
    return response


@_operator_only
def targets(request, person):
    today = timezone.localdate()
    year = year_param(request.GET.get("year") or request.POST.get("year"), today.year)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            try:
                services.delete_target(person, request.POST.get("pk", ""))
            except ServiceError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Đã xóa chỉ tiêu."))
            return redirect(f"{request.path}?year={year}")
        form = TargetForm(request.POST)
        if form.is_valid():
            try:
                saved = services.save_target(person, **form.cleaned_data)
            except ServiceError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Đã lưu chỉ tiêu năm %(year)s: %(name)s.") % {
                    "year": saved.year, "name": INDICATORS[saved.indicator].title})
                return redirect(f"{request.path}?year={saved.year}")
        else:
            messages.error(request, form_errors(form))
    else:
        form = TargetForm(initial={"year": year})
    rows = list(selectors.targets_of_year(year))
    for row in rows:
        row.indicator_obj = INDICATORS.get(row.indicator)
    years = sorted(set(selectors.target_years()) | {today.year, today.year + 1, year}, reverse=True)
    return render(request, "reports/targets.html", {
        "targets": rows, "form": form, "year": year, "years": years, "tab": "targets",
        "group_labels": selectors.GROUP_LABELS,
    })


@_operator_only
def report_settings(request, person):
    current = ReportSettings.current()
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.update_settings(person, **form.cleaned_data)
            except ServiceError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Đã lưu thiết lập báo cáo."))
                return redirect("reports-settings")
        else:
            messages.error(request, form_errors(form))
    else:
        form = SettingsForm(initial={
            "paper_cost_per_page": current.paper_cost_per_page, "postage_per_document": current.postage_per_document,
            "postal_days": current.postal_days, "default_pages": current.default_pages,
            "directive": current.directive, "submission_agencies": list(current.submission_agencies.all())})
    return render(request, "reports/settings.html", {
        "form": form, "settings_row": current, "submission_now": submission_agencies(), "tab": "settings",
    })


@require_GET
@_viewer
def stored(request, person):
    return render(request, "reports/stored.html", {"reports": selectors.stored_reports(person), "tab": "stored"})


@require_GET
@_viewer
def stored_file(request, person, pk: int, fmt: str):
    report = selectors.stored_reports(person).filter(pk=pk).first()
    if report is None:
        raise Http404()
    blob = report.pdf if fmt == "pdf" else report.xlsx
    try:
        content = storage.read_verified(blob)
    except (FileNotFoundError, storage.BlobCorrupted):
        raise Http404(_("Tệp báo cáo không còn trong kho lưu trữ."))
    name = f"du-thao-bao-cao-{report.year}-{report.agency.slug if report.agency else 'toan-tinh'}.{fmt}"
    response = HttpResponse(content, content_type="application/pdf" if fmt == "pdf" else exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
