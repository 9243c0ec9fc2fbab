from django.contrib import admin
from django.urls import include, path

from congvan.api.urls import api

urlpatterns = [
    path("quan-tri-he-thong/", admin.site.urls),
    path("api/v1/", api.urls),
    path("exchange/v1/", include("congvan.exchange.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("congvan.web.urls")),
]
