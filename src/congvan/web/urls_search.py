"""Routes of search (tìm kiếm) and digitisation (số hóa), issue 6."""

from django.urls import path

from congvan.web import views_search

urlpatterns = [
    path("tim-kiem/", views_search.search_page, name="search"),
    path("so-hoa/", views_search.digitisation, name="digitisation"),
    path("so-hoa/ocr/<int:pk>/thu-lai/", views_search.ocr_retry, name="ocr-retry"),
    path("so-hoa/ocr/<int:pk>/tai-ve/", views_search.ocr_download, name="ocr-download"),
]
