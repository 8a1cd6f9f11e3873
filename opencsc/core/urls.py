from django.urls import path

from opencsc.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("privacy-notice/", views.privacy_notice, name="privacy_notice"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
]
