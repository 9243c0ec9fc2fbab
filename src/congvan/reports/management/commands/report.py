"""`congvan report`: the yearly report of the directive as PDF or xlsx, and the summary's upkeep.

    congvan report --year 2026 [--agency CODE] [--quarter Q | --month M] --format pdf|xlsx [-o FILE]
    congvan report rebuild [--from 2024-01-01] [--to 2026-12-31]
    congvan report december [--year 2026]
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from congvan.errors import ServiceError
from congvan.reports import data, exports, periods, services, summary
from congvan.reports.selectors import agency_scope, local_agencies, province_scope


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Ngày không hợp lệ: {value} (dùng dạng 2026-12-31)")


class Command(BaseCommand):
    help = ("Báo cáo sử dụng văn bản điện tử: xuất báo cáo năm (PDF, xlsx) của một cơ quan hoặc toàn tỉnh; "
            "'rebuild' tính lại toàn bộ bảng tổng hợp; 'december' lập dự thảo báo cáo ngày 01/12.")

    def add_arguments(self, parser):
        parser.add_argument("action", nargs="?", choices=["export", "rebuild", "december"], default="export")
        parser.add_argument("--year", type=int, help="năm báo cáo (mặc định: năm nay)")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4], help="chỉ một quý của năm")
        parser.add_argument("--month", type=int, choices=range(1, 13), metavar="1-12", help="chỉ một tháng")
        parser.add_argument("--agency", help="mã định danh của cơ quan (mặc định: tổng hợp toàn tỉnh)")
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
        parser.add_argument("-o", "--output", help="tệp kết quả (mặc định: tên theo cơ quan và kỳ, ở thư mục hiện tại)")
        parser.add_argument("--from", dest="start", help="rebuild: từ ngày (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", help="rebuild: đến ngày (YYYY-MM-DD)")

    def handle(self, *args, action="export", **options):
        with translation.override("vi"):
            if action == "rebuild":
                return self.rebuild(options)
            if action == "december":
                return self.december(options)
            return self.export(options)

    def export(self, options):
        year = options["year"] or timezone.localdate().year
        try:
            if options["quarter"]:
                period = periods.quarter(year, options["quarter"])
            elif options["month"]:
                period = periods.month(year, options["month"])
            else:
                period = periods.year(year)
        except periods.PeriodError as exc:
            raise CommandError(f"Kỳ báo cáo không hợp lệ: {exc}")
        scope = province_scope()
        if options["agency"]:
            agency = local_agencies().filter(code=options["agency"].strip().upper()).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan mang mã định danh {options['agency']} trên hệ thống.")
            scope = agency_scope(agency)
        summary.refresh()
        report = data.build(scope, period, chart_font=exports.PDF_FONT)
        fmt = options["format"]
        content = exports.render_pdf(report) if fmt == "pdf" else exports.render_xlsx(report)
        path = Path(options["output"] or exports.filename(report, fmt))
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp {path}: {exc.strerror}")
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {path} ({len(content)} byte): {scope.label}, "
                                             f"{report.period_label}."))

    def rebuild(self, options):
        start = _date(options["start"]) if options["start"] else None
        end = _date(options["end"]) if options["end"] else None
        if start and end and end < start:
            raise CommandError("Ngày kết thúc trước ngày bắt đầu.")
        rows = summary.rebuild(start, end, progress=lambda m: self.stdout.write(f"  {m:%m/%Y}"))
        self.stdout.write(self.style.SUCCESS(f"Đã tính lại bảng tổng hợp: {rows} dòng."))

    def december(self, options):
        today = timezone.localdate()
        if options["year"] and options["year"] != today.year:
            raise CommandError("Dự thảo ngày 01/12 chỉ lập cho năm nay.")
        try:
            done = services.december_drafts(today, force=True)
        except ServiceError as exc:
            raise CommandError(str(exc.message))
        if done.created:
            self.stdout.write(self.style.SUCCESS(f"Đã lập {len(done.created)} dự thảo báo cáo năm {done.year}."))
        else:
            self.stdout.write(f"Các dự thảo báo cáo năm {done.year} đã có từ trước; không lập lại.")
