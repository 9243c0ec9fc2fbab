from django.urls import path

from congvan.exchange import views

urlpatterns = [
    path("messages", views.messages, name="exchange-messages"),
    path("messages/<uuid:hub_id>", views.message, name="exchange-message"),
    path("messages/<uuid:hub_id>/ack", views.acknowledge, name="exchange-ack"),
    path("directory", views.directory, name="exchange-directory"),
]
