"""Routes of the digital-signature pages (chữ ký số)."""

from django.urls import path

from congvan.web import views_signing

urlpatterns = [
    path("chu-ky-so/", views_signing.certificates, name="signing-certificates"),
    path("chu-ky-so/dang-ky/<slug:source>/", views_signing.certificate_add, name="signing-certificate-add"),
    path("chu-ky-so/hinh/", views_signing.image_set, name="signing-image-set"),
    path("chu-ky-so/hinh/<slug:kind>.png", views_signing.image_show, name="signing-image"),
    path("chu-ky-so/van-ban/<int:pk>/vi-tri/", views_signing.place_signature, name="signing-place"),
    path("chu-ky-so/van-ban/<int:pk>/trang-cuoi.png", views_signing.page_preview, name="signing-preview"),
]
