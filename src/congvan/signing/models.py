"""Certificates, signature images, the trust store and the stored validation results.

A certificate belongs to a person (chữ ký số cá nhân, the leader's) or to an agency (chữ ký số của cơ
quan, the seal the clerk applies), never both. The private key is never held in the clear: either the
encrypted PKCS#12 file (its passphrase is typed at signing time and never stored) or a PKCS#11 token or
HSM (its PIN is typed at signing time).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency, Person
from congvan.documents.models import Blob


class KeySource(models.TextChoices):
    PKCS12 = "pkcs12", _("Tệp PKCS#12 (.p12, .pfx) có mật khẩu")
    PKCS11 = "pkcs11", _("USB token / HSM (PKCS#11)")


class SigningCertificate(models.Model):
    """Chứng thư số: of a person (personal signature) XOR of an agency (the agency's seal)."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="signing_certificates", verbose_name="cán bộ")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="seal_certificates", verbose_name="cơ quan")
    certificate_pem = models.TextField("chứng thư (PEM)")
    common_name = models.CharField("tên (CN)", max_length=255)
    subject = models.CharField("chủ thể", max_length=1000)
    issuer = models.CharField("tổ chức cấp", max_length=1000)
    serial = models.CharField("số hiệu", max_length=80)
    fingerprint_sha256 = models.CharField("dấu vân tay SHA-256", max_length=64, db_index=True)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    key_source = models.CharField("nơi giữ khóa", max_length=10, choices=KeySource.choices)
    # PKCS#12: the encrypted container, stored like any file (content-addressed, never changed).
    pkcs12_blob = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # PKCS#11: where the key lives; the PIN is typed at signing time.
    pkcs11_module = models.CharField("thư viện PKCS#11", max_length=255, blank=True)
    pkcs11_token_label = models.CharField("nhãn token", max_length=100, blank=True)
    pkcs11_key_label = models.CharField("nhãn khóa", max_length=100, blank=True)
    pkcs11_cert_label = models.CharField("nhãn chứng thư", max_length=100, blank=True)
    is_active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(agency__isnull=True))
                | (Q(person__isnull=True) & Q(agency__isnull=False)),
                name="signing_certificate_one_owner"),
            models.CheckConstraint(
                condition=Q(key_source="pkcs11") | Q(pkcs12_blob__isnull=False),
                name="signing_certificate_pkcs12_has_file"),
        ]
        verbose_name = "chứng thư số"
        verbose_name_plural = "chứng thư số"

    def __str__(self) -> str:
        return f"{self.common_name} ({self.fingerprint_sha256[:16]}…)"

    @property
    def owner(self):
        return self.person if self.person_id else self.agency

    @property
    def is_seal(self) -> bool:
        return self.agency_id is not None

    @property
    def uses_pin(self) -> bool:
        return self.key_source == KeySource.PKCS11

    @property
    def issuer_common_name(self) -> str:
        from cryptography import x509
        from cryptography.x509.oid import NameOID

        try:
            names = x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii")).issuer \
                .get_attributes_for_oid(NameOID.COMMON_NAME)
        except ValueError:
            names = []
        return str(names[0].value) if names else self.issuer

    def is_valid_at(self, at=None) -> bool:
        at = at or timezone.now()
        return self.is_active and self.not_before <= at <= self.not_after


class StampImage(models.Model):
    """The image shown with a signature: a person's signature (blue, transparent PNG) or an agency's
    red seal. Without one, a neat default is drawn from the name."""

    person = models.OneToOneField(Person, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="signature_image")
    agency = models.OneToOneField(Agency, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="seal_image")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(agency__isnull=True))
                | (Q(person__isnull=True) & Q(agency__isnull=False)),
                name="stamp_image_one_owner"),
        ]
        verbose_name = "hình chữ ký, con dấu"
        verbose_name_plural = "hình chữ ký, con dấu"

    def __str__(self) -> str:
        return str(self.person or self.agency)


class TrustAnchor(models.Model):
    """A root or intermediate certificate the operator trusts (Ban Cơ yếu Chính phủ, public CAs…)."""

    class Kind(models.TextChoices):
        ROOT = "root", _("Chứng thư gốc")
        INTERMEDIATE = "intermediate", _("Chứng thư trung gian")

    name = models.CharField("tên", max_length=255)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices, default=Kind.ROOT)
    certificate_pem = models.TextField("chứng thư (PEM)")
    subject = models.CharField("chủ thể", max_length=1000)
    fingerprint_sha256 = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    not_after = models.DateTimeField("hiệu lực đến")
    is_demo = models.BooleanField("hạ tầng thử nghiệm", default=False)
    is_active = models.BooleanField("đang dùng", default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "chứng thư tin cậy"
        verbose_name_plural = "kho chứng thư tin cậy"

    def __str__(self) -> str:
        return self.name


class CrlFile(models.Model):
    """A certificate revocation list loaded by the operator (used when fetching is off)."""

    name = models.CharField("tên", max_length=255)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    issuer = models.CharField("tổ chức cấp", max_length=1000)
    this_update = models.DateTimeField("ngày phát hành", null=True, blank=True)
    next_update = models.DateTimeField("cập nhật tiếp", null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-added_at"]
        verbose_name = "danh sách thu hồi (CRL)"
        verbose_name_plural = "danh sách thu hồi (CRL)"

    def __str__(self) -> str:
        return self.name


class FileSignatureCheck(models.Model):
    """The validation of a stored PDF (one per content; checked again when the trust store changes)."""

    blob = models.OneToOneField(Blob, primary_key=True, on_delete=models.CASCADE, related_name="signature_check")
    checked_at = models.DateTimeField()
    signature_count = models.PositiveSmallIntegerField(default=0)
    ok = models.BooleanField(default=False)  # every signature valid (and at least one)
    error = models.TextField(blank=True)  # the file could not be read as a signed PDF at all
    summary = models.TextField(blank=True)
    report = models.JSONField(default=dict)

    class Meta:
        verbose_name = "kết quả kiểm tra chữ ký số"
        verbose_name_plural = "kết quả kiểm tra chữ ký số"

    def __str__(self) -> str:
        return f"{self.blob_id[:12]}… {'hợp lệ' if self.ok else 'không hợp lệ'}"

    @property
    def signatures(self) -> list[dict]:
        return list((self.report or {}).get("signatures") or [])

    @property
    def has_problem(self) -> bool:
        """What a clerk must look at before registering: a broken file or any failing signature."""
        return bool(self.error) or any(not s.get("ok") for s in self.signatures)

    @property
    def state(self) -> str:
        """invalid (see ``has_problem``) | valid | unsigned."""
        if self.has_problem:
            return "invalid"
        return "valid" if self.signature_count else "unsigned"


class Signature(models.Model):
    """A signature this installation applied: the signed file is a new file (an incremental update of
    ``source``, which is kept unchanged as history)."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("Chữ ký của người có thẩm quyền")
        SEAL = "seal", _("Chữ ký số của cơ quan")
        ANNEX_SEAL = "annex_seal", _("Chữ ký số của cơ quan trên phụ lục")

    document = models.ForeignKey("documents.Document", on_delete=models.CASCADE, related_name="signatures")
    source = models.ForeignKey("documents.DocumentFile", on_delete=models.CASCADE, related_name="signed_versions")
    signed_file = models.OneToOneField("documents.DocumentFile", on_delete=models.CASCADE,
                                       related_name="signature_record")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    certificate = models.ForeignKey(SigningCertificate, on_delete=models.PROTECT, related_name="signatures")
    fingerprint_sha256 = models.CharField(max_length=64)
    signed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = "lần ký số"
        verbose_name_plural = "lần ký số"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.signed_by}"
