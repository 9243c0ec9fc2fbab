"""The English locale: the language switch of the web UI, the API's Accept-Language, and a complete catalogue.

Vietnamese is the source language (every msgid is Vietnamese); English comes from
src/congvan/locale/en/LC_MESSAGES/django.po, compiled beside it to django.mo.
"""

import gettext
import html
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from congvan.errors import NotFound
from tests.conftest import require_tool

CATALOG_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


def heading(response) -> str:
    """The page's <h1>, tags stripped."""
    assert response.status_code == 200, response.status_code
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, "no <h1> on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def nav_links(response) -> list[str]:
    """Texts of the main menu links."""
    page = response.content.decode()
    return [html.unescape(text).strip() for text in re.findall(r'<a class="nav-link" href="[^"]*">([^<]+)</a>', page)]


@pytest.fixture
def clerk(person):
    client = Client()
    client.force_login(person("vanthu.ubndtinh").user)
    return client


@pytest.fixture
def english(clerk):
    clerk.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return clerk


def test_dashboard_in_english_with_the_language_cookie(english):
    response = english.get(reverse("dashboard"))
    page = response.content.decode()
    assert heading(response) == "Dashboard"
    assert '<html lang="en">' in page
    assert response["Content-Language"] == "en"
    links = nav_links(response)
    for label in ("Dashboard", "Outgoing documents", "Incoming documents", "Registers", "Directory"):
        assert label in links
    for label in ("Bàn làm việc", "Văn bản đi", "Văn bản đến", "Sổ văn bản", "Danh bạ"):
        assert label not in links
    # The task blocks (titles built in the view) and the fixed dashboard texts.
    assert "Documents awaiting issue" in page and "Văn bản chờ phát hành" not in page
    assert "Overdue incoming documents" in page and "Văn bản đến quá hạn" not in page
    assert "Log out" in page and "Đăng xuất" not in page


def test_outgoing_list_in_english_with_the_language_cookie(english, issue_document):
    issue_document(subject="Về việc thử giao diện tiếng Anh")
    response = english.get(reverse("outgoing-list"))
    page = response.content.decode()
    assert heading(response) == "Outgoing documents"
    assert "<title>Outgoing documents · Congvan</title>" in page
    assert "New document" in page and "Soạn văn bản" not in page
    assert "All statuses" in page and "Tất cả trạng thái" not in page
    # Labels that come from the models and the national document types, translated in the template.
    assert "Issued" in page and "Đã phát hành" not in page
    assert "Official letter" in page
    # The data itself stays as written.
    assert "Về việc thử giao diện tiếng Anh" in page


def test_vietnamese_without_the_cookie(clerk):
    dashboard = clerk.get(reverse("dashboard"))
    assert heading(dashboard) == "Bàn làm việc"
    assert '<html lang="vi">' in dashboard.content.decode()
    assert "Văn bản đi" in nav_links(dashboard) and "Outgoing documents" not in nav_links(dashboard)
    outgoing = clerk.get(reverse("outgoing-list"))
    assert heading(outgoing) == "Văn bản đi"
    assert "Outgoing documents" not in outgoing.content.decode()


def test_the_language_switcher_sets_the_cookie(clerk):
    response = clerk.post("/i18n/setlang/", {"language": "en", "next": reverse("outgoing-list")})
    assert response.status_code == 302 and response["Location"] == reverse("outgoing-list")
    assert clerk.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert heading(clerk.get(reverse("outgoing-list"))) == "Outgoing documents"
    clerk.post("/i18n/setlang/", {"language": "vi", "next": reverse("dashboard")})
    assert heading(clerk.get(reverse("dashboard"))) == "Bàn làm việc"


def test_browser_asking_for_english_gets_english(clerk):
    response = clerk.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert heading(response) == "Dashboard"


def test_api_error_message_follows_accept_language(demo):
    token = Client().post("/api/v1/auth/token", {"username": "vanthu.ubndtinh", "password": "congvan"},
                          content_type="application/json")
    assert token.status_code == 200, token.content
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token.json()['token']}"}

    english = Client().get("/api/v1/documents/999999", HTTP_ACCEPT_LANGUAGE="en", **auth)
    assert english.status_code == 404
    assert english.json()["error"]["code"] == "not_found"
    assert english.json()["error"]["message"] == "The document was not found or you are not allowed to view it."
    assert english["Content-Language"] == "en"

    vietnamese = Client().get("/api/v1/documents/999999", **auth)
    assert vietnamese.status_code == 404
    assert vietnamese.json()["error"]["message"] == str(NotFound.default_message)
    assert vietnamese.json()["error"]["message"] == "Không tìm thấy văn bản hoặc bạn không có quyền xem."

    # A message raised by ninja itself (no token) is translated the same way.
    unauthorized = Client().get("/api/v1/documents/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert unauthorized.status_code == 401
    assert unauthorized.json()["error"]["message"] == \
        "Authentication required: the access token is missing or has expired."


def test_catalogue_is_complete_and_compiled(tmp_path):
    """Every entry translated, none fuzzy, placeholders checked, and the shipped .mo matches the .po."""
    msgfmt = require_tool("msgfmt")
    po, mo = CATALOG_DIR / "django.po", CATALOG_DIR / "django.mo"
    fresh = tmp_path / "django.mo"
    result = subprocess.run([msgfmt, "--check", "--statistics", "-o", str(fresh), str(po)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")
    with fresh.open("rb") as new, mo.open("rb") as shipped:
        assert gettext.GNUTranslations(shipped)._catalog == gettext.GNUTranslations(new)._catalog, \
            "django.mo is stale: run msgfmt -o django.mo django.po"
