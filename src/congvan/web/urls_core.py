from django.urls import path

from congvan.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("van-ban-di/<int:pk>/", views.dashboard, name="outgoing-detail"),
]
