from django.urls import path

from congvan.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("van-ban-di/", views.outgoing_list, name="outgoing-list"),
    path("van-ban-di/soan-thao/", views.outgoing_create, name="outgoing-create"),
    path("van-ban-di/<int:pk>/", views.outgoing_detail, name="outgoing-detail"),
    path("van-ban-di/<int:pk>/sua/", views.outgoing_edit, name="outgoing-edit"),
    path("van-ban-di/<int:pk>/<slug:action>/", views.outgoing_action, name="outgoing-action"),
    path("van-ban/<int:pk>/tep/<int:file_pk>/", views.document_file, name="document-file"),
    path("danh-ba/", views.directory_page, name="directory"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("thong-bao/<int:pk>/", views.notification_open, name="notification-open"),
    path("thong-bao/da-doc-het/", views.notifications_read_all, name="notifications-read-all"),
    path("thong-bao/chuong/", views.notification_bell, name="notification-bell"),
    path("uy-quyen/", views.delegations, name="delegations"),
    path("uy-quyen/<int:pk>/thu-hoi/", views.delegation_revoke, name="delegation-revoke"),
]
