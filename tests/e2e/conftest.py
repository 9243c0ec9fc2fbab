"""Browser tests: Playwright driving Debian's chromium against the live test server."""

import os

import pytest

from tests.conftest import require_tool
from tests.e2e.installations import three_installations  # noqa: F401 - a session fixture for the exchange tests

CHROMIUM = "/usr/bin/chromium"
# Chromium's background calls to Google fail on a closed network: switch them off (RECIPES §7).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    require_tool(CHROMIUM)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def login(live_server, browser):
    """A fresh browser context logged in as ``username``; returns its page."""
    contexts = []

    def open_as(username: str, password: str = "congvan"):
        context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(live_server.url + "/dang-nhap/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("form button[type=submit], form input[type=submit]").first.click()
        page.wait_for_url(lambda url: "/dang-nhap/" not in url)
        return page

    yield open_as
    for context in contexts:
        context.close()
