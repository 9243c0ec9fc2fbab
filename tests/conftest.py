"""Shared fixtures: the demo province, people by username, a real PDF, and a document driven
through the outgoing flow."""

import io
import os
import shutil

import pytest

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def require_tool(path_or_name: str) -> str:
    """A tool a test needs. `make test` installs them all, so a missing one is a failure, never a skip."""
    found = path_or_name if os.path.exists(path_or_name) else shutil.which(path_or_name)
    if found:
        return found
    pytest.fail(f"{path_or_name} is not installed (make test installs it)")


@pytest.fixture(autouse=True)
def _file_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _default_language_after():
    """A request with the English cookie leaves English active in the thread (LocaleMiddleware activates,
    nothing deactivates): put the default back, or a later test reads a command's output in English."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _hub_cache():
    """The hub remembers credentials and routes per process; each test starts from its own database."""
    from congvan.exchange import hub

    hub.forget_cache()
    yield
    hub.forget_cache()


@pytest.fixture
def demo(db):
    from congvan.directory.demo import load_demo

    load_demo()


@pytest.fixture
def client_of(person):
    """A Django test client logged in as the demo account ``username``."""
    from django.test import Client

    def get(username: str):
        client = Client()
        client.force_login(person(username).user)
        return client

    return get


@pytest.fixture
def person(demo):
    from congvan.directory.models import Person

    def get(username: str) -> Person:
        return Person.objects.select_related("agency", "unit", "user").get(user__username=username)

    return get


def database_url() -> str:
    """The test database as a CONGVAN_DATABASE_URL, for a process started by a test (worker, smtpd)."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/"
            f"{settings['NAME']}")


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

    def run(sender="ubndtinh", recipients=("000.05.00.H21",), doc_type="CV", subject=None, pdf=None, **fields):
        officer, leader, clerk = (person(f"{r}.{sender}") for r in ("chuyenvien", "lanhdao", "vanthu"))
        doc = documents.create_draft(officer, doc_type=doc_type, recipients=list(recipients),
                                     subject=subject or "Về việc tăng cường sử dụng văn bản điện tử", **fields)
        if doc.form != "paper":
            documents.add_file(officer, doc, "cong-van.pdf", io.BytesIO(pdf or pdf_bytes))
        outgoing.submit(officer, doc)
        outgoing.approve(leader, doc)
        return outgoing.issue(clerk, doc)

    return run


# Data migrations whose rows the tests rely on. A transactional test (transaction=True, live_server)
# flushes every table when it ends, so the next one would start without them: put them back first.
DATA_MIGRATIONS = ["congvan.documents.migrations.0002_national_document_types"]


@pytest.fixture(autouse=True)
def _migration_data_after_flush(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) \
        or bool({"transactional_db", "live_server"} & set(request.fixturenames))
    if not transactional:
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    for module in DATA_MIGRATIONS:
        importlib.import_module(module).load(apps, None)


@pytest.fixture(scope="session", autouse=True)
def _postgres_run_is_on_postgres(request):
    """`make test` sets CONGVAN_TEST_POSTGRES=1 for its PostgreSQL run: never let it pass on SQLite."""
    if os.environ.get("CONGVAN_TEST_POSTGRES") and not os.environ.get("CONGVAN_DATABASE_URL", "").startswith(
            ("postgres://", "postgresql://")):
        pytest.fail("CONGVAN_TEST_POSTGRES=1 but CONGVAN_DATABASE_URL is not a postgres:// URL", pytrace=False)


def pytest_collection_modifyitems(items):
    """Long multi-installation tests first (they set the suite's length), browser tests last: Playwright's
    sync API leaves an event loop running in the worker, where pyHanko's synchronous calls cannot run."""
    def order(item) -> int:
        if item.get_closest_marker("xdist_group"):
            return 0
        return 2 if "browser" in getattr(item, "fixturenames", ()) else 1

    items.sort(key=order)
