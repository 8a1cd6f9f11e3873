from django.urls import path

from opencsc.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # Outcomes first: "outcomes" would otherwise be read as an indicator's key.
    path("outcomes/", views.distance, name="distance"),
    path("outcomes/<int:person_id>/", views.child_outcomes, name="child_outcomes"),
    path("outcomes/<int:person_id>/goals/new/", views.goal_new, name="goal_new"),
    path("outcomes/<int:person_id>/goals/<int:goal_id>/rate/", views.rating_new, name="rating_new"),
    path("<slug:key>/", views.indicator, name="indicator"),
    path("<slug:key>/<str:month>/children/", views.children, name="children"),
]
