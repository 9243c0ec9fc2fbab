"""Shared fixtures: the demo province, people by username, a real PDF, and a document driven
through the outgoing flow."""

import io
import os
import shutil

import pytest

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def require_tool(path_or_name: str) -> str:
    """A tool a test needs: missing means failure in CI (never a silent skip), a skip on a laptop."""
    found = path_or_name if os.path.exists(path_or_name) else shutil.which(path_or_name)
    if found:
        return found
    message = f"{path_or_name} is not installed (make test installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _file_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default"]}}


@pytest.fixture
def demo(db):
    from congvan.directory.demo import load_demo

    load_demo()


@pytest.fixture
def person(demo):
    from congvan.directory.models import Person

    def get(username: str) -> Person:
        return Person.objects.select_related("agency", "unit", "user").get(user__username=username)

    return get


def make_pdf(text: str = "Ủy ban nhân dân tỉnh Gia Lai — văn bản điện tử", pages: int = 1) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in range(pages):
        pdf.setFont("DejaVu", 13)
        pdf.drawString(72, 760, text)
        pdf.drawString(72, 740, f"Trang {page + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.fixture
def pdf_bytes() -> bytes:
    return make_pdf()


@pytest.fixture
def issue_document(person, pdf_bytes):
    """Draft → submit → approve → issue from ``sender`` to ``recipients``; returns the issued document."""
    from congvan.documents import services as documents
    from congvan.workflow import outgoing

    def run(sender="ubndtinh", recipients=("000.05.00.H21",), doc_type="CV", subject=None, **fields):
        officer, leader, clerk = (person(f"{r}.{sender}") for r in ("chuyenvien", "lanhdao", "vanthu"))
        doc = documents.create_draft(officer, doc_type=doc_type, recipients=list(recipients),
                                     subject=subject or "Về việc tăng cường sử dụng văn bản điện tử", **fields)
        if doc.form != "paper":
            documents.add_file(officer, doc, "cong-van.pdf", io.BytesIO(pdf_bytes))
        outgoing.submit(officer, doc)
        outgoing.approve(leader, doc)
        return outgoing.issue(clerk, doc)

    return run
