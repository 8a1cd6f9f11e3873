from __future__ import annotations

app_name = "casework"
urlpatterns: list = []
