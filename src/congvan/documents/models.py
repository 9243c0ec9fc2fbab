"""Documents (văn bản), their files, types and registers (sổ văn bản)."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency, Person, Unit
from congvan.documents import notation


class Secrecy(models.TextChoices):
    """Độ mật. Any level other than NONE forbids every electronic channel."""

    NONE = "none", _("Thường")
    MAT = "mat", _("Mật")
    TOI_MAT = "toi_mat", _("Tối mật")
    TUYET_MAT = "tuyet_mat", _("Tuyệt mật")


class Urgency(models.TextChoices):
    """Độ khẩn; the value is also the edXML Priority (0 thường … 3 hỏa tốc)."""

    NONE = "none", _("Thường")
    KHAN = "khan", _("Khẩn")
    THUONG_KHAN = "thuong_khan", _("Thượng khẩn")
    HOA_TOC = "hoa_toc", _("Hỏa tốc")


class Form(models.TextChoices):
    """Hình thức: điện tử hoàn toàn / điện tử kèm giấy / giấy."""

    ELECTRONIC = "electronic", _("Điện tử")
    HYBRID = "hybrid", _("Điện tử kèm giấy")
    PAPER = "paper", _("Giấy")


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Văn bản đi")
    INCOMING = "incoming", _("Văn bản đến")


class DocumentType(models.Model):
    """Loại văn bản (Decree 30, Appendix III). ``agency`` null = the national list every agency sees."""

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="document_types")
    code = models.CharField("mã", max_length=10)  # "CV" for công văn, else the abbreviation (QĐ, TB…)
    name = models.CharField("tên loại", max_length=80)
    abbreviation = models.CharField("viết tắt trong ký hiệu", max_length=10, blank=True,
                                    help_text="Để trống với công văn: ký hiệu gồm cơ quan và đơn vị soạn thảo.")
    is_normative = models.BooleanField("văn bản quy phạm (ký hiệu có năm)", default=False)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="doctype_code_unique")]
        verbose_name = "loại văn bản"
        verbose_name_plural = "loại văn bản"

    def __str__(self) -> str:
        return self.name


class Register(models.Model):
    """Sổ đăng ký văn bản: numbers run gap-free from 1 per register and calendar year.

    ``document_types`` empty means the register takes every type not claimed by another register;
    secret documents have their own register (``is_secret``)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="registers")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    year = models.PositiveSmallIntegerField("năm")
    name = models.CharField("tên sổ", max_length=120)
    is_secret = models.BooleanField("sổ văn bản mật", default=False)
    document_types = models.ManyToManyField(DocumentType, blank=True, verbose_name="loại văn bản")
    last_number = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        ordering = ["-year", "direction", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "direction", "year", "name"], name="register_name_unique"),
        ]
        verbose_name = "sổ văn bản"
        verbose_name_plural = "sổ văn bản"

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class Blob(models.Model):
    """File content stored once by SHA-256 and never changed."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class Document(models.Model):
    """Văn bản: an outgoing document of its issuing agency (recipients see it through deliveries)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SUBMITTED = "submitted", _("Chờ duyệt")
        RETURNED = "returned", _("Trả lại")
        APPROVED = "approved", _("Đã duyệt, chờ phát hành")
        ISSUED = "issued", _("Đã phát hành")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, verbose_name="loại văn bản")
    subject = models.TextField("trích yếu")
    summary = models.TextField("nội dung tóm tắt", blank=True)
    drafting_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL,
                                      verbose_name="đơn vị soạn thảo")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT, db_index=True)
    secrecy = models.CharField("độ mật", max_length=10, choices=Secrecy.choices, default=Secrecy.NONE)
    urgency = models.CharField("độ khẩn", max_length=12, choices=Urgency.choices, default=Urgency.NONE)
    form = models.CharField("hình thức", max_length=10, choices=Form.choices, default=Form.ELECTRONIC)
    due_date = models.DateField("hạn xử lý", null=True, blank=True)
    recipients = models.ManyToManyField(Agency, blank=True, related_name="addressed_documents",
                                        verbose_name="nơi nhận")
    # Citizens, businesses, organisations outside the directory: delivered by e-mail (issue 5).
    contacts = models.ManyToManyField("directory.ExternalContact", blank=True, related_name="documents",
                                      verbose_name="nơi nhận qua thư điện tử")
    recipients_note = models.TextField("nơi nhận khác (ghi trên văn bản)", blank=True)
    created_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="drafted_documents")  # null: received from another installation
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    approved_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="approved_documents")
    approved_at = models.DateTimeField(null=True, blank=True)
    signer_name = models.CharField("người ký", max_length=120, blank=True)
    signer_position = models.CharField("chức vụ người ký", max_length=120, blank=True)
    signer_competence = models.CharField("thẩm quyền ký (TM., KT., TL.…)", max_length=40, blank=True)
    # Filled at issuance, inside the numbering transaction.
    register = models.ForeignKey(Register, null=True, blank=True, on_delete=models.PROTECT)
    number = models.PositiveIntegerField("số", null=True, blank=True)
    notation = models.CharField("số, ký hiệu", max_length=60, blank=True, db_index=True)
    issued_at = models.DateTimeField("ngày ban hành", null=True, blank=True, db_index=True)
    issued_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="issued_documents")
    place = models.CharField("địa danh", max_length=80, blank=True)
    page_amount = models.PositiveSmallIntegerField("số trang", null=True, blank=True)
    copies = models.PositiveSmallIntegerField("số lượng bản", null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # edXML DocumentId "{code},{yyyy/MM/dd},{số/ký hiệu}": set when the document first travels by exchange
    exchange_id = models.CharField("mã văn bản liên thông", max_length=300, blank=True, db_index=True)
    # Văn bản thay thế: issuing this document withdraws the one it replaces from every recipient.
    replaces = models.ForeignKey("self", verbose_name="thay thế văn bản", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="replaced_by")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "state", "-created_at"], name="doc_agency_state")]
        constraints = [
            models.UniqueConstraint(fields=["register", "number"], name="document_number_unique",
                                    condition=models.Q(number__isnull=False)),
        ]
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"

    def __str__(self) -> str:
        return self.notation or f"Dự thảo #{self.pk}"

    @property
    def is_secret(self) -> bool:
        return self.secrecy != Secrecy.NONE

    @property
    def type_name(self) -> str:
        """The type's name in the reader's language (national types are in the catalogue)."""
        return gettext(self.doc_type.name)

    def build_notation(self, number: int) -> str:
        doc_type = self.doc_type
        year = self.register.year if (doc_type.is_normative and self.register) else None
        unit = self.drafting_unit.short_name if (self.drafting_unit and not doc_type.abbreviation) else None
        return notation.build(number, self.agency.short_name, doc_type.abbreviation or None, unit, year)

    @property
    def main_file(self):
        return self.files.filter(role=DocumentFile.Role.MAIN).order_by("-added_at").first()


class FileOrigin(models.TextChoices):
    """How a file came to be: born digital, or a scan (with a text layer, or images only).

    "" means not classified yet (the digitisation pipeline fills it); reports count scans apart
    because the plan keeps scanned images under half of the electronic documents."""

    UNKNOWN = "", _("Chưa phân loại")
    BORN_DIGITAL = "born_digital", _("Văn bản điện tử gốc")
    SCANNED_TEXT = "scanned_text", _("Bản quét có lớp chữ")
    SCANNED_IMAGE = "scanned_image", _("Bản quét chỉ có ảnh")


class DocumentFile(models.Model):
    class Role(models.TextChoices):
        MAIN = "main", _("Văn bản chính")
        ANNEX = "annex", _("Phụ lục")
        SOURCE = "source", _("Bản soạn thảo (Word)")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MAIN)
    converted_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    added_by = models.ForeignKey(Person, null=True, on_delete=models.PROTECT)
    added_at = models.DateTimeField(auto_now_add=True)
    origin = models.CharField("nguồn gốc tệp", max_length=14, choices=FileOrigin.choices, blank=True,
                              default=FileOrigin.UNKNOWN)

    @property
    def is_scanned(self) -> bool:
        return self.origin in (FileOrigin.SCANNED_TEXT, FileOrigin.SCANNED_IMAGE)

    class Meta:
        ordering = ["added_at"]

    @property
    def size(self) -> int:
        return self.blob.size

    @property
    def sha256(self) -> str:
        return self.blob.sha256

    def __str__(self) -> str:
        return self.name
