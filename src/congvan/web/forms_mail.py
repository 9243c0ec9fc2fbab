"""Forms of the mail pages (thư điện tử công vụ): they parse input; congvan.mail.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency
from congvan.mail.models import ImapAccount, MailboxRequest


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-check-input")
        else:
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                          else "form-control")


class IntakeFilterForm(forms.Form):
    STATES = [("open", _("Cần xử lý")), ("", _("Tất cả")), ("new", _("Chờ xử lý")),
              ("quarantined", _("Cách ly, cần kiểm tra")), ("duplicate", _("Trùng thư đã nhận")),
              ("converted", _("Đã vào sổ văn bản đến")), ("dismissed", _("Đã loại bỏ"))]
    state = forms.ChoiceField(label=_("Tình trạng"), choices=STATES, required=False, initial="open")
    q = forms.CharField(label=_("Tìm kiếm"), required=False,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Tiêu đề, người gửi…")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class ConvertForm(forms.Form):
    subject = forms.CharField(label=_("Trích yếu"), widget=forms.Textarea(attrs={"rows": 2}))
    doc_type = forms.ChoiceField(label=_("Loại văn bản"))
    notation = forms.CharField(label=_("Số, ký hiệu"), required=False, max_length=60,
                               help_text=_("Ví dụ 1468/UBND-VHXH; để trống nếu thư không phải văn bản có số."))
    issued_on = forms.DateField(label=_("Ngày văn bản"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sender = forms.ModelChoiceField(label=_("Cơ quan gửi"), required=False, queryset=Agency.objects.none(),
                                    help_text=_("Để trống khi người gửi là cá nhân, tổ chức ngoài danh bạ."))
    sender_name = forms.CharField(label=_("Người, tổ chức gửi (ngoài danh bạ)"), required=False, max_length=255)
    due_date = forms.DateField(label=_("Hạn giải quyết"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    main = forms.TypedChoiceField(label=_("Tệp văn bản chính"), required=False, coerce=int, empty_value=None)
    signature_confirmed = forms.BooleanField(label=_("Tôi đã kiểm tra, vẫn vào sổ"), required=False)

    def __init__(self, item, doc_types, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].choices = doc_types
        self.fields["sender"].queryset = Agency.objects.filter(is_local=False, is_active=True).order_by("name")
        files = [a for a in item.attachments.all() if a.blob_id and not a.refused]
        self.fields["main"].choices = [("", _("(không có)"))] + [(a.pk, a.name) for a in files]
        _styled(self)


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Lý do loại bỏ"), max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: thư quảng cáo, gửi nhầm")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("Mật khẩu thư điện tử mới"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    confirm = forms.CharField(label=_("Nhập lại mật khẩu"), strip=False,
                              widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class PreferenceForm(forms.Form):
    notify_by_mail = forms.BooleanField(label=_("Gửi cả thư điện tử khi có văn bản, thư mới đến"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class MailboxRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Đề nghị"), choices=MailboxRequest.Kind.choices)
    person = forms.TypedChoiceField(label=_("Cán bộ (cấp mới)"), required=False, coerce=int, empty_value=None)
    mailbox = forms.TypedChoiceField(label=_("Hộp thư (thay đổi, đóng)"), required=False, coerce=int,
                                     empty_value=None)
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=254,
                              help_text=_("Cấp mới: để trống để dùng địa chỉ đề xuất. Thay đổi: địa chỉ mới."))
    aliases = forms.CharField(label=_("Bí danh"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("Mỗi dòng một địa chỉ khác cùng nhận vào hộp thư này."))
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, people, mailboxes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Hộp thư của cơ quan"))] + [(p.pk, p.full_name) for p in people]
        self.fields["mailbox"].choices = [("", "—")] + [(m.pk, m.address) for m in mailboxes]
        _styled(self)


class ImapForm(forms.Form):
    host = forms.CharField(label=_("Máy chủ IMAP"), max_length=253)
    port = forms.IntegerField(label=_("Cổng"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(label=_("Mã hóa"), choices=ImapAccount.Security.choices)
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=255)
    password = forms.CharField(label=_("Mật khẩu"), required=False, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("Để trống khi sửa để giữ mật khẩu đã lưu."))
    folder = forms.CharField(label=_("Thư mục"), max_length=255, initial="INBOX")
    enabled = forms.BooleanField(label=_("Đang lấy thư"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class CheckRuleForm(forms.Form):
    """The province's rule for checking agency mailboxes: a preset of the directives, a number of checks a
    day, or time windows that each need one check."""

    KINDS = [("gialai", _("Như Gia Lai: ít nhất hai lần mỗi buổi (đầu buổi và sau giữa buổi)")),
             ("thainguyen", _("Như Thái Nguyên: ít nhất năm lần mỗi ngày")),
             ("count", _("Số lần kiểm tra mỗi ngày")),
             ("windows", _("Mỗi khung giờ ít nhất một lần"))]
    kind = forms.ChoiceField(label=_("Quy định"), choices=KINDS)
    count = forms.IntegerField(label=_("Số lần mỗi ngày"), required=False, min_value=1, max_value=48)
    windows = forms.CharField(label=_("Khung giờ"), required=False, max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": "07:00-08:30, 13:00-14:30"}))
    valid_from = forms.DateField(label=_("Áp dụng từ ngày"), widget=forms.DateInput(attrs={"type": "date"},
                                                                                   format="%Y-%m-%d"))
    note = forms.CharField(label=_("Căn cứ"), required=False, max_length=255,
                           widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: Công văn số …/UBND-VX")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "count":
            if not data.get("count"):
                self.add_error("count", _("Cần ghi số lần kiểm tra mỗi ngày."))
            data["rule"] = f"count:{data.get('count') or 0}"
        elif kind == "windows":
            spans = [part.strip().replace(" ", "") for part in (data.get("windows") or "").split(",") if part.strip()]
            if not spans:
                self.add_error("windows", _("Cần ghi ít nhất một khung giờ, ví dụ 07:00-08:30."))
            data["rule"] = "windows:" + ",".join(spans)
        else:
            data["rule"] = kind or ""
        return data
