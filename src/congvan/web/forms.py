"""Forms of the core pages: they parse and present input; the services decide what is allowed."""

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency, Person, Role, Unit
from congvan.documents.models import Document, Form, Secrecy, Urgency
from congvan.documents.services import document_types_for

# Order of the agency groups, in the directory and in the recipients list.
LEVEL_ORDER = [Agency.Level.PROVINCE, Agency.Level.DEPARTMENT, Agency.Level.COMMUNE, Agency.Level.CENTRAL,
               Agency.Level.OTHER]
LEVEL_LABELS = {
    Agency.Level.PROVINCE: _("Cấp tỉnh"),
    Agency.Level.DEPARTMENT: _("Sở, ban, ngành"),
    Agency.Level.COMMUNE: _("Cấp xã"),
    Agency.Level.CENTRAL: _("Trung ương"),
    Agency.Level.OTHER: _("Khác"),
}
SECRECY_LABELS = [(Secrecy.NONE, _("Thường")), (Secrecy.MAT, _("Mật")), (Secrecy.TOI_MAT, _("Tối mật")),
                  (Secrecy.TUYET_MAT, _("Tuyệt mật"))]
URGENCY_LABELS = [(Urgency.NONE, _("Thường")), (Urgency.KHAN, _("Khẩn")), (Urgency.THUONG_KHAN, _("Thượng khẩn")),
                  (Urgency.HOA_TOC, _("Hỏa tốc"))]
FORM_LABELS = [(Form.ELECTRONIC, _("Điện tử hoàn toàn")), (Form.HYBRID, _("Điện tử kèm bản giấy")),
               (Form.PAPER, _("Bản giấy"))]
STATE_LABELS = [(Document.State.DRAFT, _("Dự thảo")), (Document.State.SUBMITTED, _("Chờ duyệt")),
                (Document.State.RETURNED, _("Trả lại")), (Document.State.APPROVED, _("Đã duyệt, chờ phát hành")),
                (Document.State.ISSUED, _("Đã phát hành"))]
# Signing authority (Decree 30): the prefix goes before the collective name or the title.
REPLACEABLE = 200  # the agency's most recent issued documents offered to be replaced
COMPETENCE_HINTS = [("TM.", _("Thay mặt (tập thể)")), ("KT.", _("Ký thay (cấp phó ký thay cấp trưởng)")),
                    ("TL.", _("Thừa lệnh")), ("TUQ.", _("Thừa ủy quyền")), ("Q.", _("Quyền"))]


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng. Xin kiểm tra lại (phân biệt chữ hoa, chữ thường)."),
        "inactive": _("Tài khoản này đã bị khóa."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập")
        self.fields["username"].widget.attrs.update({"class": "form-control", "autocomplete": "username"})
        self.fields["password"].label = _("Mật khẩu")
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def recipient_groups(exclude: Agency | None = None) -> list[tuple[str, list[Agency]]]:
    """Active agencies grouped by level, in the order the directory uses."""
    agencies = Agency.objects.filter(is_active=True).order_by("name")
    if exclude is not None:
        agencies = agencies.exclude(pk=exclude.pk)
    groups: dict[str, list[Agency]] = {}
    for agency in agencies:
        groups.setdefault(agency.level, []).append(agency)
    return [(LEVEL_LABELS[level], groups[level]) for level in LEVEL_ORDER if level in groups]


class DraftForm(forms.Form):
    """Soạn thảo / sửa dự thảo văn bản đi."""

    doc_type = forms.ChoiceField(label=_("Loại văn bản"))
    subject = forms.CharField(label=_("Trích yếu"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2, "autofocus": True}))
    summary = forms.CharField(label=_("Nội dung tóm tắt"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    drafting_unit = forms.ChoiceField(label=_("Đơn vị soạn thảo"), required=False)
    recipients = forms.MultipleChoiceField(label=_("Nơi nhận"), required=False)
    contacts = forms.CharField(
        label=_("Nơi nhận qua thư điện tử (công dân, doanh nghiệp)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Nguyễn Văn An <an.nguyen@example.com>"}),
        help_text=_("Mỗi dòng một nơi nhận ngoài danh bạ: Họ tên <địa chỉ thư>. Văn bản được gửi bằng thư "
                    "điện tử có chữ ký số khi phát hành."))
    recipients_note = forms.CharField(label=_("Nơi nhận khác (ghi trên văn bản)"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("Ví dụ: Như trên; Lưu: VT, VP."))
    secrecy = forms.ChoiceField(label=_("Độ mật"), choices=SECRECY_LABELS, initial=Secrecy.NONE)
    urgency = forms.ChoiceField(label=_("Độ khẩn"), choices=URGENCY_LABELS, initial=Urgency.NONE)
    form = forms.ChoiceField(label=_("Hình thức"), choices=FORM_LABELS, initial=Form.ELECTRONIC,
                             help_text=_("Văn bản mật chỉ phát hành bản giấy."))
    due_date = forms.DateField(label=_("Hạn xử lý"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    signer_competence = forms.CharField(label=_("Thẩm quyền ký"), required=False, max_length=40,
                                        widget=forms.TextInput(attrs={"list": "competence-hints"}),
                                        help_text=_("Để trống nếu người đứng đầu ký trực tiếp; ví dụ: KT. CHỦ TỊCH."))
    replaces = forms.ChoiceField(label=_("Thay thế văn bản"), required=False,
                                 help_text=_("Khi phát hành, văn bản được chọn bị thu hồi ở mọi nơi đã nhận và "
                                             "thay bằng văn bản này."))
    main_file = forms.FileField(label=_("Tệp văn bản chính"), required=False,
                                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.doc,.odt"}),
                                help_text=_("PDF, hoặc Word (.docx, .doc, .odt) sẽ được chuyển sang PDF."))
    annexes = MultipleFileField(label=_("Phụ lục, tài liệu kèm theo"), required=False,
                                widget=MultipleFileInput(attrs={"accept": ".pdf,.docx,.doc,.odt,.xlsx,.zip,.png,.jpg,.jpeg"}))

    def __init__(self, person: Person, *args, document: Document | None = None, **kwargs):
        if document is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "doc_type": document.doc_type.code, "subject": document.subject, "summary": document.summary,
                "drafting_unit": document.drafting_unit.short_name if document.drafting_unit else "",
                "recipients": [a.code for a in document.recipients.all()],
                "contacts": "\n".join(f"{c.name} <{c.email}>" for c in document.contacts.all()),
                "recipients_note": document.recipients_note, "secrecy": document.secrecy,
                "urgency": document.urgency, "form": document.form, "due_date": document.due_date,
                "signer_competence": document.signer_competence, "replaces": document.replaces_id or "",
            }
        elif "initial" not in kwargs:
            kwargs["initial"] = {"drafting_unit": person.unit.short_name if person.unit else ""}
        super().__init__(*args, **kwargs)
        self.person, self.document = person, document
        types, seen = [], set()
        for doc_type in document_types_for(person.agency).order_by("-agency_id", "name"):
            if doc_type.code not in seen:  # an agency's own type overrides the national one of the same code
                seen.add(doc_type.code)
                types.append((doc_type.code, gettext(doc_type.name)))
        types.sort(key=lambda choice: (choice[0] != "CV", str(choice[1])))  # công văn first: the most used
        self.fields["doc_type"].choices = types
        self.fields["drafting_unit"].choices = [("", _("(theo đơn vị của người soạn)"))] + [
            (unit.short_name, f"{unit.name} ({unit.short_name})")
            for unit in Unit.objects.filter(agency=person.agency).order_by("name")]
        issued = Document.objects.filter(agency=person.agency, state=Document.State.ISSUED).exclude(
            pk=getattr(document, "pk", None)).order_by("-issued_at")[:REPLACEABLE]
        self.fields["replaces"].choices = [("", _("(không thay thế văn bản nào)"))] + [
            (str(d.pk), f"{d.notation} · {d.subject[:90]}") for d in issued]
        # One's own agency is not a recipient, unless a draft made elsewhere (API) already lists it.
        keeps_own = document is not None and document.recipients.filter(pk=person.agency_id).exists()
        self.recipient_groups = recipient_groups(exclude=None if keeps_own else person.agency)
        self.fields["recipients"].choices = [
            (str(label), [(a.code, a.name) for a in agencies]) for label, agencies in self.recipient_groups]
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            if name != "recipients":
                field.widget.attrs.setdefault("class", css)

    def selected_recipients(self) -> set[str]:
        """The recipient codes to show as checked: the submitted ones when re-displaying, else the initial."""
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("recipients")))
        return set(self.initial.get("recipients") or [])

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "doc_type": data["doc_type"], "subject": data["subject"], "summary": data["summary"],
            "drafting_unit": data["drafting_unit"] or None, "recipients_note": data["recipients_note"],
            "secrecy": data["secrecy"], "urgency": data["urgency"], "form": data["form"],
            "due_date": data["due_date"], "signer_competence": data["signer_competence"],
            "contacts": [line for line in (data.get("contacts") or "").splitlines() if line.strip()],
            "replaces": data.get("replaces") or None,
        }


class OutgoingFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Trích yếu, số, ký hiệu…")}))
    state = forms.ChoiceField(label=_("Trạng thái"), required=False)
    doc_type = forms.ChoiceField(label=_("Loại"), required=False)
    year = forms.TypedChoiceField(label=_("Năm"), required=False, coerce=int, empty_value=None)

    def __init__(self, person: Person, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Tất cả trạng thái"))] + STATE_LABELS
        codes = {}
        for doc_type in document_types_for(person.agency).order_by("name"):
            codes.setdefault(doc_type.code, gettext(doc_type.name))
        self.fields["doc_type"].choices = [("", _("Tất cả loại"))] + sorted(codes.items(), key=lambda c: c[1])
        this_year = timezone.localdate().year
        self.fields["year"].choices = [("", _("Mọi năm"))] + [(y, y) for y in range(this_year, this_year - 6, -1)]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if name != "q"
                                          else "form-control form-control-sm")


class UploadForm(forms.Form):
    ROLE_CHOICES = [("main", _("Văn bản chính")), ("annex", _("Phụ lục"))]

    file = forms.FileField(label=_("Tệp"))
    role = forms.ChoiceField(label=_("Loại tệp"), choices=ROLE_CHOICES, initial="main")


class DelegationForm(forms.Form):
    to_person = forms.ModelChoiceField(label=_("Người được ủy quyền"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("Quyền ủy quyền"))
    starts_at = forms.DateTimeField(label=_("Từ"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("Đến"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    reason = forms.CharField(label=_("Lý do"), max_length=255,
                             widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: đi công tác, nghỉ phép")}))

    ROLE_LABELS = {Role.LEADER: _("Lãnh đạo (duyệt, ký, phân công)"),
                   Role.CLERK: _("Văn thư (vào sổ, cấp số, phát hành)")}

    def __init__(self, person: Person, roles: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_person"].empty_label = _("— chọn người cùng cơ quan —")
        self.fields["to_person"].queryset = (Person.objects.filter(agency=person.agency)
                                             .exclude(pk=person.pk).order_by("full_name"))
        self.fields["to_person"].label_from_instance = (
            lambda p: f"{p.full_name} — {p.position}" if p.position else p.full_name)
        self.fields["role"].choices = [(role, self.ROLE_LABELS[role]) for role in roles]
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["starts_at"].initial = now
        self.fields["ends_at"].initial = now.replace(hour=17, minute=30) + timedelta(days=1)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control")
