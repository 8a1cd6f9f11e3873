from __future__ import annotations

from django.urls import path

from opencsc.documents import views

app_name = "documents"
urlpatterns = [path("<int:document_id>/", views.document, name="document")]
