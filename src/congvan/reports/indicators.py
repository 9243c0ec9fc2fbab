"""The indicators of the directives (chỉ số), as a registry of small functions.

Each indicator turns the summed measures of a scope and a period (``Inputs``) into a ``Result``: its
value and the numbers behind it (each a link to the documents it counts). Its definition is written
once, here, and shown as help text in the dashboard, the reports and docs/reports.md.

Adding an indicator is one function::

    @indicator("key", _("Tên chỉ số"), _("Định nghĩa…"), unit=PERCENT)
    def key(inputs: Inputs) -> Result: ...

An indicator may set ``available`` to say when it applies.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from congvan.reports import periods

PERCENT, COUNT, DAYS, MONEY, PAGES = "percent", "count", "days", "money", "pages"
ELECTRONIC_COPY = ("electronic", "hybrid")
NOT_SECRET = (*ELECTRONIC_COPY, "paper")  # the forms of a document that is not secret
SCANS = ("scanned_image", "scanned_text")


class Totals:
    """Summed values of the summary: ``get("rel_between", "electronic")``; no dimension = all of them."""

    def __init__(self, sums: dict[tuple[str, str], int] | None = None):
        self.by_measure: dict[str, dict[str, int]] = {}
        for (measure, dim), value in (sums or {}).items():
            self.add_value(measure, dim, value)

    @property
    def sums(self) -> dict[tuple[str, str], int]:
        return {(m, d): v for m, dims in self.by_measure.items() for d, v in dims.items()}

    def add_value(self, measure: str, dim: str, value: int) -> None:
        dims = self.by_measure.setdefault(measure, {})
        dims[dim] = dims.get(dim, 0) + value

    def get(self, measure: str, *dims: str) -> int:
        found = self.by_measure.get(measure)
        if not found:
            return 0
        if dims:
            return sum(found.get(d, 0) for d in dims)
        return sum(found.values())

    def histogram(self, measure: str) -> dict[int, int]:
        return {int(d): v for d, v in self.by_measure.get(measure, {}).items() if v}

    def add(self, other: "Totals") -> "Totals":
        for measure, dims in other.by_measure.items():
            for dim, value in dims.items():
                self.add_value(measure, dim, value)
        return self


@dataclass
class Inputs:
    totals: Totals
    agency_ids: list[int]
    active_ids: set[int]  # agencies of the scope with activity in the period
    period: periods.Period
    settings: object  # ReportSettings


@dataclass
class Part:
    """A number behind an indicator, and the rows it counts (``measure``/``dims``, for the drill-down)."""

    label: str
    value: float | int
    measure: str = ""
    dims: tuple[str, ...] = ()


@dataclass
class Result:
    value: float | None  # None: nothing to measure in this period
    numerator: Part | None = None
    denominator: Part | None = None
    parts: list[Part] = field(default_factory=list)


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    help: str
    unit: str
    comparison: str  # how the value meets its target: ">=", "<" or "<="
    compute: Callable[[Inputs], Result]
    section: str = "exchange"
    available: Callable[[], bool] = lambda: True

    def met(self, value: float | None, target: Decimal | float | None) -> bool | None:
        if value is None or target is None:
            return None
        target = float(target)
        if self.comparison == "<":
            return value < target
        if self.comparison == "<=":
            return value <= target
        return value >= target


INDICATORS: dict[str, Indicator] = {}


def indicator(key: str, title, help_text, *, unit: str = PERCENT, comparison: str = ">=",
              section: str = "exchange", available: Callable[[], bool] | None = None):
    def register(fn: Callable[[Inputs], Result]) -> Callable[[Inputs], Result]:
        INDICATORS[key] = Indicator(key, title, help_text, unit, comparison, fn, section,
                                    available or (lambda: True))
        return fn

    return register


def active_indicators() -> list[Indicator]:
    return [i for i in INDICATORS.values() if i.available()]


def percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


def share(numerator: Part, denominator: Part) -> Result:
    return Result(percent(numerator.value, denominator.value), numerator, denominator)


def _form_share(inputs: Inputs, measure: str, dims: tuple[str, ...], label, whole: tuple[str, ...] = ()) -> Result:
    """The share of ``measure``'s documents in the forms ``dims`` among those in the forms ``whole`` (all)."""
    t = inputs.totals
    return share(Part(label, t.get(measure, *dims), measure, dims),
                 Part(_("văn bản"), t.get(measure, *whole), measure, whole))


# --- Exchange (trao đổi văn bản) -------------------------------------------------------------------------

@indicator("electronic_share", _("Văn bản phát hành điện tử hoàn toàn"),
           _("Số văn bản phát hành có bản gốc điện tử mang chữ ký số của lãnh đạo và của cơ quan, chia cho "
             "tổng số văn bản phát hành trong kỳ. Không tính văn bản mật (bắt buộc bằng giấy)."))
def electronic_share(inputs: Inputs) -> Result:
    return _form_share(inputs, "issued", ("electronic",), _("điện tử hoàn toàn"), NOT_SECRET)


@indicator("hybrid_share", _("Văn bản phát hành điện tử kèm giấy"),
           _("Số văn bản phát hành có bản điện tử nhưng còn gửi kèm bản giấy (chưa đủ chữ ký số), chia cho "
             "tổng số văn bản phát hành trong kỳ. Không tính văn bản mật."))
def hybrid_share(inputs: Inputs) -> Result:
    return _form_share(inputs, "issued", ("hybrid",), _("điện tử kèm giấy"), NOT_SECRET)


@indicator("internal_electronic_share", _("Nội bộ cơ quan: văn bản điện tử hoàn toàn"),
           _("Trong các văn bản cơ quan gửi cho chính mình (nội bộ cơ quan), tỷ lệ văn bản điện tử hoàn "
             "toàn. Không tính văn bản mật."))
def internal_electronic_share(inputs: Inputs) -> Result:
    return _form_share(inputs, "rel_internal", ("electronic",), _("điện tử hoàn toàn"))


@indicator("scanned_share", _("Văn bản điện tử dạng ảnh quét"),
           _("Trong các văn bản điện tử (hoàn toàn hoặc kèm giấy) đã phân loại nguồn gốc tệp, tỷ lệ văn bản "
             "là bản quét từ giấy (có hoặc không có lớp chữ). Văn bản chưa phân loại không tính vào mẫu số "
             "và được nêu riêng."), comparison="<")
def scanned_share(inputs: Inputs) -> Result:
    t = inputs.totals
    result = share(Part(_("bản quét"), t.get("scanned", *SCANS), "scanned", SCANS),
                   Part(_("đã phân loại"), t.get("scanned", *SCANS, "born_digital"), "scanned",
                        (*SCANS, "born_digital")))
    result.parts = [Part(_("chưa phân loại"), t.get("scanned", "unknown"), "scanned", ("unknown",))]
    return result


@indicator("between_electronic_share", _("Giữa các cơ quan trong tỉnh: điện tử hoàn toàn"),
           _("Trong các văn bản gửi cơ quan nhà nước khác trong tỉnh, tỷ lệ văn bản điện tử hoàn toàn. "
             "Không tính văn bản mật."))
def between_electronic_share(inputs: Inputs) -> Result:
    return _form_share(inputs, "rel_between", ("electronic",), _("điện tử hoàn toàn"))


@indicator("between_hybrid_share", _("Giữa các cơ quan trong tỉnh: điện tử kèm giấy"),
           _("Trong các văn bản gửi cơ quan nhà nước khác trong tỉnh, tỷ lệ văn bản điện tử kèm bản giấy."))
def between_hybrid_share(inputs: Inputs) -> Result:
    return _form_share(inputs, "rel_between", ("hybrid",), _("điện tử kèm giấy"))


@indicator("submission_electronic_share", _("Hồ sơ trình UBND tỉnh kèm bản điện tử"),
           _("Trong các văn bản gửi UBND tỉnh hoặc Văn phòng UBND tỉnh (từ cơ quan khác hai cơ quan này), "
             "tỷ lệ văn bản có bản điện tử đầy đủ (điện tử hoàn toàn hoặc kèm giấy). Cơ quan nhận hồ sơ "
             "trình do quản trị toàn tỉnh chọn."))
def submission_electronic_share(inputs: Inputs) -> Result:
    return _form_share(inputs, "rel_submission", ELECTRONIC_COPY, _("kèm bản điện tử"))


@indicator("commune_electronic_share", _("Giữa cấp tỉnh và cấp xã: văn bản điện tử"),
           _("Trong các văn bản trao đổi giữa cơ quan cấp tỉnh (UBND tỉnh, sở, ban, ngành) và UBND cấp xã, "
             "theo cả hai chiều, tỷ lệ văn bản điện tử (hoàn toàn hoặc kèm giấy)."))
def commune_electronic_share(inputs: Inputs) -> Result:
    return _form_share(inputs, "rel_commune", ELECTRONIC_COPY, _("điện tử"))


@indicator("outside_electronic_share", _("Gửi Trung ương, tỉnh khác kèm bản điện tử"),
           _("Trong các văn bản gửi bộ, ngành Trung ương và cơ quan của tỉnh khác, tỷ lệ văn bản có bản "
             "điện tử (hoàn toàn hoặc kèm giấy)."))
def outside_electronic_share(inputs: Inputs) -> Result:
    return _form_share(inputs, "rel_outside", ELECTRONIC_COPY, _("kèm bản điện tử"))


@indicator("public_electronic_share", _("Gửi tổ chức, doanh nghiệp, cá nhân bằng điện tử"),
           _("Trong các văn bản gửi tổ chức, doanh nghiệp, cá nhân (danh bạ ghi cấp “Khác”, hoặc địa chỉ thư "
             "điện tử ngoài danh bạ), tỷ lệ văn bản có bản điện tử (hoàn toàn hoặc kèm giấy)."))
def public_electronic_share(inputs: Inputs) -> Result:
    return _form_share(inputs, "rel_public", ELECTRONIC_COPY, _("điện tử"))


@indicator("adoption_share", _("Cơ quan có sử dụng hệ thống"),
           _("Số cơ quan trong phạm vi đã phát hành hoặc vào sổ văn bản đến trên hệ thống trong kỳ, chia "
             "cho số cơ quan đang hoạt động trong phạm vi (ví dụ: các xã)."), section="adoption")
def adoption_share(inputs: Inputs) -> Result:
    return share(Part(_("cơ quan có hoạt động"), len(inputs.active_ids), "activity", ("active",)),
                 Part(_("cơ quan"), len(inputs.agency_ids), "activity"))


# --- Processing (xử lý văn bản) -----------------------------------------------------------------------------

@indicator("issue_on_time_share", _("Phát hành đúng hạn sau khi ký"),
           _("Tỷ lệ văn bản được phát hành trong ngày lãnh đạo ký hoặc chậm nhất ngày làm việc tiếp theo "
             "(Nghị định 30/2020/NĐ-CP), theo lịch làm việc của tỉnh."), section="processing")
def issue_on_time_share(inputs: Inputs) -> Result:
    t = inputs.totals
    return share(Part(_("đúng hạn"), t.get("issue_delay", "on_time"), "issue_delay", ("on_time",)),
                 Part(_("văn bản"), t.get("issue_delay", "on_time", "late"), "issue_delay", ("on_time", "late")))


@indicator("incoming_on_time_share", _("Văn bản đến giải quyết đúng hạn"),
           _("Trong các văn bản đến có hạn giải quyết rơi vào kỳ, tỷ lệ văn bản hoàn thành chậm nhất vào "
             "ngày hạn. Văn bản chưa đến hạn không tính."), section="processing")
def incoming_on_time_share(inputs: Inputs) -> Result:
    t = inputs.totals
    return share(Part(_("đúng hạn"), t.get("due", "on_time"), "due", ("on_time",)),
                 Part(_("văn bản đến hạn"), t.get("due", "on_time", "late", "overdue"), "due",
                      ("on_time", "late", "overdue")))


@indicator("overdue_count", _("Văn bản đến quá hạn"),
           _("Số văn bản đến có hạn giải quyết trong kỳ đã hoàn thành sau hạn hoặc đến nay vẫn chưa hoàn "
             "thành dù đã qua hạn."), unit=COUNT, comparison="<=", section="processing")
def overdue_count(inputs: Inputs) -> Result:
    t = inputs.totals
    late = Part(_("hoàn thành sau hạn"), t.get("due", "late"), "due", ("late",))
    open_ = Part(_("chưa hoàn thành, đã quá hạn"), t.get("due", "overdue"), "due", ("overdue",))
    return Result(late.value + open_.value, Part(_("văn bản"), late.value + open_.value, "due", ("late", "overdue")),
                  parts=[late, open_])


def _processing(inputs: Inputs, p: float | None) -> Result:
    histogram = inputs.totals.histogram("processed")
    value = periods.median_from_histogram(histogram) if p is None else periods.percentile_from_histogram(histogram, p)
    return Result(value, denominator=Part(_("văn bản đã giải quyết"), sum(histogram.values()), "processed"))


@indicator("processing_median", _("Thời gian giải quyết văn bản đến (trung vị)"),
           _("Số ngày làm việc từ khi văn bản đến tới khi hoàn thành, trung vị của các văn bản hoàn thành "
             "trong kỳ."), unit=DAYS, comparison="<=", section="processing")
def processing_median(inputs: Inputs) -> Result:
    return _processing(inputs, None)


@indicator("processing_p90", _("Thời gian giải quyết văn bản đến (90% văn bản)"),
           _("Số ngày làm việc mà 90% văn bản đến hoàn thành trong kỳ không vượt quá (phân vị 90)."),
           unit=DAYS, comparison="<=", section="processing")
def processing_p90(inputs: Inputs) -> Result:
    return _processing(inputs, 90)


# --- Savings (hiệu quả tiết kiệm) ----------------------------------------------------------------------------

def saved_pages_total(inputs: Inputs) -> int:
    t = inputs.totals
    return t.get("saved_pages") + t.get("saved_nopages") * inputs.settings.default_pages


@indicator("saved_pages", _("Số trang giấy tiết kiệm"),
           _("Mỗi lần gửi văn bản điện tử hoàn toàn qua kênh điện tử thay cho một bản giấy: cộng số trang "
             "của văn bản (khi văn bản không ghi số trang, dùng số trang mặc định do quản trị đặt)."),
           unit=PAGES, section="savings")
def saved_pages(inputs: Inputs) -> Result:
    return Result(float(saved_pages_total(inputs)),
                  Part(_("lần gửi điện tử"), inputs.totals.get("saved"), "saved"))


@indicator("saved_money", _("Chi phí tiết kiệm (ước tính)"),
           _("Số trang tiết kiệm nhân chi phí in, giấy một trang, cộng số lần gửi điện tử cho cơ quan khác "
             "nhân cước chuyển phát một văn bản giấy (giả định do quản trị toàn tỉnh đặt)."),
           unit=MONEY, section="savings")
def saved_money(inputs: Inputs) -> Result:
    s = inputs.settings
    external = inputs.totals.get("saved", "external")
    money = saved_pages_total(inputs) * s.paper_cost_per_page + external * s.postage_per_document
    return Result(float(money), Part(_("lần gửi cho cơ quan khác"), external, "saved", ("external",)))


@indicator("saved_days", _("Thời gian chuyển văn bản tiết kiệm (ngày)"),
           _("Số lần gửi điện tử cho cơ quan khác nhân số ngày chuyển phát một văn bản giấy (giả định do "
             "quản trị toàn tỉnh đặt): thời gian văn bản không còn nằm trên đường bưu chính."),
           unit=DAYS, section="savings")
def saved_days(inputs: Inputs) -> Result:
    external = inputs.totals.get("saved", "external")
    return Result(float(external * inputs.settings.postal_days),
                  Part(_("lần gửi cho cơ quan khác"), external, "saved", ("external",)))


# --- Official e-mail (thư điện tử công vụ) --------------------------------------------------------------------

@indicator("mailbox_check_compliance", _("Kiểm tra hộp thư cơ quan đúng quy định"),
           _("Số ngày làm việc (của từng cơ quan có hộp thư công vụ) văn thư kiểm tra hộp thư cơ quan đúng quy "
             "định của tỉnh, chia cho số ngày làm việc được theo dõi trong kỳ (đến hôm nay)."),
           section="mail")
def mailbox_check_compliance(inputs: Inputs) -> Result:
    t = inputs.totals
    return share(Part(_("ngày đạt"), t.get("mailbox", "met")), Part(_("ngày được theo dõi"), t.get("mailbox", "followed")))
