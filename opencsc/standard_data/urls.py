from __future__ import annotations

from django.urls import path

from opencsc.standard_data import views

app_name = "standard_data"
urlpatterns = [
    path("health-needs/", views.health_needs, name="health_needs"),
]
