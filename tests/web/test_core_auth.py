"""Log in, log out, the dashboard and the notifications through the web views."""

import pytest
from django.urls import reverse


@pytest.fixture
def login(client, demo):
    def run(username: str):
        assert client.login(username=username, password="congvan")
        return client

    return run


def test_login_page_is_vietnamese_and_logs_in(client, demo):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tên đăng nhập" in html and "Mật khẩu" in html
    response = client.post(reverse("login"), {"username": "vanthu.ubndtinh", "password": "congvan"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Bàn làm việc" in dashboard.content.decode()
    assert "Nguyễn Thị Hồng Nhung" in dashboard.content.decode()


def test_wrong_password_shows_a_vietnamese_error(client, demo):
    response = client.post(reverse("login"), {"username": "vanthu.ubndtinh", "password": "sai-mat-khau"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in html
    assert "_auth_user_id" not in client.session


def test_demo_hint_only_in_demo_mode(client, demo, settings):
    settings.DEMO = False
    assert "demo-accounts" not in client.get(reverse("login")).content.decode()
    settings.DEMO = True
    html = client.get(reverse("login")).content.decode()
    assert "demo-accounts" in html and "vanthu.ubndtinh" in html


def test_pages_need_login_and_logout_is_post(login, client):
    response = client.get(reverse("outgoing-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    login("chuyenvien.ubndtinh")
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_dashboard_lists_tasks_by_role(login, client, person, issue_document):
    from congvan.documents import services as documents
    from congvan.workflow import outgoing

    officer = person("chuyenvien.ubndtinh")
    draft = documents.create_draft(officer, doc_type="CV", subject="Dự thảo chờ lãnh đạo duyệt",
                                   recipients=["000.05.00.H21"])
    outgoing.submit(officer, draft)
    issue_document(subject="Về việc tổng kết năm")
    html = login("lanhdao.ubndtinh").get(reverse("dashboard")).content.decode()
    assert "Dự thảo chờ duyệt" in html and "Dự thảo chờ lãnh đạo duyệt" in html
    client.logout()
    html = login("vanthu.sonoivu").get(reverse("dashboard")).content.decode()
    assert "Văn bản đến chờ tiếp nhận, vào sổ" in html
    assert "Về việc tổng kết năm" in html  # a new arrival, to register


def test_notification_opens_marks_read_and_follows_link(login, client, person, issue_document):
    from congvan.workflow.models import Notification

    issue_document()
    clerk = person("vanthu.sonoivu")
    notification = Notification.objects.filter(person=clerk).latest("created_at")
    assert notification.read_at is None
    login("vanthu.sonoivu")
    listing = client.get(reverse("notifications")).content.decode()
    assert notification.text in listing
    response = client.get(reverse("notification-open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None
    other = Notification.objects.exclude(person=clerk).first()
    assert client.get(reverse("notification-open", args=[other.pk])).status_code == 404


def test_account_without_a_person_gets_a_clear_page(client, db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("khongcanbo", password="mat-khau-dai-1")
    client.login(username="khongcanbo", password="mat-khau-dai-1")
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert "Tài khoản chưa gắn với cán bộ nào" in response.content.decode()


def test_mark_all_notifications_read(login, client, person, issue_document):
    issue_document()
    clerk = person("vanthu.sonoivu")
    assert clerk.notifications.filter(read_at__isnull=True).exists()
    html = login("vanthu.sonoivu").get(reverse("notifications")).content.decode()
    assert "Đánh dấu tất cả đã đọc" in html
    assert client.post(reverse("notifications-read-all")).status_code == 302
    assert not clerk.notifications.filter(read_at__isnull=True).exists()
