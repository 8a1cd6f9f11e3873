from __future__ import annotations

from django.urls import path

from opencsc.casework import views
from opencsc.casework.views import catalogue, front_door

app_name = "casework"
urlpatterns = [
    path("front-door/", front_door.queue, name="front_door"),
    path("front-door/<int:contact_id>/take/", front_door.take, name="contact_take"),
    path("services/", catalogue.catalogue, name="services"),
    path("services/new/", catalogue.catalogue_edit, name="service_new"),
    path("services/<int:service_id>/", catalogue.catalogue_edit, name="service_edit"),
    path("tray/", views.tray, name="tray"),
    path("tray/allocate/", views.tray_assign, name="tray_assign"),
    path("tray/<int:task_id>/done/", views.tray_done, name="tray_done"),
    path("<int:person_id>/", views.overview, name="overview"),
    path("<int:person_id>/chronology/", views.chronology, name="chronology"),
    path("<int:person_id>/notes/", views.notes, name="notes"),
    path("<int:person_id>/record/<slug:slug>/", views.step, name="step"),
    path("<int:person_id>/record/<slug:slug>/<int:obj_id>/", views.step, name="step_on"),
]
