from django.urls import path

from congvan.exchange import views

urlpatterns = [
    path("messages", views.messages, name="exchange-messages"),
    path("messages/ack", views.acknowledge_many, name="exchange-ack-many"),
    path("messages/bundle", views.bundle, name="exchange-bundle"),
    path("messages/<uuid:hub_id>", views.message, name="exchange-message"),
    path("messages/<uuid:hub_id>/ack", views.acknowledge, name="exchange-ack"),
    path("directory", views.directory, name="exchange-directory"),
]
