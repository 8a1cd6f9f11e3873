from django.urls import path

from opencsc.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="events"),
    path("alerts/", views.alert_list, name="alerts"),
    path("break-glass/<int:grant_id>/review/", views.review_break_glass, name="review_break_glass"),
]
