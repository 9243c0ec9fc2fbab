"""Background work on documents: Word → PDF conversion with LibreOffice (headless)."""

import logging
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django_tasks import task

from congvan.documents import storage

log = logging.getLogger(__name__)


def docx_to_pdf(data: bytes, suffix: str = ".docx", timeout: int = 180) -> bytes:
    """Convert with ``soffice --headless --convert-to pdf`` in a private profile (parallel-safe)."""
    with tempfile.TemporaryDirectory(prefix="congvan-lo-") as tmp:
        source = Path(tmp) / f"source{suffix}"
        source.write_bytes(data)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [settings.SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", tmp, str(source)],
            check=True, capture_output=True, timeout=timeout,
        )
        output = Path(tmp) / "source.pdf"
        if not output.exists():
            raise RuntimeError("LibreOffice did not produce a PDF")
        return output.read_bytes()


@task()
def convert_to_pdf(file_id: int) -> str:
    from congvan.documents.models import DocumentFile
    from congvan.documents.services import attach_converted_pdf

    source = DocumentFile.objects.select_related("blob", "document").get(pk=file_id)
    suffix = "." + source.name.rsplit(".", 1)[-1].lower()
    pdf = docx_to_pdf(storage.read_verified(source.blob), suffix=suffix)
    converted = attach_converted_pdf(source, pdf)
    log.info("converted %s to PDF (%d bytes)", source.name, len(pdf))
    return converted.blob_id
