"""Route of the operator's exchange page (liên thông, issue 4); the protocol itself is at /exchange/v1/."""

from django.urls import path

from congvan.web import views_exchange

urlpatterns = [
    path("quan-tri/lien-thong/", views_exchange.admin_exchange, name="admin-exchange"),
]
