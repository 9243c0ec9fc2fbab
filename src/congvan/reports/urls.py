"""Routes of the report pages (báo cáo), included by congvan.web.urls."""

from django.urls import path, re_path

from congvan.reports import views

urlpatterns = [
    path("bao-cao/", views.dashboard, name="reports-dashboard"),
    path("bao-cao/chi-tiet/", views.drill, name="reports-drill"),
    re_path(r"^bao-cao/tai-ve/(?P<fmt>pdf|xlsx)/$", views.download, name="reports-download"),
    path("bao-cao/chi-tieu/", views.targets, name="reports-targets"),
    path("bao-cao/thiet-lap/", views.report_settings, name="reports-settings"),
    path("bao-cao/da-lap/", views.stored, name="reports-stored"),
    re_path(r"^bao-cao/da-lap/(?P<pk>[0-9]+)/(?P<fmt>pdf|xlsx)/$", views.stored_file, name="reports-stored-file"),
]
