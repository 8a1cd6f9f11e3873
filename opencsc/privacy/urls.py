from __future__ import annotations

from django.urls import path

from opencsc.privacy import contract_views, views

app_name = "privacy"
urlpatterns = [
    # The public notice keeps the address the footer and printed leaflets use.
    path("privacy-notice/", views.notice, name="notice"),
    path("privacy/record-of-processing/", views.record_of_processing, name="record_of_processing"),
    path("privacy/record-of-processing.csv", views.record_of_processing_csv, name="record_of_processing_csv"),
    path("privacy/register/", views.register_index, name="register"),
    path("privacy/register/<slug:kind>/new/", views.register_edit, name="register_add"),
    path("privacy/register/<slug:kind>/<int:pk>/", views.register_edit, name="register_edit"),
    path(
        "privacy/children/<int:person_id>/processors/",
        contract_views.processor_contracts,
        name="processor_contracts",
    ),
    path(
        "privacy/children/<int:person_id>/processors/<int:allocation_id>/end/",
        contract_views.processor_contract_end,
        name="processor_contract_end",
    ),
]
