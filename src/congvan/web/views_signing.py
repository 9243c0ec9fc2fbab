"""Chữ ký số in the web UI: the person's and the agency's certificates, placing a signature by a click on
the page preview, and the pieces the outgoing and incoming pages show (fields of the approve and issue
forms, a validation badge per file).

Thin views: parse, call a signing service or selector, render. A passphrase or PIN only passes through
the request to the service (``sensitive_post_parameters`` keeps it out of error reports)."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from congvan.directory.models import Role
from congvan.documents.models import Document, DocumentFile, Form
from congvan.errors import NotFound, ServiceError
from congvan.signing import selectors, services
from congvan.signing.models import StampImage
from congvan.web.views.common import error_text, person_required
from congvan.workflow import selectors as workflow_selectors

SECRET_FIELDS = ("passphrase", "pin")
MAX_KEY_FILE = 1024 * 1024
MAX_IMAGE = 2 * 1024 * 1024


# Pieces used by the outgoing and incoming views ------------------------------------------------------------


def secret_args(request) -> dict:
    """The typed passphrase or PIN, as the workflow services take them."""
    return {name: request.POST.get(name) or None for name in SECRET_FIELDS}


def approve_args(request, document: Document) -> dict:
    """Passphrase/PIN, and the place the leader clicked on the page preview (``vitri.x``/``vitri.y``)."""
    args = secret_args(request)
    if request.POST.get("vitri.x") is not None:
        try:
            page = int(request.POST.get("page", "-1"))
            x, y = float(request.POST["vitri.x"]), float(request.POST["vitri.y"])
        except (TypeError, ValueError, KeyError):
            raise ServiceError(_("Vị trí chữ ký không hợp lệ; hãy bấm lại vào trang."), code="invalid_position")
        main = document.main_file
        if main is None:
            raise ServiceError(_("Văn bản chưa có tệp PDF văn bản chính để ký số."), code="main_file_required")
        args["placement"] = services.placement_from_click(main, page, x, y)
    return args


def _signer_box(cert, required: bool, form: str) -> dict:
    return {"certificate": cert, "required": required and form != Form.PAPER, "paper": form == Form.PAPER,
            "field": "pin" if cert is not None and cert.uses_pin else "passphrase"}


def outgoing_context(person, document: Document, actions: set[str]) -> dict:
    """What the approve and issue forms of the outgoing page need to sign."""
    required = selectors.signing_required()
    context = {}
    if "approve" in actions:
        context["approve_signing"] = _signer_box(selectors.personal_certificate(person), required, document.form)
    if "issue" in actions:
        context["issue_signing"] = _signer_box(selectors.seal_certificate(document.agency), required, document.form)
    return context


def annotate_files(document: Document, files) -> list[DocumentFile]:
    """Each file gets ``.signing`` (its validation, and whether a signed version replaced it)."""
    files = list(files)
    for row in selectors.file_signatures(document, files):
        row.file.signing = row
    return files


def incoming_context(document: Document) -> dict:
    return {"signature_problems": selectors.signature_problems(document)}


def signature_confirmed(request) -> bool:
    return request.POST.get("signature_confirmed") in ("1", "on", "true")


# Placing the signature by hand -----------------------------------------------------------------------------


def _approvable(person, pk) -> Document:
    try:
        document = workflow_selectors.get_document(person, pk)
    except NotFound:
        raise Http404(_("Không tìm thấy văn bản hoặc bạn không có quyền xem."))
    if document.agency_id != person.agency_id or not person.has_role(Role.LEADER) \
            or document.state != Document.State.SUBMITTED:
        raise Http404(_("Văn bản không ở trạng thái chờ duyệt."))
    return document


@person_required
def place_signature(request, person, pk):
    """The last page as an image: the leader types the passphrase and clicks where the signature goes."""
    document = _approvable(person, pk)
    main = document.main_file
    if main is None:
        messages.error(request, _("Văn bản chưa có tệp PDF văn bản chính để ký số."))
        return redirect("outgoing-detail", pk=document.pk)
    try:
        preview = services.last_page_preview(main, with_png=False)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect("outgoing-detail", pk=document.pk)
    return render(request, "web/signing/place.html", {
        "document": document, "preview": preview, "signing": _signer_box(
            selectors.personal_certificate(person), selectors.signing_required(), document.form)})


@person_required
def page_preview(request, person, pk):
    document = _approvable(person, pk)
    main = document.main_file
    if main is None:
        raise Http404()
    try:
        preview = services.last_page_preview(main)
    except ServiceError:
        raise Http404()
    response = HttpResponse(preview.png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


# The person's and the agency's certificates -----------------------------------------------------------------


class Pkcs12Form(forms.Form):
    key_file = forms.FileField(label=gettext_lazy("Tệp khóa ký số (.p12, .pfx)"))
    passphrase = forms.CharField(label=gettext_lazy("Mật khẩu của tệp"), strip=False,
                                 widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class Pkcs11Form(forms.Form):
    module_path = forms.CharField(label=gettext_lazy("Thư viện PKCS#11 của token"), max_length=255,
                                  help_text=gettext_lazy("Ví dụ: /usr/lib/softhsm/libsofthsm2.so"))
    token_label = forms.CharField(label=gettext_lazy("Nhãn token"), max_length=100)
    key_label = forms.CharField(label=gettext_lazy("Nhãn khóa"), max_length=100)
    cert_label = forms.CharField(label=gettext_lazy("Nhãn chứng thư (nếu khác nhãn khóa)"), max_length=100,
                                 required=False)
    pin = forms.CharField(label=gettext_lazy("Mã PIN"), strip=False,
                          widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


class ImageForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("Hình (PNG, nền trong suốt)"))


def _owner(request, person):
    """``?cho=coquan`` (the agency's seal, for its admin) or the person's own certificate."""
    if (request.POST.get("owner") or request.GET.get("cho")) == "coquan":
        if not (person.has_role(Role.ADMIN) or person.is_operator):
            return None
        return {"agency": person.agency}
    return {"person": person}


@person_required
def certificates(request, person):
    is_admin = person.has_role(Role.ADMIN) or person.is_operator
    context = {
        "own": selectors.certificates_of(person=person),
        "own_current": selectors.personal_certificate(person),
        "own_image": StampImage.objects.filter(person=person).first(),
        "is_admin": is_admin,
        "pkcs12_form": Pkcs12Form(), "pkcs11_form": Pkcs11Form(), "image_form": ImageForm(),
        "required": selectors.signing_required(),
    }
    if is_admin:
        context.update(agency_certs=selectors.certificates_of(agency=person.agency),
                       agency_current=selectors.seal_certificate(person.agency),
                       agency_image=StampImage.objects.filter(agency=person.agency).first())
    return render(request, "web/signing/certificates.html", context)


@require_POST
@sensitive_post_parameters(*SECRET_FIELDS)
@person_required
def certificate_add(request, person, source):
    owner = _owner(request, person)
    if owner is None:
        messages.error(request, _("Chỉ quản trị của cơ quan đăng ký được chứng thư số của cơ quan."))
        return redirect("signing-certificates")
    try:
        if source == "p12":
            form = Pkcs12Form(request.POST, request.FILES)
            if not form.is_valid():
                raise ServiceError(_("Cần chọn tệp khóa ký số và nhập mật khẩu."), code="invalid_form")
            upload = form.cleaned_data["key_file"]
            if upload.size > MAX_KEY_FILE:
                raise ServiceError(_("Tệp khóa ký số quá lớn."), code="file_too_large")
            cert = services.register_pkcs12(person, upload.read(), form.cleaned_data["passphrase"], **owner)
        elif source == "pkcs11":
            form = Pkcs11Form(request.POST)
            if not form.is_valid():
                raise ServiceError(_("Cần nhập đủ thư viện, nhãn token, nhãn khóa và mã PIN."), code="invalid_form")
            data = form.cleaned_data
            cert = services.register_pkcs11(person, module_path=data["module_path"], token_label=data["token_label"],
                                            key_label=data["key_label"], cert_label=data["cert_label"],
                                            pin=data["pin"], **owner)
        else:
            raise Http404()
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Đã đăng ký chứng thư số %(name)s.") % {"name": cert.common_name})
    return redirect("signing-certificates")


@require_POST
@person_required
def image_set(request, person):
    owner = _owner(request, person)
    form = ImageForm(request.POST, request.FILES)
    if owner is None or not form.is_valid():
        messages.error(request, _("Cần chọn tệp hình PNG."))
        return redirect("signing-certificates")
    upload = form.cleaned_data["image"]
    try:
        if upload.size > MAX_IMAGE:
            raise ServiceError(_("Tệp hình quá lớn (tối đa 2 MB)."), code="file_too_large")
        services.set_stamp_image(person, upload.read(), **owner)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Đã lưu hình."))
    return redirect("signing-certificates")


@person_required
def image_show(request, person, kind):
    """The stamp image as it will appear: the uploaded one, or the default drawn from the name."""
    if kind == "coquan":
        png = services.stamp_png(agency=person.agency)
    elif kind == "canhan":
        png = services.stamp_png(person=person)
    else:
        raise Http404()
    return HttpResponse(png, content_type="image/png")
