"""Forms of the report pages: the dashboard's filter, the targets and the operator's assumptions.

They only parse input; the services decide what is allowed and check the values again."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvan.reports import periods
from congvan.reports.indicators import INDICATORS
from congvan.reports.models import Target
from congvan.reports.selectors import GROUP_LABELS, local_agencies
from congvan.web.forms_incoming import BootstrapMixin, DateInput

QUARTERS = [("", _("Cả năm"))] + [(str(q), _("Quý %(q)s") % {"q": r}) for q, r in periods.ROMAN.items()]
MONTHS = [("", _("Mọi tháng"))] + [(str(m), _("Tháng %(m)s") % {"m": m}) for m in range(1, 13)]


class FilterForm(BootstrapMixin, forms.Form):
    """Phạm vi và kỳ báo cáo: a year, a quarter or a month of it, or any range of days."""

    scope = forms.ChoiceField(label=_("Phạm vi"), required=False)
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100, required=False)
    quarter = forms.ChoiceField(label=_("Quý"), choices=QUARTERS, required=False)
    month = forms.ChoiceField(label=_("Tháng"), choices=MONTHS, required=False)
    start = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput)

    def __init__(self, scope_choices, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scope_choices

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if bool(start) != bool(end):
            raise forms.ValidationError(_("Khoảng ngày cần cả ngày bắt đầu và ngày kết thúc."))
        if start and end and end < start:
            raise forms.ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
        if start and end and (end - start).days > 3660:
            raise forms.ValidationError(_("Khoảng ngày dài tối đa mười năm."))
        return data

    def period(self) -> periods.Period:
        data = self.cleaned_data
        if data.get("start") and data.get("end"):
            return periods.custom(data["start"], data["end"])
        year = data.get("year") or timezone.localdate().year
        if data.get("month"):
            return periods.month(year, int(data["month"]))
        if data.get("quarter"):
            return periods.quarter(year, int(data["quarter"]))
        return periods.year(year)


def indicator_choices():
    return [(key, ind.title) for key, ind in INDICATORS.items() if ind.available()]


class TargetForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    indicator = forms.ChoiceField(label=_("Chỉ số"))
    scope = forms.ChoiceField(label=_("Áp dụng cho"), choices=Target.Scope.choices)
    group = forms.ChoiceField(label=_("Nhóm cơ quan"), required=False,
                              choices=[("", "—")] + [(k, v) for k, v in GROUP_LABELS.items()])
    agency = forms.ModelChoiceField(label=_("Cơ quan"), required=False, queryset=local_agencies().none())
    value = forms.CharField(label=_("Chỉ tiêu"), max_length=20,  # "45,5" or "45.5": the service reads both
                            help_text=_("Tỷ lệ ghi theo phần trăm (70 là 70%); số ngày, số văn bản ghi số."))
    note = forms.CharField(label=_("Căn cứ"), max_length=255, required=False,
                           help_text=_("Ví dụ: Kế hoạch tăng cường sử dụng văn bản điện tử, mục III.1."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicator_choices()
        self.fields["agency"].queryset = local_agencies().order_by("name")
        self.fields["year"].initial = timezone.localdate().year


class SettingsForm(BootstrapMixin, forms.Form):
    paper_cost_per_page = forms.IntegerField(label=_("Chi phí in, giấy một trang (đồng)"), min_value=0)
    postage_per_document = forms.IntegerField(label=_("Cước chuyển phát một văn bản giấy (đồng)"), min_value=0)
    postal_days = forms.CharField(label=_("Số ngày chuyển phát một văn bản giấy"), max_length=10)
    default_pages = forms.IntegerField(label=_("Số trang khi văn bản không ghi số trang"), min_value=0,
                                       max_value=10000)
    directive = forms.CharField(label=_("Văn bản chỉ đạo được báo cáo"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("In dưới tên báo cáo: “(Thực hiện …)”."))
    submission_agencies = forms.ModelMultipleChoiceField(
        label=_("Cơ quan nhận hồ sơ trình UBND tỉnh"), required=False, queryset=local_agencies().none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Để trống: UBND tỉnh và Văn phòng UBND tỉnh. Thay đổi danh sách thì hệ thống tính lại "
                    "toàn bộ số liệu."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_agencies"].queryset = local_agencies().order_by("name")
