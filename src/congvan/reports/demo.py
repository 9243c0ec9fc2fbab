"""Demo targets (chỉ tiêu): the plan of tỉnh Gia Lai for 2014 and 2015 (seed 003, "Kế hoạch tăng cường sử
dụng văn bản điện tử", section III.1, and the directive's point 4.g, seed 002), and targets for 2026.

Loaded with the demo province (idempotent: a target already set is left as the operator left it)."""

from decimal import Decimal

from django.db import transaction

from congvan import audit
from congvan.directory.models import Agency
from congvan.reports.models import ReportSettings, Target

PLAN = "Kế hoạch tăng cường sử dụng văn bản điện tử tỉnh Gia Lai, mục III.1"
DIRECTIVE_4G = "Chỉ thị 07/2013/CT-UBND, điểm 4.g"
GIA_LAI_DIRECTIVE = ("Chỉ thị số 07/2013/CT-UBND ngày 30/7/2013 của UBND tỉnh Gia Lai về việc tăng cường sử dụng "
                     "văn bản điện tử trong hoạt động của các cơ quan nhà nước trên địa bàn tỉnh Gia Lai")

# (year, indicator, scope: "province" | "group:<level>" | "agency:<code>", value, note)
TARGETS = [
    (2014, "internal_electronic_share", "province", 55, PLAN + " (nội bộ cơ quan cấp tỉnh, cấp huyện, hết năm 2014)"),
    (2014, "scanned_share", "province", 50, PLAN + " (ảnh quét ít hơn 50% văn bản điện tử)"),
    (2014, "between_electronic_share", "province", 30, PLAN + " (giữa các đơn vị cấp tỉnh, cấp huyện, năm 2014)"),
    (2014, "between_hybrid_share", "province", 35, PLAN + " (dạng hỗn hợp điện tử kèm giấy, năm 2014)"),
    (2014, "adoption_share", "group:commune", 30, PLAN + " (30% số xã triển khai hệ thống, năm 2014)"),
    (2014, "outside_electronic_share", "agency:000.00.00.H21", 50,
     PLAN + " (văn bản UBND tỉnh gửi bộ, ngành, tỉnh khác kèm bản điện tử, từ Quý I/2014)"),
    (2015, "internal_electronic_share", "province", 70, PLAN + " (nội bộ cơ quan, hết năm 2015)"),
    (2015, "scanned_share", "province", 50, PLAN + " (ảnh quét ít hơn 50% văn bản điện tử)"),
    (2015, "submission_electronic_share", "province", 60, PLAN + " (hồ sơ trình UBND tỉnh kèm bản điện tử, 2015)"),
    (2015, "between_hybrid_share", "province", 50, PLAN + " (ít nhất 50% dạng hỗn hợp, cuối năm 2015)"),
    (2015, "between_electronic_share", "province", 60, DIRECTIVE_4G + " (60% văn bản giữa cơ quan nhà nước "
                                                                      "hoàn toàn điện tử, năm 2015)"),
    (2015, "commune_electronic_share", "province", 40, PLAN + " (giữa huyện và xã ít nhất 40%, hết năm 2015)"),
    (2015, "outside_electronic_share", "agency:000.00.00.H21", 50, PLAN + " (văn bản UBND tỉnh gửi bộ, ngành, "
                                                                          "tỉnh khác)"),
    (2026, "electronic_share", "province", 80, "Mục tiêu năm 2026 (dữ liệu mẫu)"),
    (2026, "internal_electronic_share", "province", 90, "Mục tiêu năm 2026 (dữ liệu mẫu)"),
    (2026, "scanned_share", "province", 30, "Mục tiêu năm 2026 (dữ liệu mẫu)"),
    (2026, "between_electronic_share", "province", 80, "Mục tiêu năm 2026 (dữ liệu mẫu)"),
    (2026, "submission_electronic_share", "province", 95, "Mục tiêu năm 2026 (dữ liệu mẫu)"),
    (2026, "commune_electronic_share", "province", 85, "Mục tiêu năm 2026 (dữ liệu mẫu)"),
    (2026, "adoption_share", "group:commune", 100, "Mục tiêu năm 2026: mọi xã, phường dùng hệ thống (dữ liệu mẫu)"),
    (2026, "outside_electronic_share", "agency:000.00.00.H21", 90, "Mục tiêu năm 2026 (dữ liệu mẫu)"),
    (2026, "issue_on_time_share", "province", 95, "Nghị định 30/2020/NĐ-CP: phát hành trong ngày hoặc ngày làm việc "
                                                  "tiếp theo (dữ liệu mẫu)"),
    (2026, "incoming_on_time_share", "province", 90, "Mục tiêu năm 2026 (dữ liệu mẫu)"),
    (2026, "processing_median", "province", 5, "Mục tiêu năm 2026: trung vị không quá 5 ngày làm việc (dữ liệu mẫu)"),
]


@transaction.atomic
def load_report_demo() -> int:
    """The targets above and Gia Lai's directive in the report settings; returns how many targets were added."""
    added = 0
    for year, indicator, scope_key, value, note in TARGETS:
        kind, _sep, rest = scope_key.partition(":")
        agency = Agency.objects.filter(code=rest).first() if kind == "agency" else None
        if kind == "agency" and agency is None:
            continue
        key = Target.key_for(kind, rest if kind == "group" else "", agency.pk if agency else None)
        _target, created = Target.objects.get_or_create(year=year, indicator=indicator, scope_key=key, defaults={
            "scope": kind, "group": rest if kind == "group" else "", "agency": agency, "value": Decimal(value),
            "note": note})
        added += created
    settings = ReportSettings.current()
    if settings.directive == ReportSettings._meta.get_field("directive").default:
        settings.directive = GIA_LAI_DIRECTIVE
        settings.save(update_fields=["directive"])
    if added:
        audit.record("report.demo_targets", added=added)
    return added
