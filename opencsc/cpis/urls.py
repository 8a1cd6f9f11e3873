from __future__ import annotations

from django.urls import path

from opencsc.cpis import views

app_name = "cpis"

urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("completeness/", views.completeness, name="completeness"),
    path("import/", views.import_file, name="import"),
]
