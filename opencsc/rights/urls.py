from __future__ import annotations

from django.urls import path

from opencsc.rights import views

app_name = "rights"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.request_new, name="request_new"),
    path("<int:request_id>/", views.detail, name="detail"),
    path("<int:request_id>/identity/", views.verify_identity, name="verify_identity"),
    path("<int:request_id>/subject/", views.link_subject, name="link_subject"),
    path("<int:request_id>/extend/", views.extend, name="extend"),
    path("<int:request_id>/close/", views.close, name="close"),
]
