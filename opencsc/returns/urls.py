from __future__ import annotations

from django.urls import path

from opencsc.returns import check_views, views

app_name = "returns"
urlpatterns = [
    path("", views.index, name="index"),
    path("readiness/", views.readiness, name="readiness"),
    path("check/", check_views.check_upload, name="check"),
    path("builds/<str:job_id>/", views.job_detail, name="job"),
    path("builds/<str:job_id>/findings/", views.job_findings, name="findings"),
    path("builds/<str:job_id>/download/", views.job_download, name="download"),
]
