"""OCR in the background, by `congvan worker` as a real process: a scan uploaded to a draft is queued in the
request, recognised by the worker, becomes the searchable main file, and the index finds its words."""

import io
import os
import subprocess
import sys
import time

import pytest

from congvan.archive.models import OcrJob
from congvan.documents import services as documents
from congvan.search.service import search
from tests.archive.scans import scanned_pdf
from tests.conftest import require_tool
from tests.e2e.test_worker import database_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_worker_recognises_a_scan(person, settings, tmp_path):
    require_tool("tesseract")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    officer = person("chuyenvien.ubndtinh")
    draft = documents.create_draft(officer, doc_type="CV", subject="Công văn ký tay", recipients=["000.05.00.H21"])
    scan = documents.add_file(officer, draft, "ky-tay.pdf",
                              io.BytesIO(scanned_pdf(["Về việc bảo tồn cồng chiêng Tây Nguyên"])))
    job = OcrJob.objects.get(file=scan)
    assert job.state == OcrJob.State.WAITING  # queued, not recognised in the request
    assert search(officer, "cong chieng").total == 0

    env = {**os.environ, "CONGVAN_DATABASE_URL": database_url(), "CONGVAN_FILE_STORE": str(settings.MEDIA_ROOT),
           "CONGVAN_DATA_DIR": str(tmp_path)}
    worker = subprocess.Popen([sys.executable, "-m", "congvan.cli", "worker", "--interval", "0.3"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and worker.poll() is None:
            job.refresh_from_db()
            if job.state in (OcrJob.State.DONE, OcrJob.State.FAILED):
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert job.state == OcrJob.State.DONE, (job.reason, output[-2000:])
    assert draft.main_file.converted_from_id == scan.pk
    assert [h.document.pk for h in search(officer, "cồng chiêng Tây Nguyên").hits] == [draft.pk]
