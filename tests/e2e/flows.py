"""Steps the browser tests share: what a user does, by label and button name."""

import re

from playwright.sync_api import expect


def open_item(page, live_server, subject: str) -> None:
    """From the inbox, open the incoming item whose subject starts like ``subject``."""
    page.goto(live_server.url + "/van-ban-den/")
    page.get_by_role("link", name=re.compile(re.escape(subject[:40]))).first.click()


def draft_and_submit(page, live_server, *, subject: str, recipient: str, pdf_path) -> str:
    """An officer composes a công văn with its main PDF and submits it; returns the document's URL."""
    page.goto(live_server.url + "/van-ban-di/soan-thao/")
    page.get_by_label("Loại văn bản").select_option("CV")
    page.get_by_label("Trích yếu").fill(subject)
    page.check(f'input[name=recipients][value="{recipient}"]')
    page.get_by_label("Tệp văn bản chính").set_input_files(str(pdf_path))
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.get_by_role("button", name="Trình duyệt").click()
    expect(page.get_by_text("Chờ duyệt").first).to_be_visible()
    return page.url
