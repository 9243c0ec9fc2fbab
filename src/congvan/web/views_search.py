"""Search results (tìm kiếm) and the digitisation page (số hóa): thin views over congvan.search.service,
congvan.archive.selectors and congvan.archive.services."""

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congvan.archive import selectors as archive_selectors
from congvan.archive import services as archive
from congvan.directory.models import Agency
from congvan.documents import storage
from congvan.documents.services import document_types_for
from congvan.errors import ServiceError
from congvan.search import service
from congvan.web.forms_incoming import BootstrapMixin, DateInput
from congvan.web.views.common import error_text, person_required


class SearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Từ khóa"), required=False, max_length=500,
                        widget=forms.TextInput(attrs={"placeholder": gettext_lazy('ví dụ: văn bản điện tử, "Đắk Lắk"'),
                                                      "type": "search"}))
    agency = forms.ChoiceField(label=gettext_lazy("Cơ quan ban hành"), required=False)
    type = forms.ChoiceField(label=gettext_lazy("Loại văn bản"), required=False)
    direction = forms.ChoiceField(label=gettext_lazy("Văn bản"), required=False, choices=[
        ("", gettext_lazy("Đi và đến")), ("outgoing", gettext_lazy("Văn bản đi")),
        ("incoming", gettext_lazy("Văn bản đến"))])
    date_from = forms.DateField(label=gettext_lazy("Từ ngày"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("Đến ngày"), required=False, widget=DateInput)
    notation = forms.CharField(label=gettext_lazy("Số, ký hiệu"), required=False, max_length=60)
    signer = forms.CharField(label=gettext_lazy("Người ký"), required=False, max_length=120)
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=[
        (service.RELEVANCE, gettext_lazy("Liên quan nhất")), (service.NEWEST, gettext_lazy("Mới nhất"))])

    def __init__(self, person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("Tất cả"))] + [
            (a.code, a.name) for a in Agency.objects.filter(is_active=True).order_by("name")]
        self.fields["type"].choices = [("", _("Tất cả"))] + [
            (t.code, _(t.name)) for t in document_types_for(person.agency).order_by("name")]


@person_required
def search_page(request, person):
    form = SearchForm(person, request.GET or None)
    results, error = None, ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = service.Filters(agency=data["agency"], doc_type=data["type"], direction=data["direction"],
                                  date_from=data["date_from"], date_to=data["date_to"], notation=data["notation"],
                                  signer=data["signer"])
        try:
            page = int(request.GET.get("page") or 1)
        except ValueError:
            page = 1
        try:
            results = service.search(person, data["q"], filters, sort=data["sort"] or service.RELEVANCE,
                                     page=page, per_page=20)
        except ServiceError as exc:
            error = error_text(exc)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "web/search/results.html", {
        "form": form, "results": results, "error": error, "query": params.urlencode(),
        "advanced": any(request.GET.get(k) for k in ("agency", "type", "direction", "date_from", "date_to",
                                                     "notation", "signer")),
    })


@person_required
def digitisation(request, person):
    jobs = archive_selectors.ocr_jobs(person)
    state = request.GET.get("state", "")
    listed = jobs.filter(state=state) if state in archive.OcrJob.State.values else \
        jobs.exclude(state=archive.OcrJob.State.DONE)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return render(request, "web/archive/digitisation.html", {
        "counts": archive_selectors.ocr_counts(jobs), "jobs": listed.order_by("-created_at")[:200], "state": state,
        "states": archive.OcrJob.State.choices, "shares": archive_selectors.scan_shares(person, year), "year": year,
        "limit_percent": int(archive_selectors.SCAN_LIMIT * 100),
        "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
    })


@person_required
def ocr_retry(request, person, pk):
    if request.method != "POST":
        return redirect("digitisation")
    try:
        job = archive_selectors.get_job(person, pk)
        archive.retry_ocr(person, job)
        messages.success(request, _("Đã đưa tệp %(name)s vào hàng đợi nhận dạng lại.") % {"name": job.file.name})
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    return redirect(request.POST.get("next") or "digitisation")


@person_required
def ocr_download(request, person, pk):
    try:
        job = archive_selectors.get_job(person, pk)
    except ServiceError:
        raise Http404
    if job.output_id is None:
        raise Http404
    name = job.file.name.rsplit(".", 1)[0] + " (OCR).pdf"
    return FileResponse(storage.open_blob(job.output), as_attachment=True, filename=name,
                        content_type="application/pdf")
