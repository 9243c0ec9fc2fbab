"""The background worker as a real process: a Word draft uploaded in the web process is converted to
the main PDF by `congvan worker` through the database task queue."""

import io
import os
import subprocess
import sys
import time

import pytest

from tests.conftest import database_url, require_tool

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_worker_process_converts_word_draft(person, settings, tmp_path):
    require_tool("soffice")
    import docx

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from congvan.documents import services as documents

    officer = person("chuyenvien.ubndtinh")
    doc = documents.create_draft(officer, doc_type="CV", subject="Dự thảo bằng Word", recipients=["000.05.00.H21"])
    word = docx.Document()
    word.add_paragraph("Kế hoạch chuyển đổi số năm 2027 của tỉnh Gia Lai")
    buffer = io.BytesIO()
    word.save(buffer)
    documents.add_file(officer, doc, "ke-hoach.docx", io.BytesIO(buffer.getvalue()))
    assert doc.main_file is None  # queued, not converted in the request

    env = {**os.environ, "CONGVAN_DATABASE_URL": database_url(), "CONGVAN_FILE_STORE": str(settings.MEDIA_ROOT),
           "CONGVAN_DATA_DIR": str(tmp_path)}
    worker = subprocess.Popen([sys.executable, "-m", "congvan.cli", "worker", "--interval", "0.3"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while doc.main_file is None and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    main = doc.main_file
    assert main is not None, output[-2000:]
    assert main.name == "ke-hoach.pdf" and main.converted_from.name == "ke-hoach.docx"
