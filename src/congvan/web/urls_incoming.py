from django.urls import path

from congvan.web import views

urlpatterns = [
    path("van-ban-den/<int:pk>/", views.dashboard, name="incoming-detail"),
]
