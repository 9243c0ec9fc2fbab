"""Sổ đăng ký văn bản đi / đến (Decree 30, Appendix IV): a printable page and its .xlsx export."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from congvan.documents import registers
from congvan.web.forms_incoming import RegisterBookFilterForm
from congvan.web.views_incoming import acting_person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _requested_year(value) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return None
    return year if 2000 <= year <= 2100 else None


@login_required
def register_book(request, direction):
    if direction not in registers.DIRECTIONS:
        raise Http404()
    person = acting_person(request)
    kind = registers.DIRECTIONS[direction]
    years = registers.years(person, kind)
    requested = _requested_year(request.GET.get("year"))
    if requested and requested not in years:
        years = sorted({*years, requested}, reverse=True)
    all_registers = list(registers.visible_registers(person, kind))
    form = RegisterBookFilterForm(years, all_registers, request.GET or None,
                                  initial={"year": timezone.localdate().year})
    year, register, start, end = timezone.localdate().year, None, None, None
    if form.is_valid():
        data = form.cleaned_data
        register = registers.get_register(person, kind, data["register"])
        year = register.year if register else (data["year"] or year)
        start, end = data["start"], data["end"]
    book = registers.build(person, kind, year, register=register, start=start, end=end)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(registers.to_xlsx(book), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{registers.filename(book)}"'
        return response
    query = request.GET.copy()
    query["format"] = "xlsx"
    query.setdefault("year", str(year))
    return render(request, "web/registers/book.html", {
        "book": book, "form": form, "direction": direction, "xlsx_query": query.urlencode(),
        "register": register, "start": start, "end": end,
    })
