from django.urls import path

from opencsc.accounts.views import allocate, break_glass, restricted
from opencsc.people import families, views
from opencsc.people.genogram import genogram_view
from opencsc.people.matching import views as matching_views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("match/", views.match_as_you_type, name="match"),
    path("duplicates/", matching_views.queue, name="duplicates"),
    path("duplicates/<int:pair_id>/", matching_views.review, name="duplicate_review"),
    path("merges/<int:merge_id>/undo/", matching_views.undo, name="merge_undo"),
    path("emergency-access/", break_glass, name="break_glass"),
    path("<int:person_id>/", views.detail, name="detail"),
    path("<int:person_id>/edit/", views.edit, name="edit"),
    path("<int:person_id>/genogram/", genogram_view, name="genogram"),
    path("<int:person_id>/families/", families.families, name="families"),
    path("<int:person_id>/families/<int:family_id>/add/", families.family_add, name="family_add"),
    path("<int:person_id>/families/remove/<int:membership_id>/", families.family_remove, name="family_remove"),
    path("<int:person_id>/allocate/", allocate, name="allocate"),
    path("<int:person_id>/restricted/", restricted, name="restricted"),
    path("<int:person_id>/add/<slug:kind>/", views.add_part, name="add_part"),
    path("<int:person_id>/remove/<slug:kind>/<int:part_id>/", views.remove_part, name="remove_part"),
]
