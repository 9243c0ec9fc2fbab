"""`congvan import-scans`: a folder of scans becomes paper documents with a scanned copy, metadata from a CSV
(even an old Windows-1258 export), resumable after an interruption or a bad file."""

import pytest
from django.core.management import CommandError, call_command

from congvan.archive import services as archive
from congvan.archive.models import ImportItem, OcrJob
from congvan.documents.models import Document, FileOrigin
from congvan.search.service import search
from congvan.text import legacy
from congvan.workflow.models import IncomingItem
from tests.archive.scans import png, render, scanned_pdf

pytestmark = pytest.mark.postgres

CSV = ("file;notation;date;type;subject;author;direction;signer;arrival_number\n"
       "1998/qd-12.pdf;12/QĐ-UBND;15/03/1998;QĐ;Quyết định thành lập trường tiểu học xã Ia Dom;;;Nguyễn Văn Hùng;\n"
       "den/vpcp.png;45/VPCP-KGVX;1999-07-01;CV;Về việc phổ cập giáo dục tiểu học;000.00.00.G22;đến;;231\n")


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "1998").mkdir()
    (tmp_path / "den").mkdir()
    (tmp_path / "1998" / "qd-12.pdf").write_bytes(scanned_pdf(["Quyết định số 12/QĐ-UBND", "thành lập trường"]))
    (tmp_path / "den" / "vpcp.png").write_bytes(png(render(["Văn phòng Chính phủ", "phổ cập giáo dục"])))
    (tmp_path / "hong.pdf").write_bytes(b"%PDF-1.4 broken")
    (tmp_path / "metadata.csv").write_bytes(legacy.encode_cp1258(CSV))  # an old Windows-1258 export
    return tmp_path


def test_import_is_resumable_and_reads_the_csv(folder, person):
    with pytest.raises(CommandError):  # one bad file: the others are imported, the run says so
        call_command("import-scans", str(folder), "--agency", "000.00.00.H21", "--no-progress")
    items = dict(ImportItem.objects.values_list("path", "state"))
    assert items == {"1998/qd-12.pdf": "done", "den/vpcp.png": "done", "hong.pdf": "failed"}
    assert "PDF" in ImportItem.objects.get(path="hong.pdf").error

    own = Document.objects.get(notation="12/QĐ-UBND")
    assert own.agency.code == "000.00.00.H21" and own.form == "paper" and own.state == "issued"
    assert own.subject == "Quyết định thành lập trường tiểu học xã Ia Dom"  # decoded from Windows-1258
    assert (own.doc_type.code, own.signer_name, own.issued_at.year) == ("QĐ", "Nguyễn Văn Hùng", 1998)
    assert own.main_file.origin == FileOrigin.SCANNED_IMAGE
    received = Document.objects.get(notation="45/VPCP-KGVX")
    assert received.agency.code == "000.00.00.G22" and received.form == "paper"
    item = IncomingItem.objects.get(document=received)
    assert (item.agency.code, item.state, item.arrival_number, item.delivery.channel) == (
        "000.00.00.H21", "done", 231, "paper")
    assert received.main_file.content_type == "application/pdf"  # the image wrapped losslessly
    assert OcrJob.objects.filter(file__document__in=[own, received]).count() == 2

    (folder / "hong.pdf").write_bytes(scanned_pdf(["Biên bản bàn giao hồ sơ"]))  # fixed, then run again
    call_command("import-scans", str(folder), "--agency", "000.00.00.H21", "--no-progress")
    assert set(ImportItem.objects.values_list("state", flat=True)) == {"done"}
    assert Document.objects.filter(form="paper").count() == 3  # nothing imported twice

    clerk = person("vanthu.ubndtinh")
    job = OcrJob.objects.get(file__document=own)
    archive.run_ocr_job(job.pk)
    assert [h.document.pk for h in search(clerk, "thanh lap truong").hits] == [own.pk]
    from congvan.search.service import Filters

    assert [h.document.pk for h in search(clerk, "pho cap giao duc", Filters(direction="incoming")).hits] == [
        received.pk]


def test_unknown_author_is_a_clear_error(tmp_path, demo):
    (tmp_path / "a.pdf").write_bytes(scanned_pdf(["A"]))
    (tmp_path / "metadata.csv").write_text("file,author,direction\na.pdf,Bộ Không Tồn Tại,incoming\n",
                                           encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import-scans", str(tmp_path), "--agency", "000.00.00.H21", "--no-progress")
    assert "Không tìm thấy cơ quan ban hành" in ImportItem.objects.get(path="a.pdf").error
    with pytest.raises(CommandError):
        call_command("import-scans", str(tmp_path), "--agency", "999.99.99.H99", "--no-progress")
