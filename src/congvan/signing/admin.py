"""Django admin of signing for the province operator: the trust store is managed here (a root or
intermediate certificate pasted as PEM, checked and fingerprinted on save); certificates, signatures
and validation results are shown read-only (they change through the services and `congvan pki`)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from congvan.signing.models import CrlFile, FileSignatureCheck, Signature, SigningCertificate, TrustAnchor
from congvan.web.admin_site import OperatorAdmin, ReadOnlyAdmin


class TrustAnchorForm(forms.ModelForm):
    class Meta:
        model = TrustAnchor
        fields = ["name", "kind", "certificate_pem", "is_active"]

    def clean_certificate_pem(self):
        from congvan.signing.services import certificate_info

        pem = self.cleaned_data["certificate_pem"].strip()
        try:
            self.info = certificate_info(pem.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ValidationError("Không phải chứng thư số X.509 dạng PEM (-----BEGIN CERTIFICATE-----).")
        duplicate = TrustAnchor.objects.filter(fingerprint_sha256=self.info.fingerprint).exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise ValidationError("Chứng thư này đã có trong kho tin cậy.")
        return self.info.pem


@admin.register(TrustAnchor)
class TrustAnchorAdmin(OperatorAdmin):
    form = TrustAnchorForm
    list_display = ["name", "kind", "not_after", "is_demo", "is_active", "fingerprint_sha256"]
    list_filter = ["kind", "is_active", "is_demo"]
    search_fields = ["name", "subject", "fingerprint_sha256"]
    readonly_fields = ["subject", "fingerprint_sha256", "not_after", "is_demo", "added_at"]

    def save_model(self, request, obj, form, change):
        info = form.info
        obj.subject, obj.fingerprint_sha256, obj.not_after = info.subject, info.fingerprint, info.not_after
        if not obj.name:
            obj.name = info.common_name[:255]
        super().save_model(request, obj, form, change)


@admin.register(CrlFile)
class CrlFileAdmin(ReadOnlyAdmin):
    list_display = ["name", "issuer", "this_update", "next_update", "added_at"]


@admin.register(SigningCertificate)
class SigningCertificateAdmin(ReadOnlyAdmin):
    list_display = ["common_name", "person", "agency", "key_source", "not_after", "is_active"]
    list_filter = ["key_source", "is_active"]
    search_fields = ["common_name", "subject", "fingerprint_sha256", "person__full_name", "agency__name"]
    exclude = ["certificate_pem"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["document", "kind", "signed_by", "signed_at", "fingerprint_sha256"]
    list_filter = ["kind"]


@admin.register(FileSignatureCheck)
class FileSignatureCheckAdmin(ReadOnlyAdmin):
    list_display = ["blob", "checked_at", "signature_count", "ok", "error"]
    list_filter = ["ok"]
