"""Forms of the incoming pages (phiếu giải quyết văn bản đến) and of the registers page.

They only parse input; the services decide what is allowed.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Person
from congvan.workflow.models import IncomingItem


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, so templates can render fields one by one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.visible_fields():
            widget = bound.field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def colleagues(person: Person, exclude_self: bool = False):
    """People of the acting person's agency, the only ones an item can be handed to."""
    qs = Person.objects.filter(agency_id=person.agency_id).select_related("unit").order_by("full_name")
    return qs.exclude(pk=person.pk) if exclude_self else qs


MULTI_HINT = _("Giữ phím Ctrl (trên máy Mac: Cmd) để chọn nhiều người.")


class PersonChoiceMixin:
    def label_from_instance(self, obj: Person) -> str:
        parts = [obj.full_name]
        if obj.position:
            parts.append(obj.position)
        if obj.unit_id:
            parts.append(obj.unit.name)
        return " — ".join(parts)


class PersonChoiceField(PersonChoiceMixin, forms.ModelChoiceField):
    pass


class PeopleChoiceField(PersonChoiceMixin, forms.ModelMultipleChoiceField):
    pass


class InboxFilterForm(BootstrapMixin, forms.Form):
    state = forms.ChoiceField(label=_("Trạng thái"), required=False,
                              choices=[("", _("Tất cả"))] + list(IncomingItem.State.choices))
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"placeholder": _("Trích yếu hoặc số, ký hiệu")}))
    overdue = forms.BooleanField(label=_("Chỉ văn bản quá hạn"), required=False)


class RegisterItemForm(BootstrapMixin, forms.Form):
    due_date = forms.DateField(label=_("Hạn xử lý"), required=False, widget=DateInput)


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Cần ghi lý do.")})


class AssignForm(BootstrapMixin, forms.Form):
    lead = PersonChoiceField(label=_("Xử lý chính"), queryset=Person.objects.none(),
                             empty_label=_("— Chọn người xử lý chính —"),
                             error_messages={"required": _("Cần chọn người xử lý chính.")})
    support = PeopleChoiceField(label=_("Phối hợp"), queryset=Person.objects.none(), required=False,
                                widget=forms.SelectMultiple(attrs={"size": 4}), help_text=MULTI_HINT)
    info = PeopleChoiceField(label=_("Để biết"), queryset=Person.objects.none(), required=False,
                             widget=forms.SelectMultiple(attrs={"size": 4}))
    due_date = forms.DateField(label=_("Hạn xử lý"), required=False, widget=DateInput)
    due_in_working_days = forms.IntegerField(label=_("hoặc sau số ngày làm việc"), required=False, min_value=1,
                                             max_value=365, help_text=_("Tính theo lịch làm việc, bỏ qua ngày nghỉ."))
    note = forms.CharField(label=_("Ý kiến chỉ đạo"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, person: Person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead", "support", "info"):
            self.fields[name].queryset = colleagues(person)


class NoteForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("Nội dung bút phê"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
                           error_messages={"required": _("Nội dung bút phê trống.")})


class ForwardForm(BootstrapMixin, forms.Form):
    to = PeopleChoiceField(label=_("Chuyển cho"), queryset=Person.objects.none(),
                           widget=forms.SelectMultiple(attrs={"size": 4}), help_text=MULTI_HINT,
                           error_messages={"required": _("Cần chọn người nhận.")})
    note = forms.CharField(label=_("Ghi chú khi chuyển"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, person: Person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = colleagues(person, exclude_self=True)


class ReplyDocumentField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        subject = obj.subject if len(obj.subject) <= 90 else obj.subject[:89] + "…"
        return f"{obj.notation} — {subject}"


class CompleteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("Kết quả xử lý"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    reply_document = ReplyDocumentField(label=_("Văn bản trả lời"), required=False, queryset=None,
                                        empty_label=_("— Không có —"))

    def __init__(self, reply_documents, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reply_document"].queryset = reply_documents


class RevocationForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "accept"), ("refuse", "refuse")], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Lý do"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RegisterBookFilterForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False)
    register = forms.ChoiceField(label=_("Sổ"), required=False)
    start = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput)
    end = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput)

    def __init__(self, years, registers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["register"].choices = [("", _("Tất cả các sổ"))] + [
            (str(r.pk), f"{r.name} ({r.year})") for r in registers]
