"""Routes of the incoming side (văn bản đến), the registers (sổ văn bản) and the administration pages."""

from django.urls import path

from congvan.web import views_admin, views_incoming, views_registers

urlpatterns = [
    path("van-ban-den/", views_incoming.incoming_list, name="incoming-list"),
    path("van-ban-den/<int:pk>/", views_incoming.incoming_detail, name="incoming-detail"),
    path("van-ban-den/<int:pk>/<slug:action>/", views_incoming.incoming_action, name="incoming-action"),
    path("so-van-ban/<str:direction>/", views_registers.register_book, name="register-book"),
    path("quan-tri/", views_admin.admin_home, name="admin-home"),
    path("quan-tri/loai-van-ban/", views_admin.admin_doctypes, name="admin-doctypes"),
    path("quan-tri/so-van-ban/", views_admin.admin_registers, name="admin-registers"),
    path("quan-tri/lich-lam-viec/", views_admin.admin_calendar, name="admin-calendar"),
]
