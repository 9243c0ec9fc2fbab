"""Bulk import of scanned archives (``congvan import-scans DIR --agency CODE``).

Every PDF or image (PNG, JPEG, TIFF) under the folder becomes one document of form "paper" whose main file
is the scan (images are wrapped losslessly into a PDF with img2pdf), classified and queued for OCR like any
other file. Metadata come from ``metadata.csv`` beside the files when there is one (columns in
``COLUMNS``; the CSV may be UTF-8 or an old TCVN3/VNI/Windows-1258 export: the scheme is detected);
otherwise the subject is the file name.

Each file is imported in its own transaction and recorded in ``ImportItem`` (folder, relative path,
SHA-256): running the command again after an interruption skips what is done and tries again what failed.

- direction ``outgoing`` (the default when ``author`` is empty or the agency itself): the agency's own
  document, issued;
- direction ``incoming``: a document of the author agency (found by its code or its name in the
  directory) received on paper: a delivery on the paper channel and an incoming item already processed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from congvan import audit
from congvan.archive.models import ImportItem
from congvan.archive.services import ingest_file
from congvan.directory.models import Agency
from congvan.documents import storage
from congvan.documents.models import Document, DocumentFile, DocumentType, Form
from congvan.text import clean, fold
from congvan.text.detect import detect

EXTENSIONS = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".tif": "image/tiff", ".tiff": "image/tiff"}
METADATA = "metadata.csv"
# column → accepted header names (folded, spaces as underscores)
COLUMNS = {
    "file": ("file", "tep", "ten_tep"),
    "notation": ("notation", "so_ky_hieu", "so_hieu", "ky_hieu"),
    "date": ("date", "ngay", "ngay_ban_hanh", "ngay_van_ban"),
    "type": ("type", "loai", "loai_van_ban"),
    "subject": ("subject", "trich_yeu"),
    "author": ("author", "co_quan_ban_hanh", "tac_gia"),
    "direction": ("direction", "huong", "loai_so"),
    "signer": ("signer", "nguoi_ky"),
    "position": ("position", "chuc_vu"),
    "pages": ("pages", "so_trang"),
    "arrival_number": ("arrival_number", "so_den"),
    "arrival_date": ("arrival_date", "ngay_den"),
    "note": ("note", "ghi_chu"),
}
INCOMING_WORDS = {"incoming", "den", "van_ban_den", "in"}


class ImportError_(Exception):
    """A file that cannot be imported; the message says why, for the operator."""


@dataclass
class Outcome:
    imported: int = 0
    skipped: int = 0
    failed: int = 0


def read_metadata(folder: Path) -> dict[str, dict]:
    """Rows of metadata.csv by relative file path (NFC)."""
    path = folder / METADATA
    if not path.exists():
        return {}
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = detect(raw).text  # an old export in TCVN3, VNI or Windows-1258
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, [])
    names = {}
    for index, title in enumerate(header):
        key = "_".join(fold(clean(title)).replace(",", " ").split())
        for column, aliases in COLUMNS.items():
            if key in aliases:
                names[index] = column
    if "file" not in names.values():
        raise ImportError_(f"{path}: thiếu cột “file” (tên tệp) trong dòng tiêu đề.")
    rows = {}
    for values in reader:
        row = {names[i]: clean(v) for i, v in enumerate(values) if i in names}
        if row.get("file"):
            rows[clean(row["file"]).replace("\\", "/")] = row
    return rows


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)


def parse_date(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ImportError_(f"Ngày không hợp lệ: {value} (dùng dd/mm/yyyy hoặc yyyy-mm-dd).")


def _agency(value: str) -> Agency | None:
    value = clean(value)
    if not value:
        return None
    found = Agency.objects.filter(code=value.upper()).first()
    if found is None:
        key = fold(value)
        found = next((a for a in Agency.objects.all() if fold(a.name) == key or fold(a.short_name) == key), None)
    if found is None:
        raise ImportError_(f"Không tìm thấy cơ quan ban hành “{value}” trong danh bạ (ghi mã định danh hoặc "
                           "đúng tên cơ quan; để trống nếu là văn bản của chính cơ quan).")
    return found


def _doc_type(agency: Agency, value: str) -> DocumentType:
    types = DocumentType.objects.filter(agency__isnull=True) | DocumentType.objects.filter(agency=agency)
    value = clean(value)
    if value:
        found = types.filter(code=value).first() or next(
            (t for t in types if fold(t.name) == fold(value) or (t.abbreviation and t.abbreviation == value)), None)
        if found is None:
            raise ImportError_(f"Loại văn bản không hợp lệ: {value}.")
        return found
    return types.get(agency__isnull=True, code="CV")


def _as_pdf(data: bytes, suffix: str) -> bytes:
    if suffix == ".pdf":
        return data
    import img2pdf
    from PIL import Image

    try:
        return img2pdf.convert(data)
    except Exception:  # alpha channel, palette oddities: re-encode losslessly in RGB first
        with Image.open(io.BytesIO(data)) as image:
            frames = []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                out = io.BytesIO()
                image.convert("RGB").save(out, format="PNG", dpi=image.info.get("dpi", (300, 300)))
                frames.append(out.getvalue())
        return img2pdf.convert(frames)


def _moment(day: date | None) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(8, 0))) if day else timezone.now()


def import_file(agency: Agency, folder: Path, path: Path, meta: dict) -> Document:
    relative = path.relative_to(folder).as_posix()
    data = path.read_bytes()
    pdf = _as_pdf(data, path.suffix.lower())
    author = _agency(meta.get("author", ""))
    direction = "_".join(fold(meta.get("direction", "")).split())
    incoming = direction in INCOMING_WORDS or (author is not None and author.pk != agency.pk and not direction)
    owner = author if (incoming and author is not None) else agency
    if incoming and author is None:
        raise ImportError_("Văn bản đến cần ghi cơ quan ban hành (cột author).")
    day = parse_date(meta.get("date", ""))
    notation = meta.get("notation", "")[:60]
    number = re.match(r"\d+", notation)
    pages = meta.get("pages", "")
    subject = meta.get("subject") or clean(Path(relative).stem.replace("_", " "))
    with transaction.atomic():
        from congvan.documents.services import check_pdf

        check_pdf(pdf[:1024], io.BytesIO(pdf))
        blob = storage.store_stream(io.BytesIO(pdf))
        document = Document.objects.create(
            agency=owner, doc_type=_doc_type(owner, meta.get("type", "")), subject=subject,
            summary=meta.get("note", ""), state=Document.State.ISSUED, form=Form.PAPER, notation=notation,
            number=int(number.group()) if number else None, issued_at=_moment(day), place=owner.place,
            signer_name=meta.get("signer", "")[:120], signer_position=meta.get("position", "")[:120],
            page_amount=int(pages) if pages.isdigit() and int(pages) < 32768 else None)
        file = DocumentFile.objects.create(document=document, blob=blob, name=clean(path.stem + ".pdf")[:255],
                                           content_type="application/pdf", role=DocumentFile.Role.MAIN)
        if incoming:
            _receive_on_paper(document, agency, meta)
        ingest_file(file)
        audit.record("archive.import", agency=agency, obj=document, path=relative, sha256=blob.sha256,
                     direction="incoming" if incoming else "outgoing")
    return document


def _receive_on_paper(document: Document, agency: Agency, meta: dict) -> None:
    from congvan.workflow.models import Channel, Delivery, IncomingItem, Status
    from congvan.workflow.trail import append_status

    arrived = _moment(parse_date(meta.get("arrival_date", "")) or document.issued_at.date())
    delivery = Delivery.objects.create(document=document, recipient=agency, channel=Channel.PAPER)
    number = meta.get("arrival_number", "")
    IncomingItem.objects.create(delivery=delivery, agency=agency, document=document, arrived_at=arrived,
                                state=IncomingItem.State.DONE, registered_at=arrived, completed_at=arrived,
                                arrival_number=int(number) if number.isdigit() else None,
                                completion_note="Nhập từ kho lưu trữ bản quét")
    append_status(delivery, Status.DONE, "Nhập từ kho lưu trữ bản quét", at=arrived, propagate=False)


def run(agency: Agency, folder: Path, *, progress=None) -> tuple[Outcome, list[tuple[str, str]]]:
    """Import every scan under ``folder`` not imported yet; returns the counts and the failures."""
    folder = folder.resolve()
    metadata = read_metadata(folder)
    files = files_in(folder)
    outcome, failures = Outcome(), []
    key = str(folder)
    for path in files:
        relative = clean(path.relative_to(folder).as_posix())
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        done = ImportItem.objects.filter(agency=agency, folder=key, path=relative, state=ImportItem.State.DONE,
                                         sha256=digest).exists()
        if done:
            outcome.skipped += 1
        else:
            try:
                document = import_file(agency, folder, path, metadata.get(relative, {}))
            except Exception as exc:  # one bad file must not stop the batch: recorded, retried next run
                message = str(getattr(exc, "message", "") or exc)[:1000]
                ImportItem.objects.update_or_create(agency=agency, folder=key, path=relative, defaults={
                    "sha256": digest, "state": ImportItem.State.FAILED, "error": message, "document": None})
                outcome.failed += 1
                failures.append((relative, message))
            else:
                ImportItem.objects.update_or_create(agency=agency, folder=key, path=relative, defaults={
                    "sha256": digest, "state": ImportItem.State.DONE, "error": "", "document": document})
                outcome.imported += 1
        if progress is not None:
            progress(relative)
    return outcome, failures
