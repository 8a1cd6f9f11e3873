from __future__ import annotations

from django.urls import path

from opencsc.home import views

app_name = "home"
urlpatterns = [
    path("", views.home, name="index"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
]
