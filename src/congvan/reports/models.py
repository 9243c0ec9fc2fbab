"""Usage reports (báo cáo sử dụng văn bản điện tử): the summary tables the dashboards read, the plan's
targets (chỉ tiêu), the operator's cost assumptions and the stored yearly drafts.

The figures are never typed in: ``DailyCount`` is computed from documents, deliveries and incoming items
(``congvan.reports.measures``) per agency, group of agencies and the whole province; ``MonthlyCount`` is its
sum per calendar month, so a dashboard over a year reads a few hundred rows instead of every document.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency, Person
from congvan.documents.models import Blob


class DailyCount(models.Model):
    """``value`` of one measure (and one value of its dimension) for one scope on one local day.

    ``scope`` is "agency:<pk>" for each agency of this installation, and the same sums already added up
    for each group ("group:<level>") and for the whole province ("province"): a page for the province reads
    a few hundred rows, not those of every agency."""

    day = models.DateField()
    scope = models.CharField(max_length=24)
    measure = models.CharField(max_length=24)
    dim = models.CharField(max_length=16, blank=True)
    value = models.BigIntegerField()

    class Meta:
        # One row per (day, scope, measure, dim): summary.compute_days deletes a range and inserts its sums.
        # The index ends with the value so that a page's sums are read from the index alone.
        indexes = [models.Index(fields=["day", "scope", "measure", "dim", "value"], name="daily_count_cover")]

    def __str__(self) -> str:
        return f"{self.day} {self.scope} {self.measure}/{self.dim}={self.value}"


class MonthlyCount(models.Model):
    """The sum of ``DailyCount`` over a calendar month (``month`` is its first day)."""

    month = models.DateField()
    scope = models.CharField(max_length=24)
    measure = models.CharField(max_length=24)
    dim = models.CharField(max_length=16, blank=True)
    value = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "scope", "measure", "dim", "value"], name="monthly_count_cover")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.scope} {self.measure}/{self.dim}={self.value}"


class DirtyDay(models.Model):
    """A day whose figures must be computed again (a document of that day changed).

    Only ever inserted (no unique key, no update): marking never waits for a lock held by another
    transaction, and the worker deletes exactly the marks it saw, so a mark added while it was computing
    stays for the next round."""

    day = models.DateField(db_index=True)

    def __str__(self) -> str:
        return str(self.day)


class SummaryState(models.Model):
    """Bookkeeping of the worker (one row): the last day the daily refresh ran."""

    last_daily = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"last daily run {self.last_daily}"


class Target(models.Model):
    """Chỉ tiêu: the plan's figure for one indicator, one year and one scope (the whole province, a group
    of agencies of one level, or one agency). The most specific target applies."""

    class Scope(models.TextChoices):
        PROVINCE = "province", _("Toàn tỉnh")
        GROUP = "group", _("Nhóm cơ quan")
        AGENCY = "agency", _("Một cơ quan")

    year = models.PositiveSmallIntegerField("năm")
    indicator = models.CharField("chỉ số", max_length=40)
    scope = models.CharField("phạm vi", max_length=10, choices=Scope.choices, default=Scope.PROVINCE)
    group = models.CharField("nhóm (cấp)", max_length=12, choices=Agency.Level.choices, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name="cơ quan")
    scope_key = models.CharField(max_length=40, editable=False)  # "province", "group:commune", "agency:12"
    value = models.DecimalField("chỉ tiêu", max_digits=14, decimal_places=2)
    note = models.CharField("căn cứ", max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-year", "indicator", "scope_key"]
        constraints = [models.UniqueConstraint(fields=["year", "indicator", "scope_key"], name="target_key")]
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"

    def __str__(self) -> str:
        return f"{self.year} {self.indicator} {self.scope_key} {self.value}"

    @staticmethod
    def key_for(scope: str, group: str = "", agency_id: int | None = None) -> str:
        if scope == Target.Scope.GROUP:
            return f"group:{group}"
        if scope == Target.Scope.AGENCY:
            return f"agency:{agency_id}"
        return "province"


class ReportSettings(models.Model):
    """The operator's assumptions (one row): costs behind the savings estimate, which agencies receive
    submissions (hồ sơ trình) for the provincial People's Committee, and the directive reports cite."""

    paper_cost_per_page = models.PositiveIntegerField("chi phí in, giấy một trang (đồng)", default=500)
    postage_per_document = models.PositiveIntegerField("cước chuyển phát một văn bản giấy (đồng)", default=25000)
    postal_days = models.DecimalField("số ngày chuyển phát một văn bản giấy", max_digits=4, decimal_places=1,
                                      default=2)
    default_pages = models.PositiveSmallIntegerField("số trang khi văn bản không ghi số trang", default=2)
    directive = models.TextField("văn bản chỉ đạo được báo cáo", blank=True, default=(
        "Chỉ thị số 15/CT-TTg ngày 22/5/2012 của Thủ tướng Chính phủ về việc tăng cường sử dụng văn bản "
        "điện tử trong hoạt động của cơ quan nhà nước"))
    submission_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="+", verbose_name="cơ quan nhận hồ sơ trình UBND tỉnh",
        help_text="Để trống: UBND tỉnh và Văn phòng UBND tỉnh (nhận ra theo cấp và tên).")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "thiết lập báo cáo"
        verbose_name_plural = "thiết lập báo cáo"

    def __str__(self) -> str:
        return "thiết lập báo cáo"

    @classmethod
    def current(cls) -> "ReportSettings":
        return cls.objects.get_or_create(pk=1)[0]


class StoredReport(models.Model):
    """A generated yearly report kept for download: the 1 December drafts (one per agency and one
    consolidated for the province), each as PDF and xlsx."""

    class Kind(models.TextChoices):
        DECEMBER = "december", _("Dự thảo báo cáo ngày 01/12")

    year = models.PositiveSmallIntegerField("năm")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DECEMBER)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    scope_key = models.CharField(max_length=40)  # "province" or "agency:<pk>"
    period_start = models.DateField()
    period_end = models.DateField()
    pdf = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    xlsx = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "scope_key"]
        constraints = [models.UniqueConstraint(fields=["year", "kind", "scope_key"], name="stored_report_key")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} ({self.scope_key})"
