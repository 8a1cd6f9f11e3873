from django.urls import path

from opencsc.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:key>/", views.indicator, name="indicator"),
    path("<slug:key>/<str:month>/children/", views.children, name="children"),
]
