"""Forms of the agency administration pages (loại văn bản, sổ văn bản) and the operator's calendar."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congvan.documents.models import Direction
from congvan.web.forms_incoming import BootstrapMixin, DateInput
from congvan.workflow.models import CalendarDay


class DocumentTypeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("Mã"), max_length=10,
                           help_text=_("Mã ngắn, không trùng trong cơ quan, ví dụ QĐ, TB; CV cho công văn."))
    name = forms.CharField(label=_("Tên loại"), max_length=80)
    abbreviation = forms.CharField(label=_("Viết tắt trong ký hiệu"), max_length=10, required=False,
                                   help_text=_("Để trống với công văn: ký hiệu gồm cơ quan và đơn vị soạn thảo."))
    is_normative = forms.BooleanField(label=_("Văn bản quy phạm (ký hiệu có năm)"), required=False)
    is_active = forms.BooleanField(label=_("Đang dùng"), required=False, initial=True)


class RegisterForm(BootstrapMixin, forms.Form):
    direction = forms.ChoiceField(label=_("Loại sổ"), choices=[
        (Direction.OUTGOING, _("Sổ văn bản đi")), (Direction.INCOMING, _("Sổ văn bản đến"))])
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Tên sổ"), max_length=120)
    is_secret = forms.BooleanField(label=_("Sổ văn bản mật"), required=False)
    type_codes = forms.MultipleChoiceField(
        label=_("Chỉ dùng cho các loại văn bản"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Để trống: sổ nhận mọi loại văn bản không thuộc sổ riêng."))

    def __init__(self, doc_types, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["type_codes"].choices = [(t.code, f"{gettext(t.name)} ({t.code})") for t in doc_types]


class CalendarDayForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("Ngày"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Loại ngày"), choices=[
        (CalendarDay.Kind.HOLIDAY, _("Ngày nghỉ")), (CalendarDay.Kind.WORKDAY, _("Ngày làm bù"))])
    name = forms.CharField(label=_("Tên ngày nghỉ, lý do làm bù"), max_length=120)
