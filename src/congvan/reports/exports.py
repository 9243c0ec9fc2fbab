"""The report as files: PDF (WeasyPrint, Decree 30 layout, Times New Roman → Tinos) and xlsx (openpyxl,
one sheet per table, numbers as numbers, shares as percentages).

Both render a ``ReportData`` (congvan.reports.data), so they show what the dashboard shows."""

import io
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.directory.models import Agency, Person, Role
from congvan.reports.data import RANKING_INDICATORS, ReportData, form_labels
from congvan.reports.heading import date_line, heading_lines, without_province
from congvan.reports.indicators import COUNT, DAYS, INDICATORS, MONEY, PAGES, PERCENT

PDF_FONT = "'Times New Roman', Tinos, 'Liberation Serif', serif"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Letterhead:
    """Who issues the report and to whom (the heading, the date line, "Nơi nhận", the signature)."""

    upper: str
    issuer: str
    short_name: str
    place_date: str
    recipients: list[str]
    signer_title: str
    signer_name: str
    title: str
    subtitle: str
    subject: str  # who the report speaks of, inside a sentence


def operator_agency() -> Agency | None:
    person = Person.objects.filter(is_operator=True).select_related("agency").order_by("pk").first()
    return person.agency if person else None


def letterhead(report: ReportData, on: date) -> Letterhead:
    province = settings.PROVINCE_NAME
    operator = operator_agency()
    agency = report.scope.agency
    issuer = agency or operator or Agency.objects.filter(is_local=True, level=Agency.Level.PROVINCE).first()
    parent = issuer.parent.name if issuer and issuer.parent_id else None
    upper, name = heading_lines(issuer.name, parent, province) if issuer else ("", "")
    leader = (Person.objects.filter(agency=issuer, role_grants__role=Role.LEADER).order_by("pk").first()
              if issuer else None)
    if agency is not None:
        recipients = [_("UBND tỉnh (b/c)")]
        if operator is not None and operator.pk != agency.pk:
            recipients.append(_("%(name)s (tổng hợp)") % {"name": without_province(operator.name, province)})
        title = _("Kết quả sử dụng văn bản điện tử — %(period)s") % {"period": report.period_label}
        subject = agency.name
    else:
        recipients = [_("Bộ Khoa học và Công nghệ (b/c)"), _("UBND tỉnh (b/c)"),
                      _("Các sở, ban, ngành; UBND các xã, phường")]
        title = _("Tổng hợp tình hình sử dụng văn bản điện tử của các cơ quan nhà nước trên địa bàn tỉnh — "
                  "%(period)s") % {"period": report.period_label}
        subject = _("các cơ quan nhà nước trên địa bàn tỉnh")
        if report.scope.group:
            title += f" ({report.scope.label})"
            subject = report.scope.label.lower()
    recipients.append(_("Lưu: VT."))
    return Letterhead(
        upper=upper, issuer=name, short_name=issuer.short_name if issuer else "",
        place_date=date_line((issuer.place if issuer and issuer.place else province), on),
        recipients=recipients, signer_title=(leader.position.upper() if leader and leader.position else ""),
        signer_name=leader.full_name if leader else "", title=title,
        subtitle=_("(Thực hiện %(directive)s)") % {"directive": report.settings.directive}
        if report.settings.directive else "", subject=subject)


def render_pdf(report: ReportData, *, draft: bool = False, on: date | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/pdf/report.html", {
        "report": report, "head": letterhead(report, on or timezone.localdate()), "draft": draft,
        "form_labels": form_labels(), "units": UNIT_SUFFIX, "ranking_keys": RANKING_INDICATORS,
        "ranking_titles": [INDICATORS[k].title for k in RANKING_INDICATORS],
    })
    return HTML(string=html, base_url=str(settings.STATIC_ROOT)).write_pdf()


UNIT_SUFFIX = {PERCENT: "%", COUNT: "", DAYS: "", MONEY: " đ", PAGES: ""}
NUMBER_FORMATS = {PERCENT: "0.0%", COUNT: "#,##0", DAYS: "#,##0.0", MONEY: "#,##0", PAGES: "#,##0"}


def _unit_name(unit: str) -> str:
    return {PERCENT: "%", COUNT: _("văn bản"), DAYS: _("ngày"), MONEY: _("đồng"), PAGES: _("trang")}[unit]


def _cell_value(unit: str, value):
    if value is None:
        return None
    return value / 100.0 if unit == PERCENT else value


def render_xlsx(report: ReportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")

    def sheet(title: str, header: list[str], widths: list[int]):
        ws = book.create_sheet(title[:31])
        ws.append(header)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
            ws.cell(row=1, column=i).font = bold
            ws.cell(row=1, column=i).fill = fill
            ws.cell(row=1, column=i).alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        return ws

    info = book.active
    info.title = _("Thông tin báo cáo")[:31]
    s = report.settings
    for row in [(_("Phạm vi"), report.scope.label), (_("Kỳ báo cáo"), report.period_label),
                (_("Từ ngày"), report.period.start), (_("Đến ngày"), report.period.end),
                (_("Lập lúc"), timezone.localtime(report.generated_at).replace(tzinfo=None)),
                (_("Chi phí in, giấy một trang (đồng)"), s.paper_cost_per_page),
                (_("Cước chuyển phát một văn bản giấy (đồng)"), s.postage_per_document),
                (_("Số ngày chuyển phát một văn bản giấy"), float(s.postal_days)),
                (_("Số trang mặc định của một văn bản"), s.default_pages)]:
        info.append(list(row))
    for cell in ("B3", "B4"):
        info[cell].number_format = "DD/MM/YYYY"
    info["B5"].number_format = "DD/MM/YYYY HH:MM"
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 42, 60

    ws = sheet(_("Chỉ số và chỉ tiêu"), [_("STT"), _("Chỉ số"), _("Kết quả"), _("Đơn vị"), _("Tử số"),
                                          _("Mẫu số"), _("Chỉ tiêu"), _("So sánh"), _("Đánh giá"), _("Định nghĩa")],
               [6, 48, 12, 10, 10, 10, 10, 9, 16, 80])
    for n, row in enumerate(report.rows, start=1):
        ind, result = row.indicator, row.result
        verdict = "" if row.met is None else (_("Đạt") if row.met else _("Chưa đạt"))
        ws.append([n, str(ind.title), _cell_value(ind.unit, result.value), _unit_name(ind.unit),
                   result.numerator.value if result.numerator else None,
                   result.denominator.value if result.denominator else None,
                   _cell_value(ind.unit, float(row.target)) if row.target is not None else None,
                   ind.comparison if row.target is not None else "", verdict, str(ind.help)])
        for col in ("C", "G"):
            ws[f"{col}{ws.max_row}"].number_format = NUMBER_FORMATS[ind.unit]
        ws[f"J{ws.max_row}"].alignment = Alignment(wrap_text=True, vertical="top")

    labels = form_labels()
    ws = sheet(_("Theo quan hệ trao đổi"), [_("Quan hệ trao đổi"), _("Tổng số văn bản"), labels["electronic"],
                                             labels["hybrid"], labels["paper"], _("Tỷ lệ điện tử hoàn toàn"),
                                             _("Tỷ lệ có bản điện tử")], [40, 14, 14, 16, 12, 16, 16])
    for r in report.relations:
        total, e, h, p = (c[0] for c in r.cells)
        ws.append([r.label, total, e, h, p, e / total if total else None, (e + h) / total if total else None])
        ws[f"F{ws.max_row}"].number_format = ws[f"G{ws.max_row}"].number_format = "0.0%"

    ws = sheet(_("Theo kênh gửi nhận"), [_("Kênh"), _("Lần gửi đi"), _("Lần nhận đến")], [28, 14, 14])
    for r in report.channels:
        ws.append([r.label, r.cells[0][0], r.cells[1][0]])

    ws = sheet(_("Theo hình thức"), [_("Hình thức"), _("Văn bản phát hành"), _("Lần nhận đến")], [28, 18, 14])
    for issued, received in zip(report.issued_forms, report.received_forms, strict=True):
        ws.append([issued.label, issued.cells[0][0], received.cells[0][0]])

    ws = sheet(_("Theo tháng"), [_("Tháng"), _("Văn bản phát hành"), labels["electronic"], labels["hybrid"],
                                 labels["paper"], _("Lần nhận đến"), _("Tỷ lệ điện tử hoàn toàn"),
                                 _("Tỷ lệ điện tử kèm giấy")], [10, 16, 12, 16, 10, 14, 16, 16])
    for m in report.months:
        ws.append([m.month, m.issued, m.electronic, m.hybrid, m.paper, m.received,
                   _cell_value(PERCENT, m.electronic_share), _cell_value(PERCENT, m.hybrid_share)])
        ws[f"A{ws.max_row}"].number_format = "MM/YYYY"
        ws[f"G{ws.max_row}"].number_format = ws[f"H{ws.max_row}"].number_format = "0.0%"

    if report.ranking:
        titles = [str(INDICATORS[k].title) for k in RANKING_INDICATORS]
        ws = sheet(_("Theo cơ quan"), [_("Hạng"), _("Cơ quan"), _("Mã định danh"), _("Văn bản phát hành"),
                                       _("Có hoạt động"), *titles], [6, 44, 16, 12, 10] + [16] * len(titles))
        for n, r in enumerate(report.ranking, start=1):
            values = [_cell_value(INDICATORS[k].unit, r.values[k]) for k in RANKING_INDICATORS]
            ws.append([n, r.agency.name, r.agency.code, r.issued, _("Có") if r.active else _("Không"), *values])
            for k, key in enumerate(RANKING_INDICATORS):
                ws.cell(row=ws.max_row, column=6 + k).number_format = NUMBER_FORMATS[INDICATORS[key].unit]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(report: ReportData, extension: str) -> str:
    scope = report.scope.agency.slug if report.scope.agency else report.scope.key.replace(":", "-")
    p = report.period
    if p.kind == "year":
        when = str(p.year)
    elif p.kind == "quarter":
        when = f"{p.year}-q{p.number}"
    elif p.kind == "month":
        when = f"{p.year}-{p.number:02d}"
    else:
        when = f"{p.start:%Y%m%d}-{p.end:%Y%m%d}"
    return f"bao-cao-vbdt-{scope}-{when}.{extension}"

