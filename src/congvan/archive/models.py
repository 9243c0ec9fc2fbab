"""Digitisation (số hóa): the text of each file's content, the OCR queue, and the state of bulk imports."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from congvan.directory.models import Agency
from congvan.documents.models import Blob, Document, DocumentFile


class FileText(models.Model):
    """The text of a content (once per SHA-256): from its text layer, from OCR, or from a Word file (legacy
    TCVN3/VNI runs decoded). What the search index reads."""

    class Method(models.TextChoices):
        TEXT_LAYER = "text_layer", _("Lớp chữ của tệp")
        OCR = "ocr", _("Nhận dạng chữ (OCR)")
        WORD = "word", _("Tệp Word")
        NONE = "none", _("Không có chữ")

    blob = models.OneToOneField(Blob, primary_key=True, on_delete=models.CASCADE, related_name="text")
    text = models.TextField(blank=True)
    method = models.CharField(max_length=12, choices=Method.choices)
    pages = models.PositiveIntegerField(null=True, blank=True)
    legacy_fonts = models.CharField(max_length=255, blank=True)  # e.g. ".VnTime, VNI-Times": decoded runs
    extracted_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.blob_id[:12]} ({self.method}, {len(self.text)} chars)"


class OcrJob(models.Model):
    """Nhận dạng chữ of one scanned file: waiting → running → done | failed (with the reason; retried by hand).

    The result is a PDF/A beside the original (``output``), never in its place. For a draft whose main file
    is the scan and is not signed yet, the result also becomes the document's main file (``output_file``),
    so the leader signs the searchable copy."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Chờ nhận dạng")
        RUNNING = "running", _("Đang nhận dạng")
        DONE = "done", _("Đã nhận dạng")
        FAILED = "failed", _("Lỗi nhận dạng")

    file = models.OneToOneField(DocumentFile, on_delete=models.CASCADE, related_name="ocr_job")
    state = models.CharField(max_length=8, choices=State.choices, default=State.WAITING)
    reason = models.TextField(blank=True)  # why it failed, for the clerk
    detail = models.TextField(blank=True)  # the tool's last words, for the operator
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    output = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    output_file = models.ForeignKey(DocumentFile, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["state", "created_at"], name="ocrjob_state")]

    def __str__(self) -> str:
        return f"OCR {self.file} ({self.state})"

    @property
    def document(self) -> Document:
        return self.file.document


class ImportItem(models.Model):
    """One file of a folder imported by ``congvan import-scans``: what makes an interrupted import resume
    where it stopped (done items are skipped, failed ones tried again)."""

    class State(models.TextChoices):
        DONE = "done", _("Đã nhập")
        FAILED = "failed", _("Lỗi")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    folder = models.CharField(max_length=500)
    path = models.CharField(max_length=500)  # relative to the folder
    sha256 = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=8, choices=State.choices)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "folder", "path"], name="import_item_unique")]

    def __str__(self) -> str:
        return f"{self.folder}/{self.path} ({self.state})"
