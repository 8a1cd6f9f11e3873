from __future__ import annotations

from django.urls import path

from opencsc.rights import public

app_name = "rights_public"

urlpatterns = [
    path("", public.ask_us, name="ask_us"),
    path("sent/", public.sent, name="sent"),
]
